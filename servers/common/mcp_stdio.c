/* mcp_stdio.c — MCP over stdio: the newline-delimited JSON-RPC loop (see mcp_stdio.h).
 *
 * Owns one growing input buffer. Reads with poll(2) on the input and the stop descriptor, so a
 * SIGTERM delivered through a signalfd ends the loop even while the client is silent. */
#include "servers/common/mcp_stdio.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "servers/common/http.h"
#include "servers/common/request.h"
#include "servers/common/timeutil.h"

static srv_code write_all(int fd, const char *p, size_t n, srv_err *err) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return srv_err_set(err, SRV_EIO, "cannot write to the stdio output: %s", strerror(errno));
    }
    p += w;
    n -= (size_t)w;
  }
  return SRV_OK;
}

static srv_code send_msg(int fd, cJSON *msg, srv_err *err) {
  char *text = cJSON_PrintUnformatted(msg);
  srv_code rc;
  size_t n;
  if (text == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory printing a response");
  n = strlen(text);
  text[n] = '\n'; /* replaces the NUL; the buffer still holds n + 1 bytes */
  rc = write_all(fd, text, n + 1, err);
  free(text);
  return rc;
}

static srv_code handle_line(const srv_mcp *m, const srv_stdio_opts *o, srv_op_metrics *op,
                            const char *line, size_t len, int too_long, srv_err *err) {
  char rid[37];
  srv_call call;
  srv_mcp_outcome oc;
  srv_request_done done;
  cJSON *resp;
  srv_code rc = SRV_OK;
  int64_t t0 = srv_mono_us();
  srv_http_new_id(rid);
  memset(&call, 0, sizeof call);
  call.request_id = rid;
  call.deadline_ms = t0 / 1000 + o->request_timeout_ms;
  call.user = o->user;
  call.pool = o->pool;
  call.app = o->app;
  call.transport = "stdio";
  if (too_long) {
    char msg[128];
    memset(&oc, 0, sizeof oc);
    snprintf(msg, sizeof msg, "message longer than the limit of %zu bytes", o->max_line);
    snprintf(oc.operation, sizeof oc.operation, "jsonrpc");
    oc.code = SRV_ETOOBIG;
    snprintf(oc.message, sizeof oc.message, "%s", msg);
    resp = srv_rpc_error(NULL, SRV_RPC_PARSE_ERROR, msg, NULL);
  } else {
    resp = srv_mcp_handle_text(m, line, len, &call, &oc);
  }
  if (resp != NULL) rc = send_msg(o->out_fd, resp, err);
  cJSON_Delete(resp);
  memset(&done, 0, sizeof done);
  done.request_id = rid;
  done.operation = oc.operation[0] ? oc.operation : "jsonrpc";
  done.transport = "stdio";
  done.status = oc.code == SRV_OK ? 200 : srv_code_http_status(oc.code);
  done.code = oc.code;
  done.message = oc.message[0] ? oc.message : NULL;
  done.latency_us = srv_mono_us() - t0;
  srv_request_observe(op, &done);
  return rc;
}

srv_code srv_stdio_serve(const srv_mcp *m, const srv_stdio_opts *opts, srv_err *err) {
  assert(m != NULL && opts != NULL);
  srv_stdio_opts o = *opts;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int discarding = 0; /* inside an over-long line: drop bytes until its newline */
  srv_code rc = SRV_OK;
  srv_op_metrics *op = srv_request_op("STDIO message");
  if (o.max_line == 0) o.max_line = (size_t)1024 * 1024;
  if (o.request_timeout_ms <= 0) o.request_timeout_ms = 30000;
  cap = (size_t)64 * 1024;
  buf = malloc(cap);
  if (buf == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  for (;;) {
    struct pollfd p[2] = {{.fd = o.in_fd, .events = POLLIN}, {.fd = o.stop_fd, .events = POLLIN}};
    ssize_t r;
    char *start, *nl;
    if (poll(p, o.stop_fd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      rc = srv_err_set(err, SRV_EIO, "poll on stdin: %s", strerror(errno));
      goto cleanup;
    }
    if (o.stop_fd >= 0 && (p[1].revents & POLLIN)) goto cleanup;
    if (len == cap) {
      char *nb = realloc(buf, cap * 2);
      if (nb == NULL) {
        rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
        goto cleanup;
      }
      buf = nb;
      cap *= 2;
    }
    r = read(o.in_fd, buf + len, cap - len);
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      rc = srv_err_set(err, SRV_EIO, "cannot read stdin: %s", strerror(errno));
      goto cleanup;
    }
    if (r == 0) {
      /* End of input: a final line without a newline is still a message. */
      if (len > 0 && !discarding) rc = handle_line(m, &o, op, buf, len, 0, err);
      goto cleanup;
    }
    len += (size_t)r;
    start = buf;
    while ((nl = memchr(start, '\n', len - (size_t)(start - buf))) != NULL) {
      size_t l = (size_t)(nl - start);
      if (discarding) {
        discarding = 0;
      } else {
        if (l > 0 && start[l - 1] == '\r') l--;
        size_t k = 0;
        while (k < l && (start[k] == ' ' || start[k] == '\t')) k++;
        if (k < l) {
          rc = handle_line(m, &o, op, start, l, l > o.max_line, err);
          if (rc != SRV_OK) goto cleanup;
        }
      }
      start = nl + 1;
    }
    len -= (size_t)(start - buf);
    memmove(buf, start, len);
    if (len > o.max_line) {
      if (!discarding) {
        rc = handle_line(m, &o, op, NULL, 0, 1, err);
        if (rc != SRV_OK) goto cleanup;
      }
      discarding = 1;
      len = 0;
    }
  }
cleanup:
  free(buf);
  return rc;
}
