/* pattern.h — schema `pattern`s whose cost is bounded, compiled once per process.
 *
 * A JSON Schema pattern comes from a user (register_entity_type) and goes to glibc's POSIX
 * regcomp, whose memory and time grow with the product of nested repetition bounds: a
 * 30-character pattern such as ((a{1,200}){1,200}){1,200} took 4 s and gigabytes. So before
 * regcomp sees it, a pattern must satisfy (each refusal is SRV_EINVAL with a message saying which
 * rule and how to fix it):
 *   - at most SRV_PATTERN_MAX_LEN (256) bytes;
 *   - repetition bounds {n}, {n,}, {n,m} of at most SRV_PATTERN_MAX_REPEAT (100);
 *   - no nested or stacked quantifiers: a quantified group may not contain a quantifier, and a
 *     quantifier may not follow another ("(a+)*", "(x{2}){3}", "a**");
 *   - no back-references (\1..\9), which make matching exponential;
 *   - an expanded size (each atom times the repetition bounds around it) of at most
 *     SRV_PATTERN_MAX_COST (2000) atoms.
 * Accepted patterns are compiled once and kept (up to SRV_PATTERN_CACHE entries; beyond that a
 * pattern is compiled per match, still at bounded cost). Thread-safe (one mutex around the cache;
 * glibc's regexec is itself thread-safe on a shared regex_t). */
#ifndef SRV_PATTERN_H
#define SRV_PATTERN_H

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRV_PATTERN_MAX_LEN 256
#define SRV_PATTERN_MAX_REPEAT 100
#define SRV_PATTERN_MAX_COST 2000
#define SRV_PATTERN_CACHE 1024

/* SRV_OK when pattern is within the limits above and compiles as a POSIX extended regular
 * expression; SRV_EINVAL otherwise, err naming `where` (e.g. "schema.properties.code.pattern"). */
srv_code srv_pattern_check(const char *pattern, const char *where, srv_err *err);

/* Matches s against pattern (checked as srv_pattern_check does, compiled once). *matched gets 1
 * or 0. SRV_EINVAL when the pattern is refused (message as above). */
srv_code srv_pattern_match(const char *pattern, const char *s, int *matched, const char *where,
                           srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SRV_PATTERN_H */
