/* integration_case.h — IntegrationTestCase and IntegrationTestStep: one cross-server scenario
 * (US2).
 *
 * JSON of a case (keys in this order when serialised):
 *   test_id (UUID), test_name (1-255 bytes), test_description (string, optional, default ""),
 *   required_servers (non-empty array of distinct server ids), setup_steps (array of steps,
 * optional, default []), workflow_steps (array of steps, >= 1), teardown_steps (optional, default
 * []), last_run_status ("pass" | "fail" | "skipped" | "not_run", optional, default "not_run"),
 *   last_run_timestamp (ISO 8601 UTC or null), last_run_error (string or null).
 * JSON of a step:
 *   step_number (integer; within each list 1, 2, 3, ...), server (a server id that is listed in the
 *   case's required_servers), action (non-empty string), api_call (object or null:
 *   {method: "GET"|"POST"|"PUT"|"PATCH"|"DELETE", endpoint: string starting with "/",
 *   payload: any JSON or null}), expected_response (any JSON or null), assertions (array of
 * strings, optional, default []). A gap in the numbering is reported on the first step out of
 * sequence, e.g. steps numbered 1, 3 => field "workflow_steps[1].step_number", "step_number must be
 * 2 (steps are numbered 1, 2, 3, ...)". Unknown keys are ignored. Ownership: every char * and cJSON
 * * member and every array is owned by the struct that holds it; mdl_integration_case_free releases
 * all of it. NULL char * members mean "absent" for the optional ones (test_description NULL prints
 * as ""). */
#ifndef MDL_INTEGRATION_CASE_H
#define MDL_INTEGRATION_CASE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/error.h"
#include "models/server_id.h"
#include "models/timestamp.h"
#include "models/uuid.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDL_TEST_NAME_MAX 255 /* bytes */

typedef enum mdl_run_status {
  MDL_RUN_NOT_RUN = 0, /* "not_run" (the default) */
  MDL_RUN_PASS = 1,    /* "pass" */
  MDL_RUN_FAIL = 2,    /* "fail" */
  MDL_RUN_SKIPPED = 3, /* "skipped" */
  MDL_RUN_COUNT
} mdl_run_status;

typedef struct mdl_api_call {
  char method[8]; /* "GET", "POST", "PUT", "PATCH" or "DELETE" */
  char *endpoint; /* owned; starts with "/" */
  cJSON *payload; /* owned; NULL when absent / null */
} mdl_api_call;

typedef struct mdl_integration_step {
  int64_t step_number;  /* 1-based, sequential within its list */
  mdl_server_id server; /* must be one of the case's required_servers */
  char *action;         /* owned, non-empty */
  bool has_api_call;    /* false => api_call is null */
  mdl_api_call api_call;
  cJSON *expected_response; /* owned; NULL when absent / null */
  char **assertions;        /* owned array of owned strings */
  size_t assertion_count;
} mdl_integration_step;

typedef struct mdl_step_list {
  mdl_integration_step *items; /* owned array */
  size_t count;
} mdl_step_list;

typedef struct mdl_integration_case {
  char test_id[MDL_UUID_LEN];
  char *test_name;        /* owned, 1-255 bytes */
  char *test_description; /* owned; NULL => "" */
  mdl_server_id required_servers[MDL_SERVER_COUNT];
  size_t required_server_count; /* 1..MDL_SERVER_COUNT, no duplicates */
  mdl_step_list setup_steps;
  mdl_step_list workflow_steps; /* count >= 1 */
  mdl_step_list teardown_steps;
  mdl_run_status last_run_status;
  bool has_last_run_timestamp;
  char last_run_timestamp[MDL_TIME_LEN];
  char *last_run_error; /* owned; NULL => null */
} mdl_integration_case;

const char *mdl_run_status_name(mdl_run_status s); /* "?" when out of range */
bool mdl_run_status_parse(const char *name, mdl_run_status *out);

/* Parses and validates a case. On failure: code, err (field path + rule), *out zeroed. On success
 * the caller owns *out (mdl_integration_case_free). */
mdl_code mdl_integration_case_from_json(const cJSON *json, mdl_integration_case *out, mdl_err *err);

/* Checks every rule above, including step numbering and step servers. */
mdl_code mdl_integration_case_validate(const mdl_integration_case *c, mdl_err *err);

/* Serialises c (does not validate). Caller owns the result. NULL only on out of memory. */
cJSON *mdl_integration_case_to_json(const mdl_integration_case *c);

/* Frees everything c owns and zeroes it. Safe on a zeroed struct; c may be NULL. */
void mdl_integration_case_free(mdl_integration_case *c);

/* Single steps (used by the runner to report on one step). prefix is the path prefix for error
 * fields ("workflow_steps[2]"; "" for none). from_json checks the step alone (step_number >= 1,
 * server known) — sequence and server membership are case rules. */
mdl_code mdl_integration_step_from_json(const cJSON *json, const char *prefix,
                                        mdl_integration_step *out, mdl_err *err);
cJSON *mdl_integration_step_to_json(const mdl_integration_step *s);
void mdl_integration_step_free(mdl_integration_step *s);

#ifdef __cplusplus
}
#endif

#endif /* MDL_INTEGRATION_CASE_H */
