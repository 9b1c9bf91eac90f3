/* procstat.c — /proc readers for memory and CPU (see procstat.h). Assumes Linux /proc layout:
 * /proc/<pid>/stat fields after the parenthesised command name, as in proc(5). */
#include "servers/common/procstat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int read_small_file(const char *path, char *buf, size_t n) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return -1;
  size_t got = fread(buf, 1, n - 1, f);
  buf[got] = '\0';
  fclose(f);
  return 0;
}

srv_code srv_procstat_read(pid_t pid, srv_procstat *out, srv_err *err) {
  char path[64];
  char buf[1024];
  srv_code rc = SRV_OK;
  memset(out, 0, sizeof *out);
  if (pid == 0) {
    snprintf(path, sizeof path, "/proc/self/stat");
  } else {
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
  }
  if (read_small_file(path, buf, sizeof buf) != 0) {
    if (errno == ENOENT) {
      rc = srv_err_set(err, SRV_ENOTFOUND, "no process %ld (%s does not exist)", (long)pid, path);
    } else {
      rc = srv_err_set(err, SRV_EIO, "cannot read %s: %s", path, strerror(errno));
    }
    goto cleanup;
  }
  /* Fields after "(comm)": 3 state, 4 ppid, ... 14 utime, 15 stime, 20 num_threads,
   * 23 vsize, 24 rss (pages). */
  char *p = strrchr(buf, ')');
  if (p == NULL) {
    rc = srv_err_set(err, SRV_EIO, "cannot parse %s: no command name", path);
    goto cleanup;
  }
  p++;
  unsigned long long fields[25] = {0};
  int field = 3;
  char *save = NULL;
  for (char *tok = strtok_r(p, " \n", &save); tok != NULL && field <= 24;
       tok = strtok_r(NULL, " \n", &save), field++) {
    if (field == 3) continue; /* state letter */
    fields[field] = strtoull(tok, NULL, 10);
  }
  if (field <= 24) {
    rc = srv_err_set(err, SRV_EIO, "cannot parse %s: only %d fields", path, field - 1);
    goto cleanup;
  }
  long ticks = sysconf(_SC_CLK_TCK);
  long page = sysconf(_SC_PAGESIZE);
  if (ticks <= 0) ticks = 100;
  if (page <= 0) page = 4096;
  out->cpu_user_s = (double)fields[14] / (double)ticks;
  out->cpu_system_s = (double)fields[15] / (double)ticks;
  out->num_threads = (int)fields[20];
  out->vsize_bytes = fields[23];
  out->rss_bytes = fields[24] * (unsigned long long)page;
cleanup:
  return rc;
}

uint64_t srv_proc_rss_bytes(void) {
  char buf[256];
  if (read_small_file("/proc/self/statm", buf, sizeof buf) != 0) return 0;
  unsigned long long size = 0, resident = 0;
  // NOLINTNEXTLINE(cert-err34-c): kernel-written decimal counters; the field count is checked
  if (sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
  long page = sysconf(_SC_PAGESIZE);
  return resident * (uint64_t)(page > 0 ? page : 4096);
}

double srv_proc_cpu_seconds(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0.0;
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}
