/* names.c — identifier and short-text rules (see names.h).
 *
 * UTF-8 is checked by hand (shortest form, no surrogates, at most U+10FFFF) so that what we store
 * in PostgreSQL (UTF8 databases) never fails there with a less helpful message. */
#include "servers/workflow_mcp/names.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "models/uuid.h"

/* Number of code points in s, or -1 if s is not valid UTF-8 or holds a control character. */
static long utf8_chars(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  long n = 0;
  while (*p) {
    unsigned c = *p;
    int len;
    unsigned cp;
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return -1;
      len = 1;
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return -1;
    }
    for (int i = 1; i < len; i++) {
      if ((p[i] & 0xc0) != 0x80) return -1;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return -1;
    p += len;
    n++;
  }
  return n;
}

srv_code wf_check_text(const char *what, const char *s, int max, srv_err *err) {
  assert(what != NULL && max > 0);
  if (s == NULL) return srv_err_set(err, SRV_EINVAL, "%s is required (a non-empty string)", what);
  long n = utf8_chars(s);
  if (n < 0)
    return srv_err_set(err, SRV_EINVAL, "%s must be valid UTF-8 text without control characters",
                       what);
  if (n == 0 || strspn(s, " ") == strlen(s))
    return srv_err_set(err, SRV_EINVAL, "%s must not be empty", what);
  if (n > max)
    return srv_err_set(err, SRV_EINVAL, "%s must be at most %d characters (got %ld)", what, max, n);
  return SRV_OK;
}

srv_code wf_check_project_name(const char *what, const char *s, srv_err *err) {
  srv_code rc = wf_check_text(what, s, WF_PROJECT_NAME_MAX, err);
  if (rc != SRV_OK) return rc;
  size_t len = strlen(s);
  if (s[0] == ' ' || s[len - 1] == ' ')
    return srv_err_set(err, SRV_EINVAL, "%s must not start or end with a space (got \"%s\")", what,
                       s);
  return SRV_OK;
}

static int is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

srv_code wf_check_type_name(const char *what, const char *s, srv_err *err) {
  assert(what != NULL);
  if (s == NULL || s[0] == '\0')
    return srv_err_set(err, SRV_EINVAL, "%s is required (e.g. \"invoice\")", what);
  size_t len = strlen(s);
  int ok = len <= WF_TYPE_NAME_MAX && is_alpha(s[0]);
  for (size_t i = 1; ok && i < len; i++)
    ok = is_alpha(s[i]) || is_digit(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.';
  if (!ok)
    return srv_err_set(err, SRV_EINVAL,
                       "%s must start with a letter and contain only letters, digits, '_', '-' or "
                       "'.', at most %d characters (got \"%.80s\")",
                       what, WF_TYPE_NAME_MAX, s);
  return SRV_OK;
}

srv_code wf_check_status(const char *what, const char *s, srv_err *err) {
  assert(what != NULL);
  if (s == NULL || s[0] == '\0')
    return srv_err_set(err, SRV_EINVAL, "%s must not be empty (e.g. \"active\")", what);
  size_t len = strlen(s);
  int ok = len <= WF_STATUS_MAX;
  for (size_t i = 0; ok && i < len; i++)
    ok = (s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) || s[i] == '_' || s[i] == '-';
  if (!ok)
    return srv_err_set(err, SRV_EINVAL,
                       "%s must be 1..%d lowercase letters, digits, '_' or '-' (e.g. "
                       "\"in_progress\"; got \"%.80s\")",
                       what, WF_STATUS_MAX, s);
  return SRV_OK;
}

srv_code wf_check_chunk_id(const char *what, const char *s, srv_err *err) {
  assert(what != NULL);
  if (s == NULL || s[0] == '\0')
    return srv_err_set(err, SRV_EINVAL, "%s must be a non-empty chunk id from search_code", what);
  size_t len = strlen(s);
  int ok = len <= WF_CHUNK_ID_MAX;
  for (size_t i = 0; ok && i < len; i++) ok = s[i] > 0x20 && s[i] < 0x7f;
  if (!ok)
    return srv_err_set(err, SRV_EINVAL,
                       "%s must be a chunk id as returned by search_code (printable ASCII without "
                       "spaces, at most %d characters; got \"%.80s\")",
                       what, WF_CHUNK_ID_MAX, s);
  return SRV_OK;
}

srv_code wf_check_uuid(const char *what, const char *s, srv_err *err) {
  assert(what != NULL);
  if (s == NULL || !mdl_uuid_valid(s))
    return srv_err_set(
        err, SRV_EINVAL,
        "%s must be a UUID like \"1b4e28ba-2fa1-11d2-883f-0016d3cca427\" (got \"%.80s\")", what,
        s ? s : "(missing)");
  return SRV_OK;
}
