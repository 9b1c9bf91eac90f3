/* health_response.c — HealthCheckResponse / ConnectionPoolStats parse, validate, serialise,
 * classify. */
#include "models/health_response.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "models/json_field.h"
#include "models/stats.h"

static const char *const k_status[MDL_HEALTH_COUNT] = {"healthy", "degraded", "unhealthy"};
static const char *const k_db[MDL_DB_COUNT] = {"connected", "disconnected", "degraded"};

const char *mdl_health_status_name(mdl_health_status s) {
  return (int)s >= 0 && s < MDL_HEALTH_COUNT ? k_status[s] : "?";
}

bool mdl_health_status_parse(const char *name, mdl_health_status *out) {
  for (int i = 0; name != NULL && i < MDL_HEALTH_COUNT; i++) {
    if (strcmp(name, k_status[i]) == 0) {
      *out = (mdl_health_status)i;
      return true;
    }
  }
  return false;
}

const char *mdl_db_status_name(mdl_db_status s) {
  return (int)s >= 0 && s < MDL_DB_COUNT ? k_db[s] : "?";
}

bool mdl_db_status_parse(const char *name, mdl_db_status *out) {
  for (int i = 0; name != NULL && i < MDL_DB_COUNT; i++) {
    if (strcmp(name, k_db[i]) == 0) {
      *out = (mdl_db_status)i;
      return true;
    }
  }
  return false;
}

double mdl_pool_utilization_percent(const mdl_pool_stats *p) {
  assert(p != NULL);
  if (p->size <= 0) return 0.0;
  return (double)(p->size - p->free) / (double)p->size * 100.0;
}

mdl_health_status mdl_health_classify(bool db_reachable, double ping_ms,
                                      double pool_utilization_percent, bool slow_queries) {
  if (!db_reachable || pool_utilization_percent > 95.0) return MDL_HEALTH_UNHEALTHY;
  if (ping_ms >= 50.0 || pool_utilization_percent >= 80.0 || slow_queries)
    return MDL_HEALTH_DEGRADED;
  return MDL_HEALTH_HEALTHY;
}

static mdl_code int_ge(int64_t v, int64_t min, const char *path, const char *key, mdl_err *err) {
  if (v >= min) return MDL_OK;
  return mdl_err_set(err, MDL_ERANGE, path, "%s must be >= %lld (got %lld)", key, (long long)min,
                     (long long)v);
}

static mdl_code pool_validate(const mdl_pool_stats *p, mdl_db_status db, mdl_err *err) {
  mdl_code rc = MDL_OK;
  MDL_TRY(int_ge(p->size, 0, "connection_pool.size", "size", err));
  MDL_TRY(int_ge(p->min_size, 0, "connection_pool.min_size", "min_size", err));
  MDL_TRY(int_ge(p->max_size, 1, "connection_pool.max_size", "max_size", err));
  MDL_TRY(int_ge(p->free, 0, "connection_pool.free", "free", err));
  if (p->free > p->size) {
    rc = mdl_err_set(err, MDL_ERULE, "connection_pool.free",
                     "free must be <= size (got %lld > %lld)", (long long)p->free,
                     (long long)p->size);
    goto cleanup;
  }
  if (p->min_size > p->max_size) {
    rc = mdl_err_set(err, MDL_ERULE, "connection_pool.max_size",
                     "max_size must be >= min_size (got %lld < %lld)", (long long)p->max_size,
                     (long long)p->min_size);
    goto cleanup;
  }
  if (db == MDL_DB_CONNECTED && p->size < p->min_size) {
    rc = mdl_err_set(err, MDL_ERULE, "connection_pool.size",
                     "size must be >= min_size when database_status is connected (got %lld < %lld)",
                     (long long)p->size, (long long)p->min_size);
    goto cleanup;
  }
  if (db == MDL_DB_CONNECTED && p->size > p->max_size) {
    rc = mdl_err_set(err, MDL_ERULE, "connection_pool.size",
                     "size must be <= max_size when database_status is connected (got %lld > %lld)",
                     (long long)p->size, (long long)p->max_size);
    goto cleanup;
  }
cleanup:
  return rc;
}

mdl_code mdl_health_validate(const mdl_health *h, mdl_err *err) {
  assert(h != NULL);
  mdl_code rc = MDL_OK;
  int64_t us;
  if ((int)h->status < 0 || h->status >= MDL_HEALTH_COUNT) {
    rc = mdl_err_set(err, MDL_EENUM, "status",
                     "status must be one of \"healthy\", \"degraded\", \"unhealthy\"");
    goto cleanup;
  }
  if (mdl_time_parse(h->timestamp, &us, NULL) != MDL_OK) {
    rc = mdl_err_set(err, MDL_ERANGE, "timestamp",
                     "timestamp must be an ISO 8601 UTC time like 2025-10-13T10:30:00Z");
    goto cleanup;
  }
  if ((int)h->database_status < 0 || h->database_status >= MDL_DB_COUNT) {
    rc =
        mdl_err_set(err, MDL_EENUM, "database_status",
                    "database_status must be one of \"connected\", \"disconnected\", \"degraded\"");
    goto cleanup;
  }
  MDL_TRY(pool_validate(&h->connection_pool, h->database_status, err));
  MDL_TRY(mdl_jf_check_ge(h->uptime_seconds, 0, "uptime_seconds", err));
  if (h->database_status == MDL_DB_DISCONNECTED && h->status != MDL_HEALTH_UNHEALTHY) {
    rc = mdl_err_set(err, MDL_ERULE, "status",
                     "status must be unhealthy when database_status is disconnected (got %s)",
                     mdl_health_status_name(h->status));
    goto cleanup;
  }
cleanup:
  return rc;
}

mdl_code mdl_health_from_json(const cJSON *json, mdl_health *out, mdl_err *err) {
  assert(out != NULL);
  mdl_code rc = MDL_OK;
  int e = 0;
  const cJSON *pool = NULL;
  double util = 0.0;
  bool have_util = false;
  memset(out, 0, sizeof *out);
  MDL_TRY(mdl_jf_expect_object(json, "", err));
  MDL_TRY(mdl_jf_enum(json, "", "status", true, k_status, MDL_HEALTH_COUNT, &e, NULL, err));
  out->status = (mdl_health_status)e;
  MDL_TRY(mdl_jf_time(json, "", "timestamp", true, out->timestamp, NULL, err));
  MDL_TRY(mdl_jf_enum(json, "", "database_status", true, k_db, MDL_DB_COUNT, &e, NULL, err));
  out->database_status = (mdl_db_status)e;
  MDL_TRY(mdl_jf_object(json, "", "connection_pool", true, &pool, NULL, err));
  MDL_TRY(mdl_jf_int(pool, "connection_pool", "size", true, &out->connection_pool.size, NULL, err));
  MDL_TRY(mdl_jf_int(pool, "connection_pool", "min_size", true, &out->connection_pool.min_size,
                     NULL, err));
  MDL_TRY(mdl_jf_int(pool, "connection_pool", "max_size", true, &out->connection_pool.max_size,
                     NULL, err));
  MDL_TRY(mdl_jf_int(pool, "connection_pool", "free", true, &out->connection_pool.free, NULL, err));
  MDL_TRY(
      mdl_jf_number(pool, "connection_pool", "utilization_percent", false, &util, &have_util, err));
  MDL_TRY(mdl_jf_number(json, "", "uptime_seconds", true, &out->uptime_seconds, NULL, err));
  MDL_TRY(mdl_jf_strmap(json, "", "details", &out->details, err));
  MDL_TRY(mdl_health_validate(out, err));
  if (have_util) {
    double want = mdl_round2(mdl_pool_utilization_percent(&out->connection_pool));
    if (mdl_round2(util) != want) {
      rc = mdl_err_set(err, MDL_ERULE, "connection_pool.utilization_percent",
                       "utilization_percent must equal (size - free) / size * 100 = %.2f (got %g)",
                       want, util);
      goto cleanup;
    }
  }
cleanup:
  if (rc != MDL_OK) mdl_health_free(out);
  return rc;
}

cJSON *mdl_health_to_json(const mdl_health *h) {
  assert(h != NULL);
  cJSON *o = cJSON_CreateObject();
  cJSON *pool = NULL;
  bool ok = o != NULL;
  ok = ok && mdl_jf_add_string(o, "status", mdl_health_status_name(h->status));
  ok = ok && mdl_jf_add_string(o, "timestamp", h->timestamp);
  ok = ok && mdl_jf_add_string(o, "database_status", mdl_db_status_name(h->database_status));
  pool = ok ? cJSON_CreateObject() : NULL;
  ok = ok && mdl_jf_add_item(o, "connection_pool", pool);
  ok = ok && mdl_jf_add_int(pool, "size", h->connection_pool.size);
  ok = ok && mdl_jf_add_int(pool, "min_size", h->connection_pool.min_size);
  ok = ok && mdl_jf_add_int(pool, "max_size", h->connection_pool.max_size);
  ok = ok && mdl_jf_add_int(pool, "free", h->connection_pool.free);
  ok = ok && mdl_jf_add_round2(pool, "utilization_percent",
                               mdl_pool_utilization_percent(&h->connection_pool));
  ok = ok && mdl_jf_add_number(o, "uptime_seconds", h->uptime_seconds);
  if (h->details.count > 0)
    ok = ok && mdl_jf_add_item(o, "details", mdl_jf_strmap_to_json(&h->details));
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void mdl_health_free(mdl_health *h) {
  if (h == NULL) return;
  mdl_strmap_free(&h->details);
  memset(h, 0, sizeof *h);
}
