/* coderefs.h — asks codebase-mcp which referenced code chunks still exist.
 *
 * One batched call per check: POST <base>/mcp/get_chunks {"chunk_ids": [...], "project_id"}
 * answered by {"found": [...], "missing": [...], "missing_details": [...]} (entries are chunk id
 * strings or objects with "chunk_id"). libcurl easy handles are kept per thread (a pthread key;
 * freed when the thread exits) so the connection to codebase-mcp stays alive between calls
 * (keep-alive, no DNS or TCP setup on the hot path). Every call is bounded by
 * WF_CODEREFS_TIMEOUT_MS in total and by the caller's deadline. codebase-mcp being down, slow or
 * answering garbage is a normal outcome (SRV_EUNAVAIL / SRV_ETIMEOUT with a readable message),
 * never a crash or a hang. Thread-safe after creation. */
#ifndef WF_CODEREFS_H
#define WF_CODEREFS_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WF_CODEREFS_TIMEOUT_MS 500 /* whole request, connect included */
#define WF_CODEREFS_CONNECT_TIMEOUT_MS 200

typedef struct wf_coderefs wf_coderefs;

/* Creates a client for codebase-mcp at base_url (e.g. "http://127.0.0.1:8020"; a trailing '/'
 * is ignored). Calls curl_global_init, so call it before other threads use libcurl.
 * SRV_EINVAL if base_url is empty or not http(s); the caller owns *out (wf_coderefs_free). */
srv_code wf_coderefs_new(const char *base_url, wf_coderefs **out, srv_err *err);

/* Frees the client (the calling thread's handle too). Other threads must have stopped using it. */
void wf_coderefs_free(wf_coderefs *c);

/* The base URL the client calls (owned by c). */
const char *wf_coderefs_url(const wf_coderefs *c);

/* Asks which of ids[0..n) (n >= 1) exist in codebase-mcp project code_project (sent as
 * "project_id"; NULL: not sent, codebase-mcp then uses its "default"). On SRV_OK *missing is a new
 * cJSON array (caller owns) of the ids codebase-mcp reports missing, in the order of ids, and, if
 * details is not NULL, *details a new array (caller owns) with one object per missing id in the
 * same order: the entry of codebase-mcp's "missing_details" for it ({chunk_id, reason, file_path,
 * symbol, kind, likely_successor, ...}), or {chunk_id, reason: "unknown"} when codebase-mcp sent
 * none. Failures, *missing (and *details) = NULL:
 *   SRV_ETIMEOUT  no complete answer within min(WF_CODEREFS_TIMEOUT_MS, deadline)
 *   SRV_EUNAVAIL  connection refused / reset, HTTP status other than 200, or an answer without
 *                 "found"/"missing" arrays
 * with a message naming the URL and what happened. deadline_mono_ms <= 0 means no deadline. */
srv_code wf_coderefs_missing(wf_coderefs *c, const char *code_project, const char *const *ids,
                             int n, int64_t deadline_mono_ms, cJSON **missing, cJSON **details,
                             srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* WF_CODEREFS_H */
