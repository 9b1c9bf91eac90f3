/* workgen.c — deterministic workflow data: projects, entity types, entities, work items
 * (see workgen.h).
 *
 * Everything comes from one splitmix64 stream seeded from opts.seed, in a fixed order, so the same
 * options give the same JSON. Entity data follows the three registered schemas (vendor, invoice,
 * ticket) so workflow-mcp accepts every entity; the schemas use only type, required, properties,
 * enum, minimum, maximum and items. */
#include "testing/workgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing/rng.h"
#include "testing/vocab.h"

static const char *const k_vendor_status[] = {"active", "inactive", "pending"};
static const char *const k_countries[] = {"US", "DE", "FR", "GB", "JP", "IN", "BR", "CA"};
static const char *const k_currencies[] = {"USD", "EUR", "GBP", "JPY"};
static const char *const k_invoice_status[] = {"draft", "sent", "paid", "overdue"};
static const char *const k_priorities[] = {"low", "medium", "high", "critical"};
static const char *const k_ticket_states[] = {"open", "in_progress", "resolved", "closed"};
static const char *const k_tiers[] = {"free", "pro", "enterprise"};
static const char *const k_teams[] = {"core", "billing", "platform", "search", "mobile", "data"};
static const char *const k_people[] = {"ada",      "grace",  "linus",   "barbara", "ken",
                                       "margaret", "dennis", "frances", "edsger",  "radia"};
static const char *const k_tags[] = {"urgent",   "q1",   "q2",   "q3",   "q4",    "review",
                                     "archived", "emea", "apac", "amer", "audit", "priority"};
static const char *const k_item_status[] = {"active", "in_progress", "blocked", "review", "done"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *any(tst_rng *r, const char *const *list, size_t n) {
  return list[tst_rng_below(r, (uint32_t)n)];
}
static const char *noun(tst_rng *r) {
  return any(r, tst_vocab_nouns, tst_vocab_n_nouns);
}
static const char *qual(tst_rng *r) {
  return any(r, tst_vocab_quals, tst_vocab_n_quals);
}

static double money(tst_rng *r, double lo, double hi) {
  long cents = (long)((lo + (hi - lo) * tst_rng_unit(r)) * 100.0);
  return (double)cents / 100.0;
}

static void add_date(cJSON *o, const char *key, tst_rng *r) {
  char d[16];
  snprintf(d, sizeof(d), "2025-%02u-%02u", 1 + tst_rng_below(r, 12), 1 + tst_rng_below(r, 28));
  cJSON_AddStringToObject(o, key, d);
}

static void add_words(cJSON *arr, tst_rng *r, int n, int use_nouns) {
  for (int i = 0; i < n; i++)
    cJSON_AddItemToArray(arr, cJSON_CreateString(use_nouns ? noun(r) : qual(r)));
}

/* ---- schemas ---- */

static const char k_vendor_schema[] =
    "{\"type\":\"object\",\"required\":[\"name\",\"status\",\"country\",\"rating\"],\"properties\":"
    "{"
    "\"name\":{\"type\":\"string\",\"minLength\":1},"
    "\"status\":{\"type\":\"string\",\"enum\":[\"active\",\"inactive\",\"pending\"]},"
    "\"country\":{\"type\":\"string\"},"
    "\"rating\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5},"
    "\"contact\":{\"type\":\"object\",\"properties\":{\"email\":{\"type\":\"string\"},"
    "\"phone\":{\"type\":\"string\"}}},"
    "\"categories\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
    "\"onboarded_at\":{\"type\":\"string\"}}}";

static const char k_invoice_schema[] =
    "{\"type\":\"object\",\"required\":[\"number\",\"vendor_name\",\"amount\",\"currency\","
    "\"status\"],"
    "\"properties\":{"
    "\"number\":{\"type\":\"string\",\"minLength\":1},"
    "\"vendor_name\":{\"type\":\"string\"},"
    "\"amount\":{\"type\":\"number\",\"minimum\":0},"
    "\"currency\":{\"type\":\"string\",\"enum\":[\"USD\",\"EUR\",\"GBP\",\"JPY\"]},"
    "\"status\":{\"type\":\"string\",\"enum\":[\"draft\",\"sent\",\"paid\",\"overdue\"]},"
    "\"due_date\":{\"type\":\"string\"},"
    "\"lines\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"sku\","
    "\"quantity\","
    "\"unit_price\"],\"properties\":{\"sku\":{\"type\":\"string\"},\"quantity\":{\"type\":"
    "\"integer\","
    "\"minimum\":1},\"unit_price\":{\"type\":\"number\",\"minimum\":0}}}},"
    "\"approver\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
    "\"level\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":3}}}}}";

static const char k_ticket_schema[] =
    "{\"type\":\"object\",\"required\":[\"title\",\"priority\",\"state\"],\"properties\":{"
    "\"title\":{\"type\":\"string\",\"minLength\":1},"
    "\"priority\":{\"type\":\"string\",\"enum\":[\"low\",\"medium\",\"high\",\"critical\"]},"
    "\"state\":{\"type\":\"string\",\"enum\":[\"open\",\"in_progress\",\"resolved\",\"closed\"]},"
    "\"assignee\":{\"type\":\"object\",\"required\":[\"name\",\"team\"],\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"team\":{\"type\":\"string\"}}},"
    "\"labels\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
    "\"estimate_hours\":{\"type\":\"number\",\"minimum\":0},"
    "\"customer\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
    "\"tier\":{\"type\":\"string\",\"enum\":[\"free\",\"pro\",\"enterprise\"]}}}}}";

static cJSON *entity_types(void) {
  static const char *const names[] = {"vendor", "invoice", "ticket"};
  const char *schemas[] = {k_vendor_schema, k_invoice_schema, k_ticket_schema};
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; i < N(names); i++) {
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "name", names[i]);
    cJSON_AddItemToObject(t, "schema", cJSON_Parse(schemas[i]));
    cJSON_AddItemToArray(arr, t);
  }
  return arr;
}

/* ---- entities ---- */

static cJSON *vendor(tst_rng *r, int p, int k) {
  cJSON *d = cJSON_CreateObject(), *c;
  char s[128];
  snprintf(s, sizeof(s), "%s %s supply %d-%d", noun(r), qual(r), p + 1, k);
  cJSON_AddStringToObject(d, "name", s);
  cJSON_AddStringToObject(d, "status", any(r, k_vendor_status, N(k_vendor_status)));
  cJSON_AddStringToObject(d, "country", any(r, k_countries, N(k_countries)));
  cJSON_AddNumberToObject(d, "rating", 1 + tst_rng_below(r, 5));
  c = cJSON_AddObjectToObject(d, "contact");
  snprintf(s, sizeof(s), "%s@%s.example", noun(r), noun(r));
  cJSON_AddStringToObject(c, "email", s);
  snprintf(s, sizeof(s), "+1-555-%04u", tst_rng_below(r, 10000));
  cJSON_AddStringToObject(c, "phone", s);
  add_words(cJSON_AddArrayToObject(d, "categories"), r, 1 + (int)tst_rng_below(r, 3), 1);
  add_date(d, "onboarded_at", r);
  return d;
}

static cJSON *invoice(tst_rng *r, int p, int k) {
  cJSON *d = cJSON_CreateObject(), *lines, *a;
  char s[128];
  double total = 0;
  int n = 1 + (int)tst_rng_below(r, 4);
  snprintf(s, sizeof(s), "INV-%d-%05d", p + 1, k);
  cJSON_AddStringToObject(d, "number", s);
  snprintf(s, sizeof(s), "%s %s supply", noun(r), qual(r));
  cJSON_AddStringToObject(d, "vendor_name", s);
  lines = cJSON_CreateArray();
  for (int i = 0; i < n; i++) {
    cJSON *l = cJSON_CreateObject();
    int q = 1 + (int)tst_rng_below(r, 20);
    double price = money(r, 1, 500);
    snprintf(s, sizeof(s), "SKU-%04u", tst_rng_below(r, 10000));
    cJSON_AddStringToObject(l, "sku", s);
    cJSON_AddNumberToObject(l, "quantity", q);
    cJSON_AddNumberToObject(l, "unit_price", price);
    total += q * price;
    cJSON_AddItemToArray(lines, l);
  }
  cJSON_AddNumberToObject(d, "amount", (double)(long)(total * 100.0 + 0.5) / 100.0);
  cJSON_AddStringToObject(d, "currency", any(r, k_currencies, N(k_currencies)));
  cJSON_AddStringToObject(d, "status", any(r, k_invoice_status, N(k_invoice_status)));
  add_date(d, "due_date", r);
  cJSON_AddItemToObject(d, "lines", lines);
  a = cJSON_AddObjectToObject(d, "approver");
  cJSON_AddStringToObject(a, "name", any(r, k_people, N(k_people)));
  cJSON_AddNumberToObject(a, "level", 1 + tst_rng_below(r, 3));
  return d;
}

static cJSON *ticket(tst_rng *r, int p, int k) {
  cJSON *d = cJSON_CreateObject(), *a, *c;
  char s[160];
  snprintf(s, sizeof(s), "%s %s %s fails for %s",
           tst_vocab_verbs[tst_rng_below(r, (uint32_t)tst_vocab_n_verbs)], noun(r), qual(r),
           noun(r));
  cJSON_AddStringToObject(d, "title", s);
  cJSON_AddStringToObject(d, "priority", any(r, k_priorities, N(k_priorities)));
  cJSON_AddStringToObject(d, "state", any(r, k_ticket_states, N(k_ticket_states)));
  a = cJSON_AddObjectToObject(d, "assignee");
  cJSON_AddStringToObject(a, "name", any(r, k_people, N(k_people)));
  cJSON_AddStringToObject(a, "team", any(r, k_teams, N(k_teams)));
  add_words(cJSON_AddArrayToObject(d, "labels"), r, (int)tst_rng_below(r, 4), 0);
  cJSON_AddNumberToObject(d, "estimate_hours", (double)(1 + tst_rng_below(r, 80)) / 2.0);
  c = cJSON_AddObjectToObject(d, "customer");
  snprintf(s, sizeof(s), "C-%d-%04d", p + 1, k);
  cJSON_AddStringToObject(c, "id", s);
  cJSON_AddStringToObject(c, "tier", any(r, k_tiers, N(k_tiers)));
  return d;
}

static cJSON *entity(tst_rng *r, int p, int k) {
  cJSON *e = cJSON_CreateObject(), *tags;
  unsigned pick = tst_rng_below(r, 10); /* 30% vendor, 40% invoice, 30% ticket */
  int n_tags = 1 + (int)tst_rng_below(r, 3);
  const char *type = pick < 3 ? "vendor" : pick < 7 ? "invoice" : "ticket";
  cJSON_AddStringToObject(e, "entity_type", type);
  cJSON_AddItemToObject(e, "data",
                        pick < 3   ? vendor(r, p, k)
                        : pick < 7 ? invoice(r, p, k)
                                   : ticket(r, p, k));
  tags = cJSON_AddArrayToObject(e, "tags");
  for (int i = 0; i < n_tags; i++) {
    const char *t = any(r, k_tags, N(k_tags));
    int dup = 0;
    for (int j = 0; j < cJSON_GetArraySize(tags); j++) {
      dup |= strcmp(cJSON_GetArrayItem(tags, j)->valuestring, t) == 0;
    }
    if (!dup) cJSON_AddItemToArray(tags, cJSON_CreateString(t));
  }
  return e;
}

/* ---- work items ---- */

static cJSON *work_items(tst_rng *r, const tst_workgen_opts *o, int n, double ratio) {
  cJSON *arr = cJSON_CreateArray();
  int sessions[32], n_sessions = 0;
  for (int i = 0; i < n; i++) {
    cJSON *w = cJSON_CreateObject(), *args = cJSON_CreateObject(), *meta, *owner;
    char title[200], verb[40];
    const char *type;
    int parent = -1;
    snprintf(verb, sizeof(verb), "%s",
             tst_vocab_verbs[tst_rng_below(r, (uint32_t)tst_vocab_n_verbs)]);
    verb[0] = (char)(verb[0] - 'a' + 'A');
    if (i == 0) {
      type = "project";
    } else if (i <= 3 || tst_rng_below(r, 5) == 0) {
      type = "session";
      parent = 0;
    } else if (tst_rng_below(r, 4) == 0) {
      type = "research";
      parent = tst_rng_below(r, 2) ? 0 : -1;
    } else {
      type = "task";
      parent = n_sessions > 0 ? sessions[tst_rng_below(r, (uint32_t)n_sessions)] : 0;
    }
    if (strcmp(type, "session") == 0 && n_sessions < 32) sessions[n_sessions++] = i;
    snprintf(title, sizeof(title), "%s %s %s (%s %d)", verb, noun(r), qual(r), type, i + 1);
    cJSON_AddStringToObject(args, "title", title);
    cJSON_AddStringToObject(args, "item_type", type);
    cJSON_AddStringToObject(args, "status", any(r, k_item_status, N(k_item_status)));
    meta = cJSON_AddObjectToObject(args, "metadata");
    cJSON_AddNumberToObject(meta, "priority", 1 + tst_rng_below(r, 5));
    cJSON_AddNumberToObject(meta, "estimate_hours", 1 + tst_rng_below(r, 40));
    owner = cJSON_AddObjectToObject(meta, "owner");
    cJSON_AddStringToObject(owner, "name", any(r, k_people, N(k_people)));
    cJSON_AddStringToObject(owner, "team", any(r, k_teams, N(k_teams)));
    add_words(cJSON_AddArrayToObject(meta, "labels"), r, 1 + (int)tst_rng_below(r, 2), 0);
    if (o->n_chunk_ids > 0 && tst_rng_unit(r) < ratio) {
      cJSON *refs = cJSON_AddArrayToObject(args, "entity_references");
      int k = 1 + (int)tst_rng_below(r, 3);
      for (int j = 0; j < k; j++) {
        const char *id = o->chunk_ids[tst_rng_below(r, (uint32_t)o->n_chunk_ids)];
        int dup = 0;
        for (int m = 0; m < cJSON_GetArraySize(refs); m++) {
          dup |= strcmp(cJSON_GetArrayItem(refs, m)->valuestring, id) == 0;
        }
        if (!dup) cJSON_AddItemToArray(refs, cJSON_CreateString(id));
      }
    }
    cJSON_AddItemToObject(w, "args", args);
    if (parent >= 0) cJSON_AddNumberToObject(w, "parent_index", parent);
    cJSON_AddItemToArray(arr, w);
  }
  return arr;
}

/* ---- public ---- */

int tst_workgen_generate(const tst_workgen_opts *o, cJSON **out, tst_err *err) {
  tst_rng r;
  cJSON *root = NULL, *projects;
  int n_projects, n_entities, lo, hi, *counts = NULL, assigned = 0, rc = TST_OK;
  double ratio, *weights = NULL, wsum = 0;
  *out = NULL;
  if (o == NULL) return tst_err_set(err, TST_EINVAL, "workgen: options are required");
  n_projects = o->projects > 0 ? o->projects : 5;
  n_entities = o->entities > 0 ? o->entities : 1000;
  lo = o->min_items > 0 ? o->min_items : 10;
  hi = o->max_items > 0 ? o->max_items : 20;
  ratio = o->reference_ratio > 0 ? o->reference_ratio : 0.3;
  if (hi < lo || hi > 1000 || n_projects > 1000) {
    return tst_err_set(err, TST_EINVAL,
                       "workgen: need 0 < min_items <= max_items <= 1000 and <= 1000 projects");
  }
  if (o->n_chunk_ids > 0 && o->chunk_ids == NULL) {
    return tst_err_set(err, TST_EINVAL, "workgen: n_chunk_ids > 0 but chunk_ids is NULL");
  }
  r.s = tst_mix64(o->seed, 77);
  counts = calloc((size_t)n_projects, sizeof(int));
  weights = calloc((size_t)n_projects, sizeof(double));
  if (counts == NULL || weights == NULL) {
    rc = tst_err_set(err, TST_ESYS, "workgen: out of memory");
    goto cleanup;
  }
  /* Uneven but comparable shares (0.8..1.2), every project at least one entity when possible. */
  for (int p = 0; p < n_projects; p++) wsum += weights[p] = 0.8 + 0.4 * tst_rng_unit(&r);
  for (int p = 0; p < n_projects; p++) {
    counts[p] = (int)((double)n_entities * weights[p] / wsum);
    if (counts[p] == 0 && n_entities >= n_projects) counts[p] = 1;
    assigned += counts[p];
  }
  for (int p = 0; assigned < n_entities; p = (p + 1) % n_projects, assigned++) counts[p]++;
  for (int p = n_projects - 1; assigned > n_entities; p = (p + n_projects - 1) % n_projects) {
    if (counts[p] > 1) {
      counts[p]--;
      assigned--;
    }
  }
  root = cJSON_CreateObject();
  cJSON_AddNumberToObject(root, "seed", (double)o->seed);
  cJSON_AddItemToObject(root, "entity_types", entity_types());
  projects = cJSON_AddArrayToObject(root, "projects");
  for (int p = 0; p < n_projects; p++) {
    cJSON *pr = cJSON_CreateObject(), *def = cJSON_CreateObject(), *ents;
    char name[128], desc[256];
    const char *a = noun(&r), *b = qual(&r);
    int items = lo + (int)tst_rng_below(&r, (uint32_t)(hi - lo + 1));
    snprintf(name, sizeof(name), "%c%s %s program %d", a[0] - 'a' + 'A', a + 1, b, p + 1);
    snprintf(desc, sizeof(desc), "Tracks %s %s work for the %s team (generated, seed %llu).", a, b,
             any(&r, k_teams, N(k_teams)), (unsigned long long)o->seed);
    cJSON_AddStringToObject(def, "name", name);
    cJSON_AddStringToObject(def, "description", desc);
    cJSON_AddItemToObject(pr, "project", def);
    ents = cJSON_AddArrayToObject(pr, "entities");
    for (int k = 0; k < counts[p]; k++) cJSON_AddItemToArray(ents, entity(&r, p, k));
    cJSON_AddItemToObject(pr, "work_items", work_items(&r, o, items, ratio));
    cJSON_AddItemToArray(projects, pr);
  }
  *out = root;
  root = NULL;
cleanup:
  cJSON_Delete(root);
  free(counts);
  free(weights);
  return rc;
}
