/* pool.c — the libpq connection pool (see pool.h for the contract).
 *
 * State, all under one mutex: a LIFO stack of idle connections (the most recently used is handed
 * out first, so the rest age and get pinged), `size` counting open connections plus slots reserved
 * by threads that are connecting (so max is never exceeded while a connect is in flight), and a
 * FIFO queue of waiters. A connection that becomes available goes to the oldest waiter directly
 * (hand-off), so a newcomer can never overtake the queue; a slot freed by a discarded connection
 * is granted to the oldest waiter, who opens the replacement itself. Connecting and pinging run
 * without the mutex. Logs are written after the mutex is released (see `pending`). */
#include "servers/common/pool.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/common/log.h"
#include "servers/common/timeutil.h"

#define WARN_UTILIZATION 80.0
#define WARN_INTERVAL_MS 1000
#define PROBE_CONNECT_TIMEOUT_S 2 /* reconnect probes after a failed ping: libpq's minimum */
#define PING_TIMEOUT_MS 1500      /* a ping slower than this counts as a dead connection */
#define SRV_POOL_OPTIONS_MAX 160  /* the libpq options string of session_options() */

typedef struct waiter {
  pthread_cond_t cond;
  PGconn *conn; /* handed over by a releaser */
  int grant;    /* a slot was reserved for this waiter: open a connection */
  struct waiter *next;
} waiter;

typedef struct idle_slot {
  PGconn *c;
  int64_t since_ms; /* srv_mono_ms() when it became idle or was last pinged */
} idle_slot;

struct srv_pool {
  pthread_mutex_t mu;
  char *conninfo;
  char *app_name;
  int min_size, max_size, connect_timeout_s, statement_timeout_ms, ping_interval_ms;
  char options[SRV_POOL_OPTIONS_MAX]; /* see session_options() */
  idle_slot *idle;                    /* stack of max_size entries */
  int nidle;
  int size;       /* open + connecting */
  int connecting; /* slots reserved by threads that are opening a connection */
  int pinging;    /* idle connections taken out by the ping thread */
  int in_use;
  waiter *wq_head, *wq_tail;
  int waiting;
  uint64_t total_acquired, total_timeouts, total_discarded;
  int db_connected;
  double last_ping_ms;
  int64_t last_ping_wall_ms;
  int64_t db_lost_wall_ms, db_lost_mono_ms;
  int64_t last_warn_mono_ms;
  char last_error[256];
  pthread_t thread;
  pthread_cond_t thread_cond;
  int stop;
};

/* Log lines decided under the mutex and written after it is released. */
typedef struct pending {
  int warn, lost, recovered;
  int reset; /* idle connections failed their ping while the database still answers */
  srv_pool_stats st;
  int64_t lost_wall_ms, recovered_wall_ms;
  char reason[256];
} pending;

/* ---- connecting ---- */

/* The backend-side settings every connection asks for: the statement timeout, and TCP keepalives
 * on the server's end of the socket. Without those a backend whose client vanished during a silent
 * drop (the client's kernel gave up with tcp_user_timeout and sent no RST) waits for the rest of
 * its COPY or for its next statement for the kernel default of two hours, holding its
 * transaction's locks; a statement timeout cannot end it (PostgreSQL does not cancel a backend
 * that is waiting for client input). With probes after 2 s idle, every 1 s, the first probe after
 * the network is back gets an RST from the client's kernel and the orphaned backend exits. */
static void session_options(char *out, size_t n, int statement_timeout_ms) {
  snprintf(out, n,
           "-c statement_timeout=%d -c tcp_keepalives_idle=2 -c tcp_keepalives_interval=1 "
           "-c tcp_keepalives_count=3",
           statement_timeout_ms);
}

static PGconn *open_conn(const char *conninfo, const char *app, int connect_timeout_s,
                         const char *options, char *errbuf, size_t errlen) {
  char timeout[16];
  snprintf(timeout, sizeof timeout, "%d", connect_timeout_s);
  /* Defaults first, the caller's conninfo last (expanded), so its own settings win. */
  const char *keys[] = {"connect_timeout",
                        "options",
                        "keepalives",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "tcp_user_timeout",
                        "application_name",
                        "dbname",
                        NULL};
  const char *vals[] = {timeout, options, "1", "1", "1", "3", "1500", app, conninfo, NULL};
  PGconn *c = PQconnectdbParams(keys, vals, 1);
  if (c == NULL) {
    snprintf(errbuf, errlen, "out of memory creating a database connection");
    return NULL;
  }
  if (PQstatus(c) != CONNECTION_OK) {
    snprintf(errbuf, errlen, "%s", PQerrorMessage(c));
    errbuf[strcspn(errbuf, "\n")] = '\0';
    PQfinish(c);
    return NULL;
  }
  return c;
}

static void fill_stats_locked(const srv_pool *p, srv_pool_stats *st) {
  memset(st, 0, sizeof *st);
  st->size = p->size - p->connecting;
  st->min_size = p->min_size;
  st->max_size = p->max_size;
  st->free = p->nidle + p->pinging;
  st->in_use = p->in_use;
  st->waiting = p->waiting;
  st->utilization_percent = 100.0 * (double)p->in_use / (double)p->max_size;
  st->total_acquired = p->total_acquired;
  st->total_timeouts = p->total_timeouts;
  st->total_discarded = p->total_discarded;
  st->db_connected = p->db_connected;
  st->last_ping_ms = p->last_ping_ms;
  st->last_ping_wall_ms = p->last_ping_wall_ms;
  st->db_lost_wall_ms = p->db_connected ? 0 : p->db_lost_wall_ms;
}

static void mark_lost_locked(srv_pool *p, const char *reason, pending *ev) {
  snprintf(p->last_error, sizeof p->last_error, "%s", reason);
  if (!p->db_connected) return;
  /* The database is gone: idle connections are dead too. Drop them now so acquire reports
   * SRV_EUNAVAIL instead of handing out a corpse (closing a dead socket does not block). */
  for (int i = 0; i < p->nidle; i++) PQfinish(p->idle[i].c);
  p->size -= p->nidle;
  p->total_discarded += (uint64_t)p->nidle;
  p->nidle = 0;
  p->db_connected = 0;
  p->db_lost_wall_ms = srv_wall_ms();
  p->db_lost_mono_ms = srv_mono_ms();
  ev->lost = 1;
  ev->lost_wall_ms = p->db_lost_wall_ms;
  snprintf(ev->reason, sizeof ev->reason, "%s", reason);
  fill_stats_locked(p, &ev->st);
}

static void mark_connected_locked(srv_pool *p, pending *ev) {
  if (p->db_connected) return;
  p->db_connected = 1;
  if (p->db_lost_wall_ms != 0) {
    ev->recovered = 1;
    ev->lost_wall_ms = p->db_lost_wall_ms;
    ev->recovered_wall_ms = srv_wall_ms();
    fill_stats_locked(p, &ev->st);
  }
}

static void check_warn_locked(srv_pool *p, pending *ev) {
  double util = 100.0 * (double)p->in_use / (double)p->max_size;
  int64_t now = srv_mono_ms();
  if ((util > WARN_UTILIZATION || p->waiting > 0) &&
      (p->last_warn_mono_ms == 0 || now - p->last_warn_mono_ms >= WARN_INTERVAL_MS)) {
    p->last_warn_mono_ms = now;
    ev->warn = 1;
    fill_stats_locked(p, &ev->st);
  }
}

static cJSON *stats_json(const srv_pool_stats *st) {
  cJSON *o = cJSON_CreateObject();
  if (o == NULL) return NULL;
  cJSON_AddNumberToObject(o, "size", st->size);
  cJSON_AddNumberToObject(o, "min_size", st->min_size);
  cJSON_AddNumberToObject(o, "max_size", st->max_size);
  cJSON_AddNumberToObject(o, "free", st->free);
  cJSON_AddNumberToObject(o, "in_use", st->in_use);
  cJSON_AddNumberToObject(o, "waiting", st->waiting);
  cJSON_AddNumberToObject(o, "utilization_percent", st->utilization_percent);
  cJSON_AddNumberToObject(o, "total_timeouts", (double)st->total_timeouts);
  return o;
}

static void flush_pending(const pending *ev) {
  char t1[SRV_ISO8601_LEN], t2[SRV_ISO8601_LEN];
  if (ev->warn) {
    cJSON *ctx = cJSON_CreateObject();
    cJSON_AddItemToObject(ctx, "pool", stats_json(&ev->st));
    cJSON_AddNumberToObject(ctx, "queue_length", ev->st.waiting);
    cJSON_AddNumberToObject(ctx, "threshold_percent", WARN_UTILIZATION);
    srv_log_event_ctx(SRV_LOG_WARN, "pool_utilization_high", ctx,
                      "connection pool utilisation %.0f%% (%d of %d busy, %d waiting) is above "
                      "%.0f%%",
                      ev->st.utilization_percent, ev->st.in_use, ev->st.max_size, ev->st.waiting,
                      WARN_UTILIZATION);
    cJSON_Delete(ctx);
  }
  if (ev->lost) {
    srv_wall_iso8601_at(ev->lost_wall_ms, t1);
    cJSON *ctx = cJSON_CreateObject();
    cJSON_AddStringToObject(ctx, "lost_at", t1);
    cJSON_AddStringToObject(ctx, "reason", ev->reason);
    cJSON_AddItemToObject(ctx, "pool", stats_json(&ev->st));
    srv_log_event_ctx(SRV_LOG_WARN, "db_connection_lost", ctx,
                      "database connection lost at %s: %s; retrying every second", t1, ev->reason);
    cJSON_Delete(ctx);
  }
  if (ev->recovered) {
    srv_wall_iso8601_at(ev->lost_wall_ms, t1);
    srv_wall_iso8601_at(ev->recovered_wall_ms, t2);
    int64_t outage = ev->recovered_wall_ms - ev->lost_wall_ms;
    cJSON *ctx = cJSON_CreateObject();
    cJSON_AddStringToObject(ctx, "lost_at", t1);
    cJSON_AddStringToObject(ctx, "recovered_at", t2);
    cJSON_AddNumberToObject(ctx, "outage_ms", (double)outage);
    cJSON_AddItemToObject(ctx, "pool", stats_json(&ev->st));
    srv_log_event_ctx(SRV_LOG_INFO, "db_connection_recovered", ctx,
                      "database connection recovered at %s after %lld ms (lost at %s)", t2,
                      (long long)outage, t1);
    cJSON_Delete(ctx);
  }
  if (ev->reset > 0) {
    cJSON *ctx = cJSON_CreateObject();
    cJSON_AddNumberToObject(ctx, "discarded", ev->reset);
    cJSON_AddStringToObject(ctx, "reason", ev->reason);
    srv_log_event_ctx(SRV_LOG_WARN, "pool_connections_reset", ctx,
                      "%d idle database connection(s) failed their ping (%s) and were discarded; "
                      "the database answers new connections, so they are replaced",
                      ev->reset, ev->reason);
    cJSON_Delete(ctx);
  }
}

/* ---- hand-off ---- */

static waiter *dequeue_locked(srv_pool *p) {
  waiter *w = p->wq_head;
  if (w == NULL) return NULL;
  p->wq_head = w->next;
  if (p->wq_head == NULL) p->wq_tail = NULL;
  w->next = NULL;
  p->waiting--;
  return w;
}

/* An open, healthy connection becomes available (not counted in in_use): give it to the oldest
 * waiter or put it on the idle stack. */
static void offer_locked(srv_pool *p, PGconn *c) {
  waiter *w = dequeue_locked(p);
  if (w != NULL) {
    p->in_use++;
    p->total_acquired++;
    w->conn = c;
    pthread_cond_signal(&w->cond);
    return;
  }
  assert(p->nidle < p->max_size);
  p->idle[p->nidle].c = c;
  p->idle[p->nidle].since_ms = srv_mono_ms();
  p->nidle++;
}

/* A slot became free (a connection was discarded): let the oldest waiter open a new one. */
static void grant_slot_locked(srv_pool *p) {
  if (p->wq_head == NULL || p->size >= p->max_size) return;
  waiter *w = dequeue_locked(p);
  p->size++;
  p->connecting++;
  w->grant = 1;
  pthread_cond_signal(&w->cond);
}

/* ---- public API ---- */

srv_code srv_pool_connect_once(const srv_pool_config *cfg, PGconn **out, srv_err *err) {
  char options[SRV_POOL_OPTIONS_MAX], errbuf[256];
  *out = NULL;
  if (cfg == NULL || cfg->conninfo == NULL) {
    return srv_err_set(err, SRV_EINVAL, "database connection string is missing; set DATABASE_URL");
  }
  session_options(options, sizeof options,
                  cfg->statement_timeout_ms > 0 ? cfg->statement_timeout_ms : 5000);
  *out = open_conn(cfg->conninfo, cfg->application_name ? cfg->application_name : "srv_pool",
                   cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s : 10, options, errbuf,
                   sizeof errbuf);
  if (*out == NULL) {
    return srv_err_set(err, SRV_EUNAVAIL,
                       "cannot connect to the database: %s; check DATABASE_URL and that "
                       "PostgreSQL is running",
                       errbuf);
  }
  return SRV_OK;
}

static void *ping_thread(void *arg);

srv_code srv_pool_create(const srv_pool_config *cfg, srv_pool **out, srv_err *err) {
  srv_pool *p = NULL;
  srv_code rc = SRV_OK;
  pthread_condattr_t ca;
  *out = NULL;
  if (cfg == NULL || cfg->conninfo == NULL || cfg->conninfo[0] == '\0') {
    return srv_err_set(err, SRV_EINVAL, "pool: conninfo is required (set DATABASE_URL)");
  }
  if (cfg->max_size < 1 || cfg->max_size > 1000 || cfg->min_size < 0 ||
      cfg->min_size > cfg->max_size) {
    return srv_err_set(err, SRV_EINVAL,
                       "pool: sizes must satisfy 0 <= min <= max, 1 <= max <= 1000 (got min %d, "
                       "max %d); check POOL_MIN / POOL_MAX",
                       cfg->min_size, cfg->max_size);
  }
  p = calloc(1, sizeof *p);
  if (p == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory creating the pool");
  p->conninfo = strdup(cfg->conninfo);
  p->app_name = strdup(cfg->application_name ? cfg->application_name : "srv_pool");
  p->idle = calloc((size_t)cfg->max_size, sizeof *p->idle);
  if (p->conninfo == NULL || p->app_name == NULL || p->idle == NULL) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory creating the pool");
    goto cleanup;
  }
  p->min_size = cfg->min_size;
  p->max_size = cfg->max_size;
  p->connect_timeout_s = cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s : 10;
  p->statement_timeout_ms = cfg->statement_timeout_ms > 0 ? cfg->statement_timeout_ms : 5000;
  p->ping_interval_ms = cfg->ping_interval_ms > 0 ? cfg->ping_interval_ms : 1000;
  session_options(p->options, sizeof p->options, p->statement_timeout_ms);
  p->last_ping_ms = -1;
  p->db_connected = 1; /* until proven otherwise, so the first failure logs db_connection_lost */
  pthread_mutex_init(&p->mu, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&p->thread_cond, &ca);
  pthread_condattr_destroy(&ca);

  pending ev;
  memset(&ev, 0, sizeof ev);
  if (cfg->known_unreachable != NULL) mark_lost_locked(p, cfg->known_unreachable, &ev);
  for (int i = 0; i < p->min_size && p->db_connected; i++) {
    char errbuf[256];
    PGconn *c = open_conn(p->conninfo, p->app_name, p->connect_timeout_s, p->options, errbuf,
                          sizeof errbuf);
    if (c == NULL) {
      mark_lost_locked(p, errbuf, &ev);
      break;
    }
    p->size++;
    offer_locked(p, c);
  }
  flush_pending(&ev);
  if (pthread_create(&p->thread, NULL, ping_thread, p) != 0) {
    rc = srv_err_set(err, SRV_EINTERNAL, "cannot start the pool's ping thread");
    for (int i = 0; i < p->nidle; i++) PQfinish(p->idle[i].c);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->thread_cond);
    goto cleanup;
  }
  *out = p;
  p = NULL;
cleanup:
  if (p != NULL) {
    free(p->conninfo);
    free(p->app_name);
    free(p->idle);
    free(p);
  }
  return rc;
}

void srv_pool_destroy(srv_pool *p) {
  if (p == NULL) return;
  pthread_mutex_lock(&p->mu);
  p->stop = 1;
  pthread_cond_signal(&p->thread_cond);
  pthread_mutex_unlock(&p->mu);
  pthread_join(p->thread, NULL);
  /* Callers should have released everything; give stragglers (a background job finishing its
   * batch) up to 10 s rather than freeing memory they still use. */
  int64_t until = srv_mono_ms() + 10000;
  pthread_mutex_lock(&p->mu);
  while ((p->in_use > 0 || p->waiting > 0) && srv_mono_ms() < until) {
    pthread_mutex_unlock(&p->mu);
    srv_sleep_ms(10);
    pthread_mutex_lock(&p->mu);
  }
  int busy = p->in_use + p->waiting;
  pthread_mutex_unlock(&p->mu);
  if (busy > 0) {
    srv_log_event(SRV_LOG_ERROR, "pool_destroy_busy",
                  "pool destroyed with %d connections still in use or awaited after 10 s; "
                  "leaving it allocated to avoid a use-after-free",
                  busy);
    return;
  }
  for (int i = 0; i < p->nidle; i++) PQfinish(p->idle[i].c);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->thread_cond);
  free(p->conninfo);
  free(p->app_name);
  free(p->idle);
  free(p);
}

/* Opens a connection for a reserved slot (p->size and p->connecting already counted). Called
 * without the mutex; returns with it held. On failure the slot is released and passed on. */
static PGconn *fill_slot(srv_pool *p, int connect_timeout_s, char *errbuf, size_t errlen,
                         pending *ev) {
  PGconn *c = open_conn(p->conninfo, p->app_name, connect_timeout_s, p->options, errbuf, errlen);
  pthread_mutex_lock(&p->mu);
  p->connecting--;
  if (c == NULL) {
    p->size--;
    mark_lost_locked(p, errbuf, ev);
    grant_slot_locked(p); /* the next waiter tries (and, if the database is down, fails fast) */
  } else {
    mark_connected_locked(p, ev);
  }
  return c;
}

srv_code srv_pool_acquire(srv_pool *p, int64_t deadline_mono_ms, PGconn **out, srv_err *err) {
  pending ev;
  srv_code rc = SRV_OK;
  char errbuf[256];
  int timeout_s;
  memset(&ev, 0, sizeof ev);
  assert(p != NULL && out != NULL);
  *out = NULL;
  pthread_mutex_lock(&p->mu);
  if (p->wq_head == NULL && p->nidle > 0) {
    *out = p->idle[--p->nidle].c;
    p->in_use++;
    p->total_acquired++;
    check_warn_locked(p, &ev);
    goto unlock;
  }
  if (p->wq_head == NULL && p->size < p->max_size) {
    p->size++;
    p->connecting++;
    goto connect;
  }
  /* Wait in line. */
  waiter w;
  memset(&w, 0, sizeof w);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&w.cond, &ca);
  pthread_condattr_destroy(&ca);
  /* w lives on this stack frame while it is queued: it leaves the queue below, before returning. */
  if (p->wq_tail) {
    // cppcheck-suppress autoVariables ; w is dequeued before this function returns
    p->wq_tail->next = &w;
  } else {
    // cppcheck-suppress autoVariables ; w is dequeued before this function returns
    p->wq_head = &w;
  }
  // cppcheck-suppress autoVariables ; w is dequeued before this function returns
  p->wq_tail = &w;
  p->waiting++;
  check_warn_locked(p, &ev);
  if (ev.warn) {
    /* Log the queue as it is now, not when this wait ends (up to the request's deadline later).
     * A hand-off made meanwhile is seen by the loop below, which checks before it waits. */
    pthread_mutex_unlock(&p->mu);
    flush_pending(&ev);
    memset(&ev, 0, sizeof ev);
    pthread_mutex_lock(&p->mu);
  }
  struct timespec until = {.tv_sec = (time_t)(deadline_mono_ms / 1000),
                           .tv_nsec = (long)(deadline_mono_ms % 1000) * 1000000L};
  while (w.conn == NULL && !w.grant) {
    int r = pthread_cond_timedwait(&w.cond, &p->mu, &until);
    if (r == ETIMEDOUT && w.conn == NULL && !w.grant) break;
  }
  pthread_cond_destroy(&w.cond);
  if (w.conn != NULL) { /* handed over, already counted in in_use */
    *out = w.conn;
    goto unlock;
  }
  if (!w.grant) { /* timed out: leave the queue */
    waiter **pp = &p->wq_head;
    waiter *prev = NULL;
    while (*pp != NULL && *pp != &w) {
      prev = *pp;
      pp = &(*pp)->next;
    }
    if (*pp != NULL)
      *pp = w.next; /* always found: a waiter leaves the queue only here or granted */
    if (p->wq_tail == &w) p->wq_tail = prev;
    p->waiting--;
    p->total_timeouts++;
    rc =
        srv_err_set(err, SRV_EBUSY,
                    "connection pool exhausted: %d of %d connections busy, %d waiting; retry later",
                    p->in_use, p->max_size, p->waiting);
    goto unlock;
  }
  /* Granted a slot: open the connection ourselves. */
connect:
  /* While the database is known to be lost, try briefly: the ping thread keeps probing. */
  timeout_s = p->db_connected ? p->connect_timeout_s : PROBE_CONNECT_TIMEOUT_S;
  pthread_mutex_unlock(&p->mu);
  int64_t left_s = (srv_ms_until(deadline_mono_ms) + 999) / 1000;
  if (left_s < timeout_s) timeout_s = (int)left_s;
  if (timeout_s < 2) timeout_s = 2; /* libpq treats 1 as 2 anyway */
  *out = fill_slot(p, timeout_s, errbuf, sizeof errbuf, &ev);
  if (*out == NULL) {
    rc = srv_err_set(err, SRV_EUNAVAIL, "database unavailable: %s; retry later", errbuf);
  } else {
    p->in_use++;
    p->total_acquired++;
    check_warn_locked(p, &ev);
  }
unlock:
  pthread_mutex_unlock(&p->mu);
  flush_pending(&ev);
  return rc;
}

void srv_pool_release(srv_pool *p, PGconn *c, int broken) {
  pending ev;
  memset(&ev, 0, sizeof ev);
  if (c == NULL) return;
  if (!broken && PQstatus(c) == CONNECTION_OK) {
    PGTransactionStatusType ts = PQtransactionStatus(c);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
      PGresult *r = PQexec(c, "ROLLBACK");
      broken = PQresultStatus(r) != PGRES_COMMAND_OK;
      PQclear(r);
    } else if (ts != PQTRANS_IDLE) {
      broken = 1;
    }
  } else {
    broken = 1;
  }
  pthread_mutex_lock(&p->mu);
  p->in_use--;
  if (broken) {
    p->size--;
    p->total_discarded++;
    grant_slot_locked(p);
  } else {
    offer_locked(p, c);
  }
  pthread_mutex_unlock(&p->mu);
  if (broken) {
    srv_log_event(SRV_LOG_INFO, "pool_connection_discarded",
                  "discarded a broken database connection; it will be replaced on demand");
    PQfinish(c);
  }
  flush_pending(&ev);
}

void srv_pool_stats_get(const srv_pool *pool, srv_pool_stats *out) {
  srv_pool *p = (srv_pool *)pool;
  pthread_mutex_lock(&p->mu);
  fill_stats_locked(p, out);
  pthread_mutex_unlock(&p->mu);
}

/* ---- background ping ---- */

/* SELECT 1 with a client-side timeout. A frozen server (stopped process, paused VM) still has
 * its kernel acknowledge TCP, so neither keepalives nor tcp_user_timeout fire and a blocking
 * PQexec would hang the ping thread for good; polling with a deadline cannot. Returns 1 if the
 * server answered in time, else 0 with the reason (the connection must then be discarded). */
static int ping(PGconn *c, int timeout_ms, char *reason, size_t n, int *timed_out) {
  int64_t deadline = srv_mono_ms() + timeout_ms;
  int ok = 0;
  *timed_out = 0;
  if (!PQsendQuery(c, "SELECT 1")) goto failed;
  for (;;) {
    int flushing = PQflush(c);
    if (flushing < 0) goto failed;
    if (flushing == 0 && !PQisBusy(c)) break;
    int64_t left = deadline - srv_mono_ms();
    if (left <= 0) {
      snprintf(reason, n, "no answer to SELECT 1 within %d ms", timeout_ms);
      *timed_out = 1;
      return 0;
    }
    struct pollfd pfd = {.fd = PQsocket(c), .events = POLLIN | (flushing ? POLLOUT : 0)};
    int r = poll(&pfd, 1, (int)left);
    if (r < 0 && errno != EINTR) goto failed;
    if (r > 0 && !PQconsumeInput(c)) goto failed;
  }
  for (PGresult *res; (res = PQgetResult(c)) != NULL; PQclear(res)) {
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
      ok = 1;
    else
      snprintf(reason, n, "%s", PQresultErrorMessage(res));
  }
  reason[strcspn(reason, "\n")] = '\0';
  return ok && PQstatus(c) == CONNECTION_OK;
failed:
  snprintf(reason, n, "%s", PQerrorMessage(c));
  reason[strcspn(reason, "\n")] = '\0';
  return 0;
}

/* Writes the lost / recovered / warn lines decided so far at once (the mutex is released for
 * the write), so the log says "recovered" as soon as /health can say healthy, not after the rest
 * of the tick's connects. The reset count and its reason stay pending for the tick's end. */
static void flush_now_locked(srv_pool *p, pending *ev) {
  if (!ev->lost && !ev->recovered && !ev->warn) return;
  pending now = *ev;
  now.reset = 0;
  ev->lost = ev->recovered = ev->warn = 0;
  pthread_mutex_unlock(&p->mu);
  flush_pending(&now);
  pthread_mutex_lock(&p->mu);
}

/* Opens one connection into a new slot with the mutex held on entry and exit (released while
 * connecting) and offers it. Returns 1 on success; on failure the database is marked lost, which
 * also drops every idle connection. */
static int open_one_locked(srv_pool *p, int timeout_s, pending *ev) {
  char errbuf[256];
  p->size++;
  p->connecting++;
  pthread_mutex_unlock(&p->mu);
  int64_t t0 = srv_mono_us();
  PGconn *c = fill_slot(p, timeout_s, errbuf, sizeof errbuf, ev); /* returns locked */
  if (c == NULL) {
    flush_now_locked(p, ev);
    return 0;
  }
  if (p->last_ping_ms < 0) {
    p->last_ping_ms = (double)(srv_mono_us() - t0) / 1000.0;
    p->last_ping_wall_ms = srv_wall_ms();
  }
  offer_locked(p, c);
  flush_now_locked(p, ev);
  return 1;
}

/* One tick: ping every connection idle for at least one interval, discard dead ones, then
 * refill to min (or probe the database while it is lost). Called with the mutex held.
 * A ping without an answer within PING_TIMEOUT_MS means the server is frozen or unreachable:
 * the database is marked lost at once. On the first ping that fails with an error, a fresh
 * connection is tried at once (2 s connect timeout): if that fails too, the database is lost (all
 * idle connections are dropped); if it works, only connections died (pg_terminate_backend), and
 * the remaining idle ones are pinged in this same tick regardless of age. */
static void tick_locked(srv_pool *p, pending *ev) {
  int64_t now = srv_mono_ms();
  int failed = 0, probed = 0, pinged = 0;
  /* The stack bottom holds the longest-idle connections. Ping each at most once per tick, and
   * at least one per tick whenever one is idle, so last_ping_ms stays fresh under traffic. */
  int budget = p->nidle;
  while (budget-- > 0 && p->nidle > 0 && !p->stop &&
         (failed || pinged == 0 ||
          now - p->idle[0].since_ms >= p->ping_interval_ms - p->ping_interval_ms / 4)) {
    pinged++;
    PGconn *c = p->idle[0].c;
    memmove(&p->idle[0], &p->idle[1], (size_t)(p->nidle - 1) * sizeof p->idle[0]);
    p->nidle--;
    p->pinging++;
    pthread_mutex_unlock(&p->mu);
    int64_t t0 = srv_mono_us();
    char reason[200] = "";
    int timed_out = 0;
    int ok = ping(c, PING_TIMEOUT_MS, reason, sizeof reason, &timed_out);
    double ms = (double)(srv_mono_us() - t0) / 1000.0;
    if (!ok) PQfinish(c);
    pthread_mutex_lock(&p->mu);
    p->pinging--;
    if (ok) {
      p->last_ping_ms = ms;
      p->last_ping_wall_ms = srv_wall_ms();
      mark_connected_locked(p, ev);
      offer_locked(p, c); /* on top: it was just proven alive */
      continue;
    }
    p->size--;
    p->total_discarded++;
    snprintf(p->last_error, sizeof p->last_error, "ping failed: %s", reason);
    failed++;
    if (failed == 1) snprintf(ev->reason, sizeof ev->reason, "%s", reason);
    grant_slot_locked(p);
    if (timed_out) { /* a frozen or unreachable server: no need to wait for a probe to say so */
      mark_lost_locked(p, reason, ev);
      break;
    }
    if (!probed && !p->stop && p->size < p->max_size) {
      probed = 1;
      /* Lost: idle dropped. Otherwise the new connection sits on top, beyond the budget. */
      if (!open_one_locked(p, PROBE_CONNECT_TIMEOUT_S, ev)) break;
    }
  }
  /* Connections died but the database answers (pg_terminate_backend, a proxy restart). */
  if (failed > 0 && p->db_connected && !ev->lost) ev->reset = failed;
  /* Refill to min, or probe while the database is lost. */
  int lost = !p->db_connected;
  int want = p->min_size - p->size;
  if (want < 1 && lost && p->size < p->max_size) want = 1;
  if (want < 1 && p->size == 0 && p->max_size > 0) want = 1; /* keep a ping target */
  while (want-- > 0 && !p->stop && p->size < p->max_size) {
    if (!open_one_locked(p, lost ? PROBE_CONNECT_TIMEOUT_S : p->connect_timeout_s, ev)) break;
  }
}

static void *ping_thread(void *arg) {
  srv_pool *p = arg;
  pthread_mutex_lock(&p->mu);
  while (!p->stop) {
    int64_t next = srv_mono_ms() + p->ping_interval_ms;
    struct timespec until = {.tv_sec = (time_t)(next / 1000),
                             .tv_nsec = (long)(next % 1000) * 1000000L};
    while (!p->stop && pthread_cond_timedwait(&p->thread_cond, &p->mu, &until) != ETIMEDOUT) {
    }
    if (p->stop) break;
    pending ev;
    memset(&ev, 0, sizeof ev);
    tick_locked(p, &ev);
    if (ev.lost || ev.recovered || ev.warn || ev.reset) {
      pthread_mutex_unlock(&p->mu);
      flush_pending(&ev);
      pthread_mutex_lock(&p->mu);
    }
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* ---- metrics ---- */

#define STAT_FN(field)                              \
  static double stat_##field(void *arg) {           \
    srv_pool_stats st;                              \
    srv_pool_stats_get((const srv_pool *)arg, &st); \
    return (double)st.field;                        \
  }
STAT_FN(size)
STAT_FN(free)
STAT_FN(in_use)
STAT_FN(waiting)
STAT_FN(max_size)
STAT_FN(total_timeouts)
STAT_FN(total_acquired)
STAT_FN(db_connected)

static double stat_ping_seconds(void *arg) {
  srv_pool_stats st;
  srv_pool_stats_get((const srv_pool *)arg, &st);
  return st.last_ping_ms < 0 ? 0.0 : st.last_ping_ms / 1000.0;
}

srv_code srv_pool_register_metrics(srv_pool *p, srv_metrics *m, srv_err *err) {
  static const struct {
    int counter; /* 0 gauge, 1 counter */
    const char *name, *help;
    srv_gauge_fn fn;
  } k[] = {
      {0, "db_pool_size", "Open database connections", stat_size},
      {0, "db_pool_free", "Idle database connections", stat_free},
      {0, "db_pool_in_use", "Database connections in use", stat_in_use},
      {0, "db_pool_waiting", "Callers waiting for a connection", stat_waiting},
      {0, "db_pool_max", "Maximum database connections", stat_max_size},
      {0, "db_up", "1 while the database answers the background ping", stat_db_connected},
      {0, "db_ping_seconds", "Round trip of the latest background ping", stat_ping_seconds},
      {1, "db_pool_timeouts_total", "Acquires that gave up at their deadline (pool exhausted)",
       stat_total_timeouts},
      {1, "db_pool_acquired_total", "Connections handed out", stat_total_acquired},
  };
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
    srv_code rc = k[i].counter ? srv_metrics_counter_fn(m, k[i].name, k[i].help, k[i].fn, p, err)
                               : srv_metrics_gauge_fn(m, k[i].name, k[i].help, k[i].fn, p, err);
    if (rc != SRV_OK) return rc;
  }
  return SRV_OK;
}
