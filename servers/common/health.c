/* health.c — the HealthCheckResponse from pool statistics (see health.h). Classification and
 * serialisation go through //models (mdl_health_classify, mdl_health_to_json), so every server
 * and the tests decide and print health the same way; the response is validated before it is
 * returned. Never touches the database. */
#include "servers/common/health.h"

#include <stdio.h>
#include <string.h>

#include "models/health_response.h"
#include "models/timestamp.h"
#include "servers/common/timeutil.h"

const char *srv_health_status_name(srv_health_status s) {
  switch (s) {
    case SRV_HEALTHY:
      return "healthy";
    case SRV_DEGRADED:
      return "degraded";
    default:
      return "unhealthy";
  }
}

/* Pool below its minimum while connected: it is refilling after discarding connections. */
static int refilling(const srv_pool_stats *st) {
  return st->db_connected && st->size < st->min_size;
}

/* A ping older than this no longer describes the database (every connection has been busy,
 * so none could be pinged; the queries themselves show it answers). */
#define PING_STALE_MS 10000

static double ping_ms(const srv_pool_stats *st) {
  if (st->last_ping_ms < 0) return 0.0;
  if (st->last_ping_wall_ms > 0 && srv_wall_ms() - st->last_ping_wall_ms > PING_STALE_MS)
    return 0.0;
  return st->last_ping_ms;
}

srv_health_status srv_health_evaluate(const srv_pool_stats *st) {
  double ping = ping_ms(st);
  mdl_health_status s =
      mdl_health_classify(st->db_connected != 0, ping, st->utilization_percent, st->waiting > 0);
  if (s == MDL_HEALTH_HEALTHY && refilling(st)) s = MDL_HEALTH_DEGRADED;
  return s == MDL_HEALTH_HEALTHY    ? SRV_HEALTHY
         : s == MDL_HEALTH_DEGRADED ? SRV_DEGRADED
                                    : SRV_UNHEALTHY;
}

static void detail(mdl_health *h, const char *key, const char *fmt, double v, int *bad) {
  char buf[64];
  mdl_err me;
  snprintf(buf, sizeof buf, fmt, v);
  if (mdl_strmap_set(&h->details, key, buf, &me) != MDL_OK) *bad = 1;
}

srv_code srv_health_from_stats(const srv_pool_stats *st, double uptime_s, cJSON **out,
                               int *http_status, srv_err *err) {
  mdl_health h;
  mdl_err me;
  srv_code rc = SRV_OK;
  int bad = 0;
  memset(&h, 0, sizeof h);
  *out = NULL;
  srv_health_status s = srv_health_evaluate(st);
  h.status = s == SRV_HEALTHY    ? MDL_HEALTH_HEALTHY
             : s == SRV_DEGRADED ? MDL_HEALTH_DEGRADED
                                 : MDL_HEALTH_UNHEALTHY;
  mdl_time_now(h.timestamp);
  if (!st->db_connected) {
    h.database_status = MDL_DB_DISCONNECTED;
  } else if (ping_ms(st) >= 50.0 || refilling(st)) {
    h.database_status = MDL_DB_DEGRADED;
  } else {
    h.database_status = MDL_DB_CONNECTED;
  }
  h.connection_pool.size = st->size;
  h.connection_pool.min_size = st->min_size;
  h.connection_pool.max_size = st->max_size;
  h.connection_pool.free = st->free;
  h.uptime_seconds = uptime_s < 0 ? 0 : uptime_s;
  detail(&h, "last_ping_ms", "%.3f", st->last_ping_ms, &bad);
  detail(&h, "in_use", "%.0f", (double)st->in_use, &bad);
  detail(&h, "waiting", "%.0f", (double)st->waiting, &bad);
  detail(&h, "pool_exhaustion_percent", "%.2f", st->utilization_percent, &bad);
  detail(&h, "total_timeouts", "%.0f", (double)st->total_timeouts, &bad);
  if (!st->db_connected && st->db_lost_wall_ms > 0) {
    char t[MDL_TIME_LEN];
    mdl_time_format(st->db_lost_wall_ms * 1000, t);
    if (mdl_strmap_set(&h.details, "database_lost_at", t, &me) != MDL_OK) bad = 1;
  }
  if (bad) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory building the health response");
    goto cleanup;
  }
  if (mdl_health_validate(&h, &me) != MDL_OK) {
    rc = srv_err_set(err, SRV_EINTERNAL, "health response invalid at %s: %s", me.field, me.msg);
    goto cleanup;
  }
  *out = mdl_health_to_json(&h);
  if (*out == NULL) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory building the health response");
    goto cleanup;
  }
  *http_status = s == SRV_UNHEALTHY ? 503 : 200;
cleanup:
  mdl_health_free(&h);
  return rc;
}

srv_code srv_health_render(const srv_pool *pool, double uptime_s, cJSON **out, int *http_status,
                           srv_err *err) {
  srv_pool_stats st;
  srv_pool_stats_get(pool, &st);
  return srv_health_from_stats(&st, uptime_s, out, http_status, err);
}
