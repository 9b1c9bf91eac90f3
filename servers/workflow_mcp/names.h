/* names.h — checks of the identifiers and short texts workflow-mcp accepts from callers.
 *
 * Owns the rules (lengths, characters) for project names, entity type names, work item titles
 * and statuses, chunk ids in entity_references and UUID arguments. Each check names the argument
 * and the rule in its message. The JSON schemas of the tools repeat the simple limits so MCP
 * clients see them; these functions are the authority. Stateless; thread-safe. */
#ifndef WF_NAMES_H
#define WF_NAMES_H

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WF_PROJECT_NAME_MAX 100 /* characters (UTF-8 code points) */
#define WF_TYPE_NAME_MAX 63     /* bytes; ASCII only */
#define WF_TITLE_MAX 500        /* characters */
#define WF_STATUS_MAX 50        /* bytes; ASCII only */
#define WF_CHUNK_ID_MAX 100     /* bytes (codebase-mcp accepts ids up to 100) */
#define WF_MAX_REFERENCES 100   /* entity_references per work item */
#define WF_MAX_TAGS 50          /* tags per entity */
#define WF_TAG_MAX 100          /* characters per tag */

/* A project name: 1..WF_PROJECT_NAME_MAX characters of valid UTF-8, no control characters, not
 * starting or ending with a space. SRV_EINVAL naming `what` otherwise. */
srv_code wf_check_project_name(const char *what, const char *s, srv_err *err);

/* An entity type name: a letter, then letters, digits, '_', '-' or '.', at most
 * WF_TYPE_NAME_MAX bytes (e.g. "invoice", "vendor.contact"). */
srv_code wf_check_type_name(const char *what, const char *s, srv_err *err);

/* A work item title or a tag: 1..max characters of valid UTF-8 without control characters and
 * not only spaces. */
srv_code wf_check_text(const char *what, const char *s, int max, srv_err *err);

/* A work item status: 1..WF_STATUS_MAX bytes of lowercase letters, digits, '_' or '-'
 * ("active", "in_progress", "done"). */
srv_code wf_check_status(const char *what, const char *s, srv_err *err);

/* A chunk id from codebase-mcp: 1..WF_CHUNK_ID_MAX printable ASCII bytes without spaces. */
srv_code wf_check_chunk_id(const char *what, const char *s, srv_err *err);

/* A UUID in canonical 8-4-4-4-12 hex form. */
srv_code wf_check_uuid(const char *what, const char *s, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* WF_NAMES_H */
