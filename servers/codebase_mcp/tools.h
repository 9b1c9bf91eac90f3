/* tools.h — codebase-mcp's tools and routes, declared once and served by MCP and REST through
 * the common registry, and the server definition main() runs.
 *
 *   start_indexing_background {repo_path, project_id?, force_reindex?}
 *       -> {job_id, status, project_id, repo_path}            (immediately; the job runs on)
 *   get_indexing_status {job_id}
 *       -> {job_id, status: pending|running|completed|failed, project_id, repo_path, files_total,
 *           files_indexed, files_skipped, files_unchanged, files_rejected, files_deleted,
 *           chunks_created, percent, elapsed_ms, eta_ms, warnings, error?}
 *   search_code {query, project_id?, limit? (1-50, default 10), language?, file_path_prefix?}
 *       -> {results: [{chunk_id, project_id, file_path, start_line, end_line, language, symbol,
 *           kind, content, score, snippet, snippet_start_line, context_before, context_after}],
 *           total_count, total_count_capped? (only when true), project_id, latency_ms,
 *           match_mode}
 *   get_chunks {chunk_ids: [...]} or {id}
 *       -> {found: [chunk objects as in results, without score/snippet], missing: [ids]}
 *
 * REST aliases: POST /mcp/search -> search_code, GET /mcp/chunks/{id} -> get_chunks (404 when the
 * chunk does not exist), GET /mcp/jobs/{job_id} -> get_indexing_status.
 * Environment read besides the common settings (config.h): CODEBASE_INDEX_THREADS (workers per
 * job, default 2), CODEBASE_MAX_FILE_BYTES (size cap, default 1048576), CODEBASE_SEARCH_ENGINE
 * (memory | gin | rum, default memory; see search.h: each start-up makes the database's full-text
 * index the engine's own), CODEBASE_SEARCH_PREPARED (0 | 1, default 1: search statements
 * prepared per connection) and CODEBASE_SEARCH_RANK_CAP (gin: chunks ranked per query at most,
 * 0 = every match; at least 50 when set) and CODEBASE_SEARCH_EXACT_COUNT (0 | 1, default 1; 0:
 * where candidates are bounded, total_count counts at most the bound, and the answer then has
 * total_count_capped: true) and CODEBASE_MEMIDX_MAX_MB (memory: MB of indexes kept, least
 * recently searched projects dropped beyond it, default 256, 0 = no limit; memstore.h). A bad
 * value fails the start-up naming the variable. */
#ifndef CB_TOOLS_H
#define CB_TOOLS_H

#include "servers/common/app.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The codebase-mcp server: name, port 8020, pool 5/20, migrations, tools, routes, hooks. */
srv_app_def cb_app_definition(void);

#ifdef __cplusplus
}
#endif

#endif /* CB_TOOLS_H */
