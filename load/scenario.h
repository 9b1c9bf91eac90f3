/* scenario.h — a load scenario: weighted flows of HTTP requests, values carried within an
 * iteration.
 *
 * JSON (a file given to `loadgen --scenario`, or built by a profile):
 *   {"name": "codebase-mix",                      non-empty
 *    "values": {"query": ["parse invoice", ...]}, optional: name -> non-empty array of strings;
 *                                                 ${query} picks one at random per iteration
 *    "flows": [                                   1..LD_MAX_FLOWS
 *      {"name": "create_get", "weight": 20,       weight > 0 (relative share of iterations)
 *       "steps": [                                1..LD_MAX_STEPS, run in order, one request each
 *         {"name": "create", "method": "POST", "path": "/mcp/work_items",
 *          "body": {...} or "text",              optional; sent with Content-Type: application/json
 *          "extract": {"item_id": "id"}},        optional: variable <- dotted path in the answer
 *         {"name": "get", "method": "GET", "path": "/mcp/work_items/${item_id}"}]}]}
 * Templates: ${name} in path and body is replaced by the iteration's value of `name`: an extracted
 * value, else a value picked from "values" (the same for the whole iteration), else the built-ins
 * ${vu} (VU number), ${iter} (iteration number of that VU), ${rand} (random 32-bit number).
 * Inside a body the value is JSON-escaped; inside a path it is percent-encoded. An unknown name is
 * a parse error, found when the scenario is loaded, not during the run.
 * A request is successful when its status is 2xx/3xx and every extract found a string or number.
 * Ownership: ld_scenario_parse returns a new object; ld_scenario_free releases it. Immutable after
 * parsing, so every thread of a run shares one. */
#ifndef LD_SCENARIO_H
#define LD_SCENARIO_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "load/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LD_MAX_FLOWS 32
#define LD_MAX_STEPS 8
#define LD_MAX_VARS 32
#define LD_MAX_EXTRACT 4
#define LD_NAME_LEN 64

typedef struct ld_extract {
  int var;        /* index into scenario vars */
  char path[128]; /* dotted path, numbers index arrays: "results.0.chunk_id" */
} ld_extract;

typedef struct ld_step {
  char name[LD_NAME_LEN]; /* request name in the results ("search", "create") */
  char method[8];
  char *path; /* template, owned */
  char *body; /* template, owned; NULL: no body */
  ld_extract extract[LD_MAX_EXTRACT];
  int nextract;
  int id; /* index of this request name among the scenario's distinct names */
} ld_step;

typedef struct ld_flow {
  char name[LD_NAME_LEN];
  double weight;
  ld_step steps[LD_MAX_STEPS];
  int nsteps;
} ld_flow;

typedef struct ld_var {
  char name[LD_NAME_LEN];
  char **values; /* owned; NULL for extracted-only and built-in variables */
  int nvalues;
  int builtin; /* 1 vu, 2 iter, 3 rand, 0 otherwise */
} ld_var;

typedef struct ld_scenario {
  char name[LD_NAME_LEN];
  ld_flow flows[LD_MAX_FLOWS];
  int nflows;
  double total_weight;
  ld_var vars[LD_MAX_VARS];
  int nvars;
  char request_names[LD_MAX_FLOWS * LD_MAX_STEPS][LD_NAME_LEN]; /* distinct step names */
  int nrequests;
} ld_scenario;

/* Parses and checks a scenario; errors name the place ("flows[1].steps[0].path: unknown variable
 * ${item}"). LD_EINVAL on a bad scenario, LD_ENOMEM. */
int ld_scenario_parse(const cJSON *json, ld_scenario **out, ld_err *err);

/* Reads and parses a file. LD_EIO when it cannot be read, LD_EINVAL when it is not valid. */
int ld_scenario_load(const char *path, ld_scenario **out, ld_err *err);

/* Index of the flow for a uniform draw u in [0, 1). */
int ld_scenario_pick(const ld_scenario *s, double u);

/* Expands template t with the per-iteration values vals[var] (NULL: not yet set). json_escape: 1
 * for a body, 0 for a path (percent-encoding). Returns a new string (caller frees), or NULL when
 * a variable has no value (*missing gets its index) or on out of memory (*missing = -1). */
char *ld_template_expand(const ld_scenario *s, const char *t, char *const *vals, int json_escape,
                         int *missing);

/* The value at a dotted path of json as a new string (strings as is, numbers printed), or NULL. */
char *ld_json_path_string(const cJSON *json, const char *path);

void ld_scenario_free(ld_scenario *s);

#ifdef __cplusplus
}
#endif

#endif /* LD_SCENARIO_H */
