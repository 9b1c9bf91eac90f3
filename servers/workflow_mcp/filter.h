/* filter.h — compiles a query_entities `filter` (JSON) into parameterised SQL on a jsonb column.
 *
 * Syntax (WF_FILTER_DOC says the same for the tool's schema description):
 *   - A plain JSON object is matched by JSONB containment: {"status": "open", "owner": {"team":
 *     "core"}} selects rows whose data contains those keys with those values (arrays in the
 *     filter must be subsets of the arrays in the data). Served by the GIN (jsonb_path_ops) index.
 *   - Where a value is an object whose keys all start with '$', it is a list of comparisons on
 *     that path instead: {"amount": {"$gte": 100, "$lt": 500}, "owner": {"name": {"$ne": "bob"}}}.
 *     Operators: $eq, $ne (any JSON value), $gt, $gte, $lt, $lte (a number compares with numbers,
 *     a string with strings; values of another JSON type do not match), $in (an array of
 *     candidates), $exists (true / false). A scalar $eq joins the containment document, so it uses
 *     the index too.
 *   - Mixing operators and field names in one object is an error, as is an unknown operator.
 * Values never enter the SQL text; each becomes a "$n" parameter of the wf_sql. Depth of paths is
 * limited to WF_FILTER_MAX_DEPTH, comparisons to WF_FILTER_MAX_CONDS. Stateless; thread-safe. */
#ifndef WF_FILTER_H
#define WF_FILTER_H

#include <cjson/cJSON.h>

#include "servers/common/error.h"
#include "servers/workflow_mcp/sqlbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WF_FILTER_MAX_DEPTH 16
#define WF_FILTER_MAX_CONDS 32

/* (Single quotes in the text: it is embedded in a JSON schema string without escaping.) */
#define WF_FILTER_DOC                                                                        \
  "JSONB filter on the entity data. A plain object matches by containment "                  \
  "({'status': 'open'} selects entities whose data has status 'open'; nested objects and "   \
  "arrays match as subsets). An object whose keys all start with '$' compares the value at " \
  "that path: {'amount': {'$gte': 100, '$lt': 500}}, {'owner': {'name': {'$ne': 'bob'}}}. "  \
  "Operators: $eq, $ne, $gt, $gte, $lt, $lte (numbers with numbers, strings with strings), " \
  "$in (array of candidates), $exists (boolean). All conditions must hold."

/* Appends " AND (<condition>)" to sql for every condition of filter, on jsonb column `column`
 * (an SQL identifier chosen by the caller, never user input). filter may be NULL or an empty
 * object (nothing appended). Returns SRV_OK, or SRV_EINVAL with a message naming the filter path
 * and what to change (e.g. "filter.amount.$gte must be a number or a string (got true)"); on
 * failure sql may hold a partial condition and must be discarded by the caller. */
srv_code wf_filter_compile(const cJSON *filter, const char *column, wf_sql *sql, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* WF_FILTER_H */
