/* jpath.h — the path language of scenario templates and assertions: where a value sits in a step's
 * response view.
 *
 * A path is dot-separated names, each optionally followed by indexes: `body.results[0].chunk_id`,
 * `headers.mcp-session-id`, `body.work_items[*].project_id`. `[n]` picks element n of an array
 * (0-based; `[-1]` is the last), `[*]` every element (the path then has several matches). Names
 * are any characters but '.', '[' and ']'. An empty path is the root itself. */
#ifndef ITG_JPATH_H
#define ITG_JPATH_H

#include <cjson/cJSON.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ITG_JPATH_MAX_MATCHES 4096

/* Finds the values at path under root. On success returns 0 and *out (caller frees with free())
 * holds *n pointers into root (*n may be 0 when a [*] meets an empty array). When a name or index
 * does not exist, returns -1 with a sentence in why[why_n] naming the first missing segment
 * ("body.results[3] does not exist (results has 2 elements)"); a malformed path returns -2. */
int itg_jpath_find(const cJSON *root, const char *path, const cJSON ***out, size_t *n, char *why,
                   size_t why_n);

/* The single value at path (the first match), or NULL when absent or malformed (why filled). */
const cJSON *itg_jpath_get(const cJSON *root, const char *path, char *why, size_t why_n);

#ifdef __cplusplus
}
#endif

#endif /* ITG_JPATH_H */
