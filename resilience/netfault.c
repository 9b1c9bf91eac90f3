/* netfault.c — private network namespace and iptables DROP rules (see netfault.h). */
#include "resilience/netfault.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testing/server.h"

static int g_private; /* 1 once this process entered its own namespace */

static int loopback_up(tst_err *err) {
  struct ifreq ifr;
  int rc = TST_OK;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return tst_err_set(err, TST_ESYS, "socket: %s", strerror(errno));
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
    rc = tst_err_set(err, TST_ESYS, "reading the flags of lo: %s", strerror(errno));
    goto cleanup;
  }
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
    rc = tst_err_set(err, TST_ESYS, "bringing lo up in the new namespace: %s", strerror(errno));
cleanup:
  close(fd);
  return rc;
}

int rs_netns_private(tst_err *err) {
  if (g_private) return TST_OK;
  if (geteuid() != 0)
    return tst_err_set(err, TST_EUNSUPPORTED,
                       "a private network namespace needs root (CAP_SYS_ADMIN); run the "
                       "resilience tests as root");
  if (unshare(CLONE_NEWNET) != 0)
    return tst_err_set(err, TST_EUNSUPPORTED,
                       "unshare(CLONE_NEWNET) refused: %s; this machine cannot create network "
                       "namespaces, so silent-drop faults cannot be injected",
                       strerror(errno));
  int rc = loopback_up(err);
  if (rc == TST_OK) g_private = 1;
  return rc;
}

static int find_iptables(char *path, size_t n) {
  const char *dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin", NULL};
  for (int i = 0; dirs[i] != NULL; i++) {
    snprintf(path, n, "%s/iptables", dirs[i]);
    if (access(path, X_OK) == 0) return 0;
  }
  return -1;
}

static int iptables(const char *bin, const char *op, const char *dir, int port, tst_err *err) {
  char portbuf[16], out[2048];
  int status = 0;
  snprintf(portbuf, sizeof portbuf, "%d", port);
  /* -w: wait for the xtables lock other tests may hold for a moment. */
  const char *args[] = {"-w", "5", op, "INPUT", "-p", "tcp", dir, portbuf, "-j", "DROP", NULL};
  int rc = tst_run(bin, args, NULL, 15000, &status, out, sizeof out, err);
  if (rc != TST_OK) return rc;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return tst_err_set(err, TST_ESTART, "iptables %s INPUT %s %d failed: %s", op, dir, port, out);
  return TST_OK;
}

int rs_drop_port(int port, int on, tst_err *err) {
  char bin[64];
  int rc;
  if (!g_private)
    return tst_err_set(err, TST_EINVAL,
                       "rs_drop_port: call rs_netns_private() first; rules are only ever added "
                       "inside the test's own network namespace");
  if (port <= 0 || port > 65535) return tst_err_set(err, TST_EINVAL, "bad port %d", port);
  if (find_iptables(bin, sizeof bin) != 0)
    return tst_err_set(err, TST_ENOTFOUND,
                       "iptables not found; run ci/bootstrap.sh (it installs iptables and "
                       "iproute2)");
  const char *op = on ? "-I" : "-D";
  if ((rc = iptables(bin, op, "--dport", port, err)) != TST_OK) return rc;
  return iptables(bin, op, "--sport", port, err);
}
