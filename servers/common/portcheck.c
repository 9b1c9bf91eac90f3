/* portcheck.c — find the PID listening on a TCP port (see portcheck.h).
 *
 * /proc/net/tcp{,6} lines: "sl local_address rem_address st ... uid timeout inode"; local_address
 * is HEXIP:HEXPORT, st 0A is LISTEN. Then every /proc/<pid>/fd/<n> is readlink()ed looking for
 * "socket:[<inode>]". Costs one directory walk over all processes, which is fine for a start-up
 * error path. */
#include "servers/common/portcheck.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Returns the inode of a listening socket on port in the given /proc/net file, or 0. */
static unsigned long listen_inode(const char *path, int port) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return 0;
  char line[512];
  unsigned long found = 0;
  if (fgets(line, sizeof line, f) == NULL) goto cleanup; /* header */
  while (found == 0 && fgets(line, sizeof line, f) != NULL) {
    char local[128], remote[128];
    unsigned st = 0;
    unsigned long inode = 0;
    /* sl: local rem st tx:rx tr:when retrnsmt uid timeout inode */
    /* The kernel writes these fields; a line that does not scan to 4 fields is skipped. */
    // NOLINTNEXTLINE(cert-err34-c): the field count is checked, the values are kernel-written hex
    if (sscanf(line, " %*[^:]: %127s %127s %x %*s %*s %*s %*s %*s %lu", local, remote, &st,
               &inode) != 4) {
      continue;
    }
    char *colon = strrchr(local, ':');
    if (colon == NULL) continue;
    long p = strtol(colon + 1, NULL, 16);
    if (st == 0x0A && p == port && inode != 0) found = inode;
  }
cleanup:
  fclose(f);
  return found;
}

static int pid_has_socket(const char *pid_dir, const char *needle) {
  char fd_path[300];
  snprintf(fd_path, sizeof fd_path, "/proc/%s/fd", pid_dir);
  DIR *d = opendir(fd_path);
  if (d == NULL) return 0;
  int hit = 0;
  struct dirent *e;
  while (!hit && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char link_path[600], target[128];
    snprintf(link_path, sizeof link_path, "%s/%s", fd_path, e->d_name);
    ssize_t len = readlink(link_path, target, sizeof target - 1);
    if (len <= 0) continue;
    target[len] = '\0';
    if (strcmp(target, needle) == 0) hit = 1;
  }
  closedir(d);
  return hit;
}

int srv_port_owner(int port, pid_t *pid, char *comm, size_t n) {
  if (port <= 0 || port > 65535) return 0;
  unsigned long inode = listen_inode("/proc/net/tcp", port);
  if (inode == 0) inode = listen_inode("/proc/net/tcp6", port);
  if (inode == 0) return 0;
  char needle[64];
  snprintf(needle, sizeof needle, "socket:[%lu]", inode);
  DIR *proc = opendir("/proc");
  if (proc == NULL) return 0;
  int found = 0;
  struct dirent *e;
  while (!found && (e = readdir(proc)) != NULL) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    if (!pid_has_socket(e->d_name, needle)) continue;
    found = 1;
    if (pid != NULL) *pid = (pid_t)strtol(e->d_name, NULL, 10);
    if (comm != NULL && n > 0) {
      comm[0] = '\0';
      char comm_path[300];
      snprintf(comm_path, sizeof comm_path, "/proc/%s/comm", e->d_name);
      FILE *f = fopen(comm_path, "r");
      if (f != NULL) {
        if (fgets(comm, (int)n, f) == NULL) comm[0] = '\0';
        fclose(f);
        comm[strcspn(comm, "\n")] = '\0';
      }
    }
  }
  closedir(proc);
  return found;
}

char *srv_port_conflict_message(int port, char *buf, size_t n) {
  pid_t pid = 0;
  char comm[64] = "";
  if (n == 0) return buf;
  if (srv_port_owner(port, &pid, comm, sizeof comm)) {
    if (comm[0] != '\0') {
      snprintf(buf, n,
               "port %d is already in use by PID %ld (%s): stop that process or set PORT to a "
               "free port",
               port, (long)pid, comm);
    } else {
      snprintf(buf, n,
               "port %d is already in use by PID %ld: stop that process or set PORT to a free port",
               port, (long)pid);
    }
  } else {
    snprintf(buf, n, "port %d is already in use: stop that process or set PORT to a free port",
             port);
  }
  return buf;
}
