/* pool.h — the libpq connection pool: bounded, lazily grown, FIFO-fair, self-healing.
 *
 * Workload: request threads acquire a connection for one short operation and release it at once
 * (handlers never hold one across calls). Connections are opened lazily up to max; min are kept
 * open by a background thread, which also pings every idle connection ("SELECT 1") about once a
 * second, so a lost database is noticed within ~1–2 s (5 s at most) even with no traffic. With
 * tcp_user_timeout 1500 ms and keepalives, a silently dead peer fails a query in ~1.5 s instead
 * of hours; the ping itself also gives up after 1.5 s without an answer (a frozen server whose
 * kernel still acknowledges TCP), so a frozen database is reported lost in ~2.5 s (measured).
 * Each connection also asks its backend for TCP keepalives (2 s idle, 1 s interval, 3 probes), so
 * a backend left behind by a silent drop ends soon after the network returns (see
 * srv_db_run_wait in db.h for the deterministic end of one).
 *
 * Waiting: when every connection is busy and size == max, acquire waits in a strict FIFO queue
 * (each waiter has its own condition variable; a released connection is handed straight to the
 * oldest waiter) until its deadline, then fails with SRV_EBUSY ("connection pool exhausted: ...").
 * When the database cannot be reached, acquire fails with SRV_EUNAVAIL (retry later).
 *
 * Logs: WARN "pool_utilization_high" with the stats whenever in_use / max passes 80% (at most
 * once per second); WARN "db_connection_lost" and INFO "db_connection_recovered" (with lost_at,
 * recovered_at, outage_ms) when the database goes and comes back; WARN "pool_connections_reset"
 * (discarded, reason) when idle connections fail their ping but a new connection works (backends
 * terminated, the database itself still up); INFO "pool_connection_discarded" when a caller
 * releases a broken connection. Thread-safe throughout. */
#ifndef SRV_POOL_H
#define SRV_POOL_H

#include <libpq-fe.h>
#include <stdint.h>

#include "servers/common/error.h"
#include "servers/common/metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srv_pool srv_pool;

typedef struct srv_pool_config {
  const char *conninfo;         /* libpq URL or "key=value ..." string; copied. Its own settings
                                   override the defaults below. Required. */
  int min_size;                 /* kept open (FR-015: workflow 2, codebase 5); 0 <= min <= max */
  int max_size;                 /* hard cap (FR-015: workflow 10, codebase 20); >= 1 */
  int connect_timeout_s;        /* 0 => 10 (FR-025) */
  int statement_timeout_ms;     /* 0 => 5000 (FR-025), sent as options=-c statement_timeout=N */
  int ping_interval_ms;         /* 0 => 1000 */
  const char *application_name; /* e.g. "codebase-mcp"; NULL => "srv_pool" */

  const char *known_unreachable; /* non-NULL: the caller just failed to reach the database (this
                                    is the reason); create opens nothing, starts as lost
                                    (db_connection_lost) and lets the ping thread probe, instead
                                    of waiting out connect_timeout_s once more */
} srv_pool_config;

typedef struct srv_pool_stats {
  int size; /* open connections (idle + in use + being pinged) */
  int min_size, max_size;
  int free;    /* idle, ready to hand out (size - in_use, includes ones being pinged) */
  int in_use;  /* held by callers */
  int waiting; /* callers queued in acquire */
  double utilization_percent; /* in_use / max_size * 100: how close the pool is to exhaustion */
  uint64_t total_acquired;    /* successful acquires since creation */
  uint64_t total_timeouts;    /* acquires that failed with SRV_EBUSY */
  uint64_t total_discarded;   /* broken connections dropped */
  int db_connected;           /* 1 while the database answers (as of the last ping / connect) */
  double last_ping_ms;        /* round trip of the latest successful SELECT 1, -1 if none yet */
  int64_t last_ping_wall_ms;  /* Unix ms of that ping, 0 if none */
  int64_t db_lost_wall_ms;    /* Unix ms the current outage began, 0 while connected */
} srv_pool_stats;

/* Creates the pool, opens min_size connections (if the database is down the pool is still
 * created with db_connected = 0 and keeps retrying in the background), and starts the ping
 * thread. SRV_EINVAL for a bad config (message names the field). The caller owns *out
 * (srv_pool_destroy). */
srv_code srv_pool_create(const srv_pool_config *cfg, srv_pool **out, srv_err *err);

/* Stops the ping thread, closes every idle connection and frees the pool. Connections should
 * all have been released; destroy waits up to 10 s for stragglers, then logs an ERROR and leaves
 * the pool allocated (never frees memory a caller still uses). NULL is a no-op. */
void srv_pool_destroy(srv_pool *pool);

/* Gets a connection, waiting in FIFO order until deadline_mono_ms (a srv_mono_ms() value).
 * On success *out is a connection in CONNECTION_OK state, idle (no open transaction), which the
 * caller must give back with srv_pool_release. Failures (*out = NULL):
 *   SRV_EBUSY    "connection pool exhausted: 10 of 10 connections busy, 3 waiting; retry later"
 *   SRV_EUNAVAIL the database cannot be reached (message has libpq's reason); retry later. */
srv_code srv_pool_acquire(srv_pool *pool, int64_t deadline_mono_ms, PGconn **out, srv_err *err);

/* Gives a connection back. broken != 0 (or a connection that is not CONNECTION_OK, or is left
 * inside a transaction) is closed and replaced lazily; otherwise it goes to the oldest waiter or
 * back to the idle set. */
void srv_pool_release(srv_pool *pool, PGconn *conn, int broken);

/* Snapshot of the counters (in-memory, never touches the database; cheap). */
void srv_pool_stats_get(const srv_pool *pool, srv_pool_stats *out);

/* Registers gauges <prefix>db_pool_size, db_pool_free, db_pool_in_use, db_pool_waiting,
 * db_pool_max and counters db_pool_timeouts_total, db_pool_acquired_total (all sampled at
 * render time). Returns SRV_OK, or the failing registration's code with err filled. The pool must
 * outlive the registry's renders. */
srv_code srv_pool_register_metrics(srv_pool *pool, srv_metrics *m, srv_err *err);

/* Opens one connection outside any pool with exactly the pool's settings (timeouts, keepalives,
 * statement_timeout), e.g. for `migrate`. The caller owns *out (PQfinish). SRV_EINVAL for a bad
 * config, SRV_EUNAVAIL with libpq's message if the connection fails. */
srv_code srv_pool_connect_once(const srv_pool_config *cfg, PGconn **out, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SRV_POOL_H */
