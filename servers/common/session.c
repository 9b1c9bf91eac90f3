/* session.c — the MCP session table (see session.h); the /mcp endpoint using it is mcp_http.c.
 *
 * The session table is a chained hash on the UUID text (1024 buckets) under one mutex, plus two
 * doubly linked lists for eviction: sessions never used since `initialize` (oldest at the tail)
 * and sessions in use (least recently used at the tail). A full table evicts a never-used session
 * first, so a flood of `initialize` calls (cheap for anyone to send) only evicts sessions of the
 * flood, never one a client is using; only when every session is in use does the least recently
 * used one go. Sessions are tiny, so the whole table is a few MB at most. Expiry is lazy: checked
 * on touch, swept when a session is created. */
#include "servers/common/session.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/uuid.h"
#include "servers/common/http.h" /* srv_http_new_id */
#include "servers/common/timeutil.h"

#define NBUCKETS 1024

typedef struct list {
  struct sess *head, *tail; /* head = most recent */
} list;

typedef struct sess {
  char id[37];
  char version[16];
  int64_t last_ms;
  int used;                   /* 1 once a request other than initialize named it */
  struct sess *hnext;         /* bucket chain */
  struct sess *lprev, *lnext; /* in fresh (used == 0) or lru (used == 1) */
} sess;

struct srv_sessions {
  pthread_mutex_t lock;
  size_t capacity, count;
  int64_t idle_ms;
  sess *buckets[NBUCKETS];
  list fresh; /* never used since initialize */
  list lru;   /* in use */
};

static unsigned hash_id(const char *id) {
  unsigned h = 2166136261u;
  for (; *id; id++) h = (h ^ (unsigned char)*id) * 16777619u;
  return h % NBUCKETS;
}

srv_code srv_sessions_new(size_t capacity, int64_t idle_ms, srv_sessions **out, srv_err *err) {
  srv_sessions *s = calloc(1, sizeof *s);
  assert(out != NULL);
  *out = NULL;
  if (s == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  pthread_mutex_init(&s->lock, NULL);
  s->capacity = capacity ? capacity : 10000;
  s->idle_ms = idle_ms > 0 ? idle_ms : (int64_t)3600 * 1000;
  *out = s;
  return SRV_OK;
}

static void free_list(list *l) {
  for (sess *e = l->head; e != NULL;) {
    sess *n = e->lnext;
    free(e);
    e = n;
  }
}

void srv_sessions_free(srv_sessions *s) {
  if (s == NULL) return;
  free_list(&s->fresh);
  free_list(&s->lru);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

static list *list_of(srv_sessions *s, const sess *e) {
  return e->used ? &s->lru : &s->fresh;
}

static void lru_unlink(srv_sessions *s, sess *e) {
  list *l = list_of(s, e);
  if (e->lprev)
    e->lprev->lnext = e->lnext;
  else
    l->head = e->lnext;
  if (e->lnext)
    e->lnext->lprev = e->lprev;
  else
    l->tail = e->lprev;
  e->lprev = e->lnext = NULL;
}

static void lru_push(srv_sessions *s, sess *e) {
  list *l = list_of(s, e);
  e->lprev = NULL;
  e->lnext = l->head;
  if (l->head) l->head->lprev = e;
  l->head = e;
  if (l->tail == NULL) l->tail = e;
}

static void remove_locked(srv_sessions *s, sess *e) {
  sess **pp = &s->buckets[hash_id(e->id)];
  while (*pp && *pp != e) pp = &(*pp)->hnext;
  if (*pp) *pp = e->hnext;
  lru_unlink(s, e);
  s->count--;
  free(e);
}

/* Makes room for one more session: expired ones go first (from both tails), then, if the table
 * is still full, the oldest never-used one, and only when there is none the least recently used
 * one in use. */
static void evict_locked(srv_sessions *s, int64_t now) {
  while (s->fresh.tail && now - s->fresh.tail->last_ms > s->idle_ms)
    remove_locked(s, s->fresh.tail);
  while (s->lru.tail && now - s->lru.tail->last_ms > s->idle_ms) remove_locked(s, s->lru.tail);
  while (s->count >= s->capacity && (s->fresh.tail || s->lru.tail))
    remove_locked(s, s->fresh.tail ? s->fresh.tail : s->lru.tail);
}

static sess *find_locked(srv_sessions *s, const char *id) {
  for (sess *e = s->buckets[hash_id(id)]; e; e = e->hnext)
    if (strcmp(e->id, id) == 0) return e;
  return NULL;
}

srv_code srv_session_create(srv_sessions *s, const char *version, char id[37], srv_err *err) {
  sess *e = calloc(1, sizeof *e);
  int64_t now = srv_mono_ms();
  unsigned b;
  if (e == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory creating a session");
  /* Session ids guard a session: cryptographically random (getrandom) as the MCP specification
   * asks; the request-id generator is the fallback only if the kernel refuses. */
  if (mdl_uuid_v4(e->id, NULL) != MDL_OK) srv_http_new_id(e->id);
  snprintf(e->version, sizeof e->version, "%s", version ? version : "");
  e->last_ms = now;
  pthread_mutex_lock(&s->lock);
  evict_locked(s, now);
  b = hash_id(e->id);
  e->hnext = s->buckets[b];
  s->buckets[b] = e;
  lru_push(s, e);
  s->count++;
  memcpy(id, e->id, 37);
  pthread_mutex_unlock(&s->lock);
  return SRV_OK;
}

static int touch(srv_sessions *s, const char *id, int use) {
  int ok = 0;
  int64_t now = srv_mono_ms();
  sess *e;
  if (id == NULL) return 0;
  pthread_mutex_lock(&s->lock);
  e = find_locked(s, id);
  if (e != NULL) {
    if (now - e->last_ms > s->idle_ms) {
      remove_locked(s, e);
    } else {
      e->last_ms = now;
      lru_unlink(s, e);
      e->used |= use;
      lru_push(s, e);
      ok = 1;
    }
  }
  pthread_mutex_unlock(&s->lock);
  return ok;
}

int srv_session_touch(srv_sessions *s, const char *id) {
  return touch(s, id, 1);
}

int srv_session_seen(srv_sessions *s, const char *id) {
  return touch(s, id, 0);
}

int srv_session_end(srv_sessions *s, const char *id) {
  int ok = 0;
  sess *e;
  if (id == NULL) return 0;
  pthread_mutex_lock(&s->lock);
  e = find_locked(s, id);
  if (e != NULL) {
    remove_locked(s, e);
    ok = 1;
  }
  pthread_mutex_unlock(&s->lock);
  return ok;
}

size_t srv_sessions_count(srv_sessions *s) {
  size_t n;
  pthread_mutex_lock(&s->lock);
  n = s->count;
  pthread_mutex_unlock(&s->lock);
  return n;
}
