/* portcheck.h — who holds a TCP port: used to turn EADDRINUSE into one clear line.
 *
 * Finds the listening socket for the port in /proc/net/tcp and /proc/net/tcp6 (state 0A), takes
 * its inode, and scans the fd links under /proc/<pid>/fd for "socket:[inode]". Processes of other users
 * may be unreadable; then the PID is unknown and the message says only that the port is in use. */
#ifndef SRV_PORTCHECK_H
#define SRV_PORTCHECK_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Looks up the process listening on TCP port `port` (any address, IPv4 or IPv6).
 * Returns 1 and fills *pid and comm (process name from /proc/<pid>/comm, NUL-terminated,
 * truncated to n bytes; comm may be NULL) when found; returns 0 when no listener or no owning
 * process could be found (e.g. permissions). Never fails otherwise. */
int srv_port_owner(int port, pid_t *pid, char *comm, size_t n);

/* Writes one line (no newline) into buf, e.g.
 *   "port 8020 is already in use by PID 1234 (python3): stop that process or set PORT to a free port"
 * or, when the owner is unknown,
 *   "port 8020 is already in use: stop that process or set PORT to a free port".
 * Always NUL-terminates (truncates to n). Returns buf. */
char *srv_port_conflict_message(int port, char *buf, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* SRV_PORTCHECK_H */
