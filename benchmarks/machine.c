/* machine.c — machine description from /proc/cpuinfo, /proc/meminfo, sysconf and uname
 * (machine.h). */
#include "benchmarks/machine.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void trim(char *s) {
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
  size_t i = 0;
  while (s[i] != '\0' && isspace((unsigned char)s[i])) i++;
  memmove(s, s + i, strlen(s + i) + 1);
}

void bench_machine_describe(bench_machine *m) {
  char line[512];
  FILE *f = NULL;
  struct utsname u;
  assert(m != NULL);
  memset(m, 0, sizeof *m);
  snprintf(m->cpu_model, sizeof m->cpu_model, "unknown");
  snprintf(m->kernel, sizeof m->kernel, "unknown");
  f = fopen("/proc/cpuinfo", "r");
  while (f != NULL && fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "model name", 10) == 0) {
      char *colon = strchr(line, ':');
      if (colon != NULL) {
        snprintf(m->cpu_model, sizeof m->cpu_model, "%s", colon + 1);
        trim(m->cpu_model);
      }
      break;
    }
  }
  if (f != NULL) fclose(f);
  f = fopen("/proc/meminfo", "r");
  while (f != NULL && fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "MemTotal:", 9) == 0) {
      char *end = NULL;
      long kb = strtol(line + 9, &end, 10);
      if (end != line + 9 && kb > 0) m->memory_mb = kb / 1024;
      break;
    }
  }
  if (f != NULL) fclose(f);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  m->cores = n > 0 ? (int)n : 1;
  if (uname(&u) == 0) {
    size_t k = strnlen(u.release, sizeof m->kernel - 1);
    memcpy(m->kernel, u.release, k);
    m->kernel[k] = '\0';
  }
}

cJSON *bench_machine_to_json(const bench_machine *m) {
  assert(m != NULL);
  cJSON *o = cJSON_CreateObject();
  if (o == NULL) return NULL;
  if (cJSON_AddStringToObject(o, "cpu_model", m->cpu_model) == NULL ||
      cJSON_AddNumberToObject(o, "cores", m->cores) == NULL ||
      cJSON_AddNumberToObject(o, "memory_mb", (double)m->memory_mb) == NULL ||
      cJSON_AddStringToObject(o, "kernel", m->kernel) == NULL) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void bench_machine_line(const bench_machine *m, char *out, size_t n) {
  assert(m != NULL && out != NULL);
  snprintf(out, n, "%s, %d cores, %ld MB, Linux %s", m->cpu_model, m->cores, m->memory_mb,
           m->kernel);
}

double bench_machine_load1(void) {
  double v = -1;
  char line[128];
  FILE *f = fopen("/proc/loadavg", "r");
  if (f == NULL) return -1;
  if (fgets(line, sizeof line, f) != NULL) {
    char *end = NULL;
    double x = strtod(line, &end);
    if (end != line) v = x;
  }
  fclose(f);
  return v;
}
