/* uuid.c — UUID text checks and v4 generation from getrandom(2) (falls back to /dev/urandom). */
#include "models/uuid.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static bool is_dash_pos(size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

bool mdl_uuid_valid(const char *s) {
  if (s == NULL) return false;
  size_t i = 0;
  for (; s[i] != '\0'; i++) {
    if (i >= 36) return false;
    if (is_dash_pos(i)) {
      if (s[i] != '-') return false;
    } else if (!isxdigit((unsigned char)s[i])) {
      return false;
    }
  }
  return i == 36;
}

mdl_code mdl_uuid_canonical(const char *s, char out[MDL_UUID_LEN], mdl_err *err) {
  assert(out != NULL);
  if (!mdl_uuid_valid(s))
    return mdl_err_set(err, MDL_ERANGE, "", "must be a UUID (8-4-4-4-12 hex digits)");
  for (size_t i = 0; i < 36; i++) out[i] = (char)tolower((unsigned char)s[i]);
  out[36] = '\0';
  return MDL_OK;
}

/* Fills buf with n random bytes; 0 on success. */
static int random_bytes(unsigned char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = getrandom(buf + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    got += (size_t)r;
  }
  if (got == n) return 0;
  FILE *f = fopen("/dev/urandom", "rb");
  if (f == NULL) return -1;
  size_t rd = fread(buf, 1, n, f);
  fclose(f);
  return rd == n ? 0 : -1;
}

mdl_code mdl_uuid_v4(char out[MDL_UUID_LEN], mdl_err *err) {
  assert(out != NULL);
  unsigned char b[16];
  if (random_bytes(b, sizeof b) != 0)
    return mdl_err_set(err, MDL_EIO, "",
                       "cannot read random bytes from the kernel (getrandom, /dev/urandom)");
  mdl_uuid_v4_format(b, out);
  return MDL_OK;
}

void mdl_uuid_format(const unsigned char bytes[16], char out[MDL_UUID_LEN]) {
  static const char hex[] = "0123456789abcdef";
  assert(bytes != NULL && out != NULL);
  size_t o = 0;
  for (size_t i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = hex[bytes[i] >> 4];
    out[o++] = hex[bytes[i] & 0x0f];
  }
  out[o] = '\0';
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool mdl_uuid_parse(const char *s, unsigned char out[16]) {
  assert(out != NULL);
  if (!mdl_uuid_valid(s)) return false;
  size_t n = 0;
  for (; *s; s++) {
    if (*s == '-') continue;
    int v = hex_value(*s);
    if (v < 0) return false; /* cannot happen after mdl_uuid_valid; keeps the shift defined */
    if (n % 2 == 0)
      out[n / 2] = (unsigned char)(v << 4);
    else
      out[n / 2] |= (unsigned char)v;
    n++;
  }
  assert(n == 32);
  return true;
}

void mdl_uuid_v4_format(const unsigned char bytes[16], char out[MDL_UUID_LEN]) {
  unsigned char b[16];
  assert(bytes != NULL && out != NULL);
  memcpy(b, bytes, sizeof b);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  mdl_uuid_format(b, out);
}
