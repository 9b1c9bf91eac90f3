/* uuid.h — random (version 4) UUIDs as lowercase 36-character strings, e.g. request ids.
 *
 * Uses getrandom(2); falls back to a per-thread xorshift seeded from time and thread id if the
 * kernel refuses (never fails). Thread-safe. */
#ifndef SRV_UUID_H
#define SRV_UUID_H

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes needed for "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" plus the NUL. */
#define SRV_UUID_LEN 37

/* Writes a new random UUID v4 (RFC 4122 variant bits) into out. */
void srv_uuid_v4(char out[SRV_UUID_LEN]);

/* True if s is a UUID in canonical 8-4-4-4-12 hex form (any version, either case). */
int srv_uuid_is_valid(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* SRV_UUID_H */
