/* promparse.h — a strict parser of the Prometheus text exposition format 0.0.4, so the US5
 * tests check what /metrics says with a parser of their own as well as with promtool.
 *
 * Accepted (the 0.0.4 grammar): lines end in '\n' (the last one too); empty lines are ignored;
 * "# HELP <name> <text>" (text escapes \\ and \n) and "# TYPE <name> <counter|gauge|histogram|
 * summary|untyped>" at most once per family, both before the family's first sample; other "#"
 * lines are comments; a sample is "<name>[{l="v",...}] <value>[ <timestamp ms>]" with label value
 * escapes \\ \" \n, values as Go's ParseFloat accepts them plus NaN / +Inf / -Inf.
 * Refused, each with the line number and the rule: a bad metric or label name, a label name used
 * twice in one sample or starting with "__", a family whose samples are not contiguous, HELP or
 * TYPE repeated or after a sample, the same series (name + label set) twice, a counter below 0 or
 * not finite, and for a histogram: a _bucket without le, le values not ascending or not numbers,
 * no le="+Inf", cumulative counts that go down, _count != the +Inf bucket, a missing _sum or
 * _count, or a sample name that is none of <family>_bucket / _sum / _count.
 * Allocation: everything the document owns is freed by obs_prom_free. Not thread-safe per object.
 */
#ifndef OBS_PROMPARSE_H
#define OBS_PROMPARSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum obs_code {
  OBS_OK = 0,
  OBS_EPARSE = 1, /* the text breaks a rule of the format (err names line and rule) */
  OBS_ENOMEM = 2, /* out of memory */
  OBS_ENOTFOUND = 3,
  OBS_ECODE_COUNT
} obs_code;

typedef struct obs_err {
  obs_code code;
  int line;      /* 1-based line of the text at fault; 0 when not about one line */
  char msg[512]; /* the rule that failed, as a sentence */
} obs_err;

typedef enum obs_prom_type {
  OBS_PROM_UNTYPED = 0,
  OBS_PROM_COUNTER,
  OBS_PROM_GAUGE,
  OBS_PROM_HISTOGRAM,
  OBS_PROM_SUMMARY
} obs_prom_type;

typedef struct obs_prom_label {
  char *name;  /* owned */
  char *value; /* owned, unescaped */
} obs_prom_label;

typedef struct obs_prom_sample {
  char *name; /* owned: the sample's own name (e.g. x_bucket for histogram x) */
  obs_prom_label *labels;
  size_t n_labels;
  double value;
  int has_timestamp;
  int64_t timestamp_ms;
  int line; /* where it was */
} obs_prom_sample;

typedef struct obs_prom_family {
  char *name; /* owned */
  char *help; /* owned, unescaped; NULL when no HELP */
  obs_prom_type type;
  int has_type; /* a # TYPE line was seen */
  obs_prom_sample *samples;
  size_t n_samples;
} obs_prom_family;

typedef struct obs_prom_doc {
  obs_prom_family *families;
  size_t n_families;
} obs_prom_doc;

/* Parses len bytes of text. On success *out holds every family in order (caller frees with
 * obs_prom_free). On failure *out is empty and err has the line and the rule. */
obs_code obs_prom_parse(const char *text, size_t len, obs_prom_doc *out, obs_err *err);

/* Frees what doc owns and zeroes it. Safe on a zeroed doc. */
void obs_prom_free(obs_prom_doc *doc);

/* The family named name, or NULL. */
const obs_prom_family *obs_prom_family_find(const obs_prom_doc *doc, const char *name);

/* The sample named sample_name whose labels include every pair of the NULL-terminated list
 * kv = {"name1", "value1", "name2", "value2", ..., NULL} (kv NULL: the first sample of that
 * name). NULL when none. */
const obs_prom_sample *obs_prom_sample_find(const obs_prom_doc *doc, const char *sample_name,
                                            const char *const *kv);

/* Value of a label of s, or NULL. */
const char *obs_prom_label_value(const obs_prom_sample *s, const char *name);

/* "counter", "gauge", ... */
const char *obs_prom_type_name(obs_prom_type t);

#ifdef __cplusplus
}
#endif

#endif /* OBS_PROMPARSE_H */
