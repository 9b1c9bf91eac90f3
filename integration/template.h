/* template.h — `{{...}}` substitution in scenario steps: values of earlier responses and of the
 * run.
 *
 * Expressions: `steps.N.<path>` (the response view of workflow step N, see runner.h; path as in
 * jpath.h, e.g. `{{steps.2.body.results[0].chunk_id}}`), `setup.N.<path>` (setup step N),
 * `project` (this run's project id, unique per run: lower case letters, digits and '-', valid in
 * both servers), `project_b` (a second one, for isolation), `work_dir` (this run's private
 * directory, where fixtures are copied), `client` (the client number inside a `concurrent` step,
 * else 0), `uuid` (a fresh random UUID at each use). A JSON string that is exactly one expression
 * becomes the value itself (a number stays a number, an object an object); elsewhere the value is
 * spliced in as text (strings raw, other values as compact JSON). A reference to a step that has
 * not run, or a path that does not exist, is an error naming the expression. */
#ifndef ITG_TEMPLATE_H
#define ITG_TEMPLATE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct itg_ctx {
  const char *project;   /* e.g. "it-quickstart-3f9a1c" */
  const char *project_b; /* project + "-b" */
  const char *work_dir;  /* absolute path, no trailing '/' */
  int client;            /* 0, or the client number (1..n) in a concurrent flow */
  const cJSON *setup;    /* array of views of the setup steps run so far (index = number - 1) */
  const cJSON *steps;    /* the same for the workflow steps */
} itg_ctx;

/* text with every `{{expr}}` replaced. New string (free()), or NULL with why filled. */
char *itg_render_text(const itg_ctx *ctx, const char *text, char *why, size_t why_n);

/* A deep copy of in with every string rendered (see above). New cJSON, or NULL with why filled.
 * in may be NULL (=> a JSON null). */
cJSON *itg_render_json(const itg_ctx *ctx, const cJSON *in, char *why, size_t why_n);

#ifdef __cplusplus
}
#endif

#endif /* ITG_TEMPLATE_H */
