/* procstat.h — resource usage of a process from /proc: resident memory and CPU time.
 *
 * Reads /proc/<pid>/statm and /proc/<pid>/stat (pid 0 means this process). Linux only. Used by
 * the metrics gauges (process RSS, CPU) and by load tests that watch a server process. */
#ifndef SRV_PROCSTAT_H
#define SRV_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srv_procstat {
  uint64_t rss_bytes;   /* resident set size */
  uint64_t vsize_bytes; /* virtual memory size */
  double cpu_user_s;    /* user CPU seconds since the process started */
  double cpu_system_s;  /* system CPU seconds since the process started */
  int num_threads;
} srv_procstat;

/* Fills *out for process pid (0 = self). SRV_ENOTFOUND if the process does not exist,
 * SRV_EIO if /proc cannot be read or parsed (message names the file). */
srv_code srv_procstat_read(pid_t pid, srv_procstat *out, srv_err *err);

/* Resident memory of this process in bytes (0 if /proc is unreadable). */
uint64_t srv_proc_rss_bytes(void);

/* User + system CPU seconds of this process (getrusage; never fails). */
double srv_proc_cpu_seconds(void);

#ifdef __cplusplus
}
#endif

#endif /* SRV_PROCSTAT_H */
