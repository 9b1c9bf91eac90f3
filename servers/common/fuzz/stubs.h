/* stubs.h — inert stand-ins for what a fuzz target links around: the database pool, the metrics
 * of requests and tools. Included by exactly one file per fuzz binary. */
#ifndef SRV_FUZZ_STUBS_H
#define SRV_FUZZ_STUBS_H

#include "servers/common/db.h"
#include "servers/common/request.h"

srv_code srv_db_run(srv_pool *pool, int64_t deadline_mono_ms, srv_db_fn fn, void *arg,
                    int retry_safe, srv_err *err) {
  return srv_err_set(err, SRV_EUNAVAIL, "no database in the fuzzer");
}

void srv_observe_tool(const char *tool, srv_code code, int64_t latency_us) {}

srv_op_metrics *srv_request_op(const char *route) {
  return NULL;
}

void srv_request_observe(srv_op_metrics *op, const srv_request_done *d) {}

#endif
