/* netfault.h — silent packet loss between a server and its PostgreSQL, for real.
 *
 * rs_netns_private() moves the calling test process into a network namespace of its own
 * (unshare(CLONE_NEWNET)) with only a loopback interface, brought up. Everything the test starts
 * afterwards (PostgreSQL clusters, server processes, the test's own HTTP clients) lives in that
 * namespace and talks over its 127.0.0.1; nothing outside it is touched, no address is added
 * anywhere else. The kernel frees the namespace — and every rule in it — when its last process
 * exits, so a test that crashes or is killed by Bazel leaves nothing behind (no named namespace
 * to clean up, no watchdog needed).
 *
 * rs_drop_port() then inserts iptables DROP rules in that namespace for TCP traffic to and from
 * one port (both directions, so neither side gets an answer or a RST: a silent drop, as when a
 * network path dies), and removes them again. Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and
 * Debian's iptables (ci/bootstrap.sh installs it).
 *
 * Call rs_netns_private() from the main thread before any thread or child is started: a network
 * namespace belongs to a thread and its later children. */
#ifndef RS_NETFAULT_H
#define RS_NETFAULT_H

#include "testing/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Enters a private network namespace with loopback up (see above). Idempotent within a process.
 * TST_EUNSUPPORTED with the reason (not root, unshare refused by the kernel or a container). */
int rs_netns_private(tst_err *err);

/* on != 0: DROP every TCP packet to or from `port` (inserted first in INPUT); on == 0: delete
 * those rules. Requires rs_netns_private() first (refuses to touch the host's own rules:
 * TST_EINVAL). TST_ENOTFOUND when iptables is missing, TST_ESTART with its output on failure. */
int rs_drop_port(int port, int on, tst_err *err);

#ifdef __cplusplus
}
#endif

#endif /* RS_NETFAULT_H */
