/* workgen.h — deterministic workflow data for workflow-mcp tests (US1 entity query, US2).
 *
 * Produces, from a seed, the arguments of the workflow-mcp tool calls that build the data set:
 * 5 projects, 3 entity types (vendor, invoice, ticket: nested objects, arrays, enums, numbers,
 * dates, tags) registered in every project, 1,000 entities spread over the projects, and 10-20
 * work items per project (a hierarchy: some items name a parent by index), some referencing chunk
 * ids supplied by the caller. Nothing here talks to a server. */
#ifndef TST_WORKGEN_H
#define TST_WORKGEN_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "testing/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_workgen_opts {
  uint64_t seed;
  int projects;                 /* <= 0: 5 */
  int entities;                 /* total over all projects; <= 0: 1000 */
  int min_items, max_items;     /* work items per project; <= 0: 10 and 20 */
  const char *const *chunk_ids; /* chunk ids work items may reference; may be NULL */
  size_t n_chunk_ids;
  double reference_ratio; /* share of work items with entity_references; <= 0: 0.3 */
} tst_workgen_opts;

/* Generates the data set. *out (caller frees with cJSON_Delete) is:
 *
 *   { "seed": S,
 *     "entity_types": [ {"name": "vendor", "schema": {...JSON Schema...}}, ... ],
 *     "projects": [
 *       { "project":    { "name": "...", "description": "..." },      // create_project args
 *         "entities":   [ { "entity_type": "vendor", "data": {...}, "tags": [...] }, ... ],
 *         "work_items": [ { "args": { "title", "item_type", "status", "metadata",
 *                                     "entity_references"? },            // create_work_item args
 *                           "parent_index": k? }, ... ] } ] }            // k < own index
 *
 * entity_types are the register_entity_type args (register them in every project). A work item
 * with "parent_index" must get args.parent_id = id of work_items[k] of the same project.
 * Entities per project differ (at least 1 each when entities >= projects). Fails with TST_EINVAL
 * on bad options. */
int tst_workgen_generate(const tst_workgen_opts *o, cJSON **out, tst_err *err);

#ifdef __cplusplus
}
#endif

#endif /* TST_WORKGEN_H */
