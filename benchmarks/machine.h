/* machine.h — a description of the machine a benchmark ran on, read from /proc and uname.
 *
 * JSON: {"cpu_model": "AMD EPYC ...", "cores": 2, "memory_mb": 24105, "kernel": "6.1.0-..."}.
 * Nothing identifying (no host name, no user, no paths) is recorded, so the description can be
 * committed with the baseline. */
#ifndef BENCH_MACHINE_H
#define BENCH_MACHINE_H

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bench_machine {
  char cpu_model[128]; /* "unknown" if /proc/cpuinfo has no "model name" */
  int cores;           /* online processors (sysconf), >= 1 */
  long memory_mb;      /* MemTotal of /proc/meminfo in MiB, 0 if unknown */
  char kernel[64];     /* uname release */
} bench_machine;

/* Fills m. Never fails: unknown fields get "unknown" / 0. */
void bench_machine_describe(bench_machine *m);

/* The JSON form above; caller owns it. NULL only on out of memory. */
cJSON *bench_machine_to_json(const bench_machine *m);

/* 1-minute load average from /proc/loadavg (-1 if unreadable). */
double bench_machine_load1(void);

/* One line: "AMD EPYC, 2 cores, 24105 MB, Linux 6.1.0" into out[n]. */
void bench_machine_line(const bench_machine *m, char *out, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_MACHINE_H */
