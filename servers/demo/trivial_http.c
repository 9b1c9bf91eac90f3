/* trivial_http.c — the benchmark baseline: libmicrohttpd with the same threading flags as
 * http.c (internal epoll thread pool) answering every request with a static JSON body. Used
 * to compare /health throughput against the cheapest possible handler on the same machine.
 * Usage: trivial_http PORT [THREADS]; runs until SIGTERM / SIGINT. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char k_body[] = "{\"status\":\"ok\"}";

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls) {
  struct MHD_Response *r;
  enum MHD_Result ok;
  if (*con_cls == NULL) {
    *con_cls = (void *)1;
    return MHD_YES;
  }
  r = MHD_create_response_from_buffer(sizeof k_body - 1, (void *)k_body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "application/json");
  ok = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return ok;
}

int main(int argc, char **argv) {
  sigset_t s;
  int sig;
  char *end;
  long port, threads = 4;
  struct MHD_Daemon *d;
  if (argc < 2) {
    fprintf(stderr, "usage: trivial_http PORT [THREADS]\n");
    return 1;
  }
  port = strtol(argv[1], &end, 10);
  if (*end != '\0' || port < 1 || port > 65535) {
    fprintf(stderr, "trivial_http: bad port '%s'\n", argv[1]);
    return 1;
  }
  if (argc > 2) threads = strtol(argv[2], &end, 10);
  sigemptyset(&s);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGINT);
  pthread_sigmask(SIG_BLOCK, &s, NULL);
  d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
                       (unsigned short)port, NULL, NULL, answer, NULL, MHD_OPTION_THREAD_POOL_SIZE,
                       (unsigned)threads, MHD_OPTION_END);
  if (d == NULL) {
    fprintf(stderr, "trivial_http: cannot start on port %ld\n", port);
    return 1;
  }
  sigwait(&s, &sig);
  MHD_stop_daemon(d);
  return 0;
}
