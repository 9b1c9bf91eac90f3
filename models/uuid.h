/* uuid.h — UUID text validation and random (version 4) UUID generation.
 *
 * Records carry ids as 36-character text "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex, either case
 * on input; the records store and print lower case). Any version is accepted; generation makes v4
 * from getrandom(2). Servers reuse these for request ids. */
#ifndef MDL_UUID_H
#define MDL_UUID_H

#include <stdbool.h>

#include "models/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDL_UUID_LEN 37 /* buffer size: 36 characters + NUL */

/* True if s is exactly 36 characters in the 8-4-4-4-12 hex form. s may be NULL (=> false). */
bool mdl_uuid_valid(const char *s);

/* Copies a valid UUID s into out in lower case. Returns MDL_ERANGE (field "") if s is not valid. */
mdl_code mdl_uuid_canonical(const char *s, char out[MDL_UUID_LEN], mdl_err *err);

/* Writes a new random version-4 UUID (lower case) into out. Fails with MDL_EIO only if the kernel's
 * random source cannot be read. */
mdl_code mdl_uuid_v4(char out[MDL_UUID_LEN], mdl_err *err);

/* The one formatter: writes the 16 bytes as the 36-character lower-case text form into out, as
 * they are (any version). Never fails. */
void mdl_uuid_format(const unsigned char bytes[16], char out[MDL_UUID_LEN]);

/* The one parser: the 16 bytes of a valid UUID text s (mdl_uuid_valid, either case) into out.
 * Returns false, with out unspecified, when s is not valid. */
bool mdl_uuid_parse(const char *s, unsigned char out[16]);

/* The v4 formatter: writes the version-4 UUID made of 16 random bytes (their version and
 * variant bits overwritten) into out, lower case. For callers with their own random source (the
 * servers' per-thread request-id generator); never fails. */
void mdl_uuid_v4_format(const unsigned char bytes[16], char out[MDL_UUID_LEN]);

#ifdef __cplusplus
}
#endif

#endif /* MDL_UUID_H */
