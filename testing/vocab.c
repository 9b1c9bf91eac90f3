/* vocab.c — the word lists the repository generator builds identifiers and doc comments from.
 *
 * Words are lowercase ASCII letters only, distinct across all lists, and none is a Python or
 * JavaScript (strict mode) reserved word, so any word is a valid parameter or variable name and
 * any verb_noun_qualifier / NounQualifierRole combination decomposes back into its words. The
 * low-vocabulary lists are apart from those: a few common words (some repeat words of the lists
 * above), never a reserved word either. */
#include "testing/vocab.h"

static const char *const k_verbs[] = {
    "parse",     "validate",  "compute",      "render",   "load",     "save",      "fetch",
    "build",     "merge",     "filter",       "sort",     "format",   "encode",    "decode",
    "normalize", "resolve",   "schedule",     "dispatch", "export",   "import",    "sync",
    "reconcile", "aggregate", "summarize",    "register", "publish",  "subscribe", "notify",
    "archive",   "compress",  "decompress",   "index",    "search",   "match",     "tokenize",
    "classify",  "score",     "rank",         "estimate", "forecast", "approve",   "reject",
    "refund",    "authorize", "authenticate", "encrypt",  "decrypt",  "sign",      "verify",
    "hash",      "memoize",   "throttle",     "retry",    "enqueue",  "drain",     "flush",
    "collect",   "emit",      "track",        "monitor",  "audit",    "inspect",   "translate",
    "convert",   "transform", "map",          "reduce",   "split",    "join",      "group",
    "partition", "sample",    "shuffle",      "allocate", "assign",   "route",     "balance",
    "migrate",   "seed",      "prune",        "clean",    "purge",    "restore",   "snapshot",
    "replicate", "deploy",    "provision",    "compile",  "evaluate", "execute",   "invoke",
    "handle",    "process",   "prepare",      "generate", "create",   "update",    "delete",
    "upsert",    "locate",    "scan",         "crawl",    "extract",  "inject",    "wrap",
    "unwrap",    "serialize", "deserialize",  "sanitize", "escape",   "measure",   "profile",
    "trace",     "observe",   "watch",        "poll",     "stream",   "batch",     "chunk",
    "paginate",
};
static const char *const k_roles[] = {
    "Parser",       "Validator",  "Calculator",    "Renderer",   "Loader",      "Saver",
    "Fetcher",      "Builder",    "Merger",        "Filter",     "Sorter",      "Formatter",
    "Encoder",      "Decoder",    "Normalizer",    "Resolver",   "Scheduler",   "Dispatcher",
    "Exporter",     "Importer",   "Synchronizer",  "Reconciler", "Aggregator",  "Summarizer",
    "Registrar",    "Publisher",  "Subscriber",    "Notifier",   "Archiver",    "Compressor",
    "Decompressor", "Indexer",    "Searcher",      "Matcher",    "Tokenizer",   "Classifier",
    "Scorer",       "Ranker",     "Estimator",     "Forecaster", "Approver",    "Rejecter",
    "Refunder",     "Authorizer", "Authenticator", "Encryptor",  "Decryptor",   "Signer",
    "Verifier",     "Hasher",     "Memoizer",      "Throttler",  "Retrier",     "Enqueuer",
    "Drainer",      "Flusher",    "Collector",     "Emitter",    "Tracker",     "Monitor",
    "Auditor",      "Inspector",  "Translator",    "Converter",  "Transformer", "Mapper",
    "Reducer",      "Splitter",   "Joiner",        "Grouper",    "Partitioner", "Sampler",
    "Shuffler",     "Allocator",  "Assigner",      "Router",     "Balancer",    "Migrator",
    "Seeder",       "Pruner",     "Cleaner",       "Purger",     "Restorer",    "Snapshotter",
    "Replicator",   "Deployer",   "Provisioner",   "Compiler",   "Evaluator",   "Executor",
    "Invoker",      "Handler",    "Processor",     "Preparer",   "Generator",   "Creator",
    "Updater",      "Deleter",    "Upserter",      "Locator",    "Scanner",     "Crawler",
    "Extractor",    "Injector",   "Wrapper",       "Unwrapper",  "Serializer",  "Deserializer",
    "Sanitizer",    "Escaper",    "Measurer",      "Profiler",   "Tracer",      "Observer",
    "Watcher",      "Poller",     "Streamer",      "Batcher",    "Chunker",     "Paginator",
};
static const char *const k_nouns[] = {
    "invoice",      "vendor",       "ledger",       "account",    "payment",      "customer",
    "order",        "shipment",     "parcel",       "warehouse",  "inventory",    "product",
    "catalog",      "price",        "discount",     "coupon",     "tax",          "receipt",
    "subscription", "plan",         "tier",         "quota",      "budget",       "expense",
    "payroll",      "employee",     "contractor",   "department", "team",         "project",
    "milestone",    "ticket",       "incident",     "alert",      "dashboard",    "widget",
    "credential",   "avatar",       "address",      "region",     "country",      "currency",
    "bank",         "transfer",     "deposit",      "withdrawal", "loan",         "mortgage",
    "policy",       "claim",        "premium",      "insurer",    "patient",      "doctor",
    "clinic",       "appointment",  "prescription", "dosage",     "pharmacy",     "hospital",
    "ward",         "nurse",        "student",      "teacher",    "course",       "lesson",
    "exam",         "grade",        "campus",       "library",    "book",         "author",
    "publisher",    "article",      "comment",      "review",     "rating",       "vote",
    "survey",       "question",     "answer",       "quiz",       "topic",        "forum",
    "thread",       "message",      "mailbox",      "inbox",      "email",        "contact",
    "calendar",     "reminder",     "meeting",      "room",       "venue",        "seat",
    "flight",       "airport",      "airline",      "passenger",  "booking",      "hotel",
    "reservation",  "itinerary",    "vehicle",      "driver",     "fleet",        "trip",
    "fare",         "toll",         "garage",       "engine",     "sensor",       "device",
    "gateway",      "firmware",     "cluster",      "pod",        "container",    "repository",
    "commit",       "release",      "pipeline",     "artifact",   "module",       "plugin",
    "theme",        "template",     "layout",       "site",       "domain",       "certificate",
    "firewall",     "proxy",        "tenant",       "workspace",  "organization", "member",
    "permission",   "license",      "contract",     "agreement",  "clause",       "signature",
    "document",     "folder",       "attachment",   "upload",     "download",     "asset",
    "media",        "video",        "audio",        "playlist",   "album",        "artist",
    "concert",      "festival",     "recipe",       "ingredient", "menu",         "restaurant",
    "kitchen",      "supplier",     "farm",         "harvest",    "crop",         "livestock",
    "weather",      "climate",      "station",      "satellite",  "orbit",        "telescope",
    "galaxy",       "planet",       "mission",      "rocket",     "crew",         "astronaut",
    "experiment",   "specimen",     "gene",         "protein",    "molecule",     "reaction",
    "compound",     "solvent",      "reagent",      "lab",        "assay",        "cohort",
    "donor",        "donation",     "campaign",     "volunteer",  "charity",      "auction",
    "bid",          "lot",          "buyer",        "seller",     "merchant",     "storefront",
    "cart",         "checkout",     "wishlist",     "warranty",   "repair",       "technician",
    "inspection",   "permit",       "zoning",       "parcelmap",  "tenancy",      "lease",
    "landlord",     "utility",      "meter",        "tariff",     "outage",       "grid",
    "turbine",      "pipelineflow", "reservoir",    "dam",        "river",        "bridge",
    "tunnel",       "highway",      "junction",     "signal",     "railway",      "locomotive",
    "carriage",     "platform",     "timetable",    "commuter",   "ferry",        "harbor",
    "dock",         "cargo",        "crane",        "forklift",   "pallet",       "barcode",
    "label",        "shelf",        "aisle",        "locker",     "courier",      "dispatchzone",
    "depot",        "hangar",       "runway",       "terminal",   "gate",         "lounge",
    "baggage",      "customs",      "visa",         "passport",   "embassy",      "consulate",
    "ballot",       "district",     "census",       "household",  "citizen",      "benefit",
    "pension",      "annuity",      "portfolio",    "stock",      "bond",         "dividend",
    "broker",       "trade",        "exchange",     "ticker",     "futures",      "option",
    "hedge",        "fund",         "treasury",     "audittrail", "compliance",   "regulation",
    "statute",      "court",        "lawsuit",      "verdict",    "attorney",     "witness",
    "evidence",     "sentence",     "parole",       "warrant",    "precinct",     "officer",
    "patrol",       "dispatcher",   "firestation",  "hydrant",    "ambulance",    "paramedic",
    "triage",       "vaccine",      "outbreak",     "quarantine", "laboratory",   "microscope",
    "genome",       "enzyme",       "antibody",     "cell",       "tissue",       "organ",
    "skeleton",     "muscle",       "athlete",      "coach",      "league",       "stadium",
    "referee",      "tournament",   "trophy",       "jersey",     "sponsor",      "broadcast",
    "podcast",      "episode",      "channelfeed",  "newsletter", "headline",     "editorial",
    "columnist",    "photographer", "gallery",      "exhibit",    "museum",       "curator",
    "sculpture",    "painting",     "canvas",       "pigment",    "studio",       "workshop",
    "apprentice",   "guild",        "blacksmith",   "carpenter",  "plumber",      "electrician",
};
static const char *const k_quals[] = {
    "header",        "footer",        "line",
    "item",          "summary",       "total",
    "status",        "state",         "history",
    "log",           "entry",         "record",
    "row",           "column",        "field",
    "value",         "key",           "identifier",
    "code",          "number",        "name",
    "tag",           "note",          "memo",
    "flag",          "setting",       "config",
    "limit",         "threshold",     "window",
    "interval",      "period",        "cycle",
    "deadline",      "timestamp",     "date",
    "range",         "offset",        "cursor",
    "size",          "count",         "ratio",
    "weight",        "level",         "priority",
    "severity",      "category",      "kind",
    "segment",       "bucket",        "shard",
    "slot",          "lane",          "queue",
    "owner",         "source",        "target",
    "origin",        "destination",   "parent",
    "child",         "sibling",       "ancestor",
    "version",       "revision",      "draft",
    "snapshotcopy",  "baseline",      "checksum",
    "digest",        "signaturehash", "fingerprint",
    "prefix",        "suffix",        "pattern",
    "rule",          "filterset",     "mapping",
    "schema",        "payload",       "envelope",
    "metadata",      "attribute",     "property",
    "detail",        "description",   "title",
    "subject",       "body",          "excerpt",
    "preview",       "thumbnail",     "icon",
    "color",         "font",          "width",
    "height",        "depth",         "length",
    "duration",      "latency",       "throughput",
    "capacity",      "usage",         "allocation",
    "reservationid", "forecastrange", "trend",
    "delta",         "variance",      "average",
    "median",        "percentile",    "minimum",
    "maximum",       "sum",           "tally",
    "quorum",        "majority",      "consensus",
    "lock",          "mutex",         "semaphore",
    "token",         "nonce",         "salt",
    "secret",        "cipher",        "certificatechain",
    "keyring",       "vault",         "backlog",
    "roadmap",       "sprint",        "epic",
    "story",         "backlogitem",   "checklist",
    "agenda",        "minutes",       "transcript",
    "caption",       "subtitle",      "locale",
    "timezone",      "zone",          "area",
    "sector",        "territory",     "boundary",
    "perimeter",     "radius",        "coordinate",
    "latitude",      "longitude",     "altitude",
    "heading",       "bearing",       "speed",
    "velocity",      "acceleration",  "pressure",
    "temperature",   "humidity",      "voltage",
    "current",       "wattage",       "frequency",
    "amplitude",     "phase",         "spectrum",
    "band",          "bandwidth",     "quotaunit",
    "credit",        "debit",         "surplus",
    "deficit",       "margin",        "markup",
    "markdown",      "rebate",        "commission",
    "fee",           "penalty",       "interest",
    "principal",     "installment",   "schedulehint",
    "retention",     "expiry",        "renewal",
    "grace",         "trial",         "onboarding",
    "offboarding",   "handoff",       "escalation",
    "resolution",    "feedback",
};
static const char *const k_docw[] = {
    "normalized", "cached",     "pending",    "active",       "archived",   "overdue",
    "primary",    "secondary",  "external",   "internal",     "remote",     "local",
    "upstream",   "downstream", "nightly",    "hourly",       "monthly",    "quarterly",
    "annual",     "daily",      "weekly",     "partial",      "complete",   "incremental",
    "stale",      "fresh",      "expired",    "valid",        "invalid",    "duplicate",
    "unique",     "optional",   "required",   "default",      "custom",     "legacy",
    "previous",   "next",       "first",      "last",         "global",     "regional",
    "shared",     "private",    "public",     "temporary",    "permanent",  "encrypted",
    "compressed", "signed",     "verified",   "trusted",      "untrusted",  "raw",
    "sorted",     "grouped",    "filtered",   "paged",        "batched",    "queued",
    "delayed",    "retried",    "failed",     "succeeded",    "blocked",    "approved",
    "rejected",   "reviewed",   "flagged",    "escalated",    "resolved",   "reopened",
    "merged",     "imported",   "exported",   "synchronized", "reconciled", "aggregated",
    "derived",    "computed",   "estimated",  "projected",    "observed",   "measured",
    "sampled",    "weighted",   "ranked",     "scored",       "matched",    "tokenized",
    "indexed",    "searchable", "immutable",  "mutable",      "ordered",    "unordered",
    "nested",     "flattened",  "sparse",     "dense",        "compact",    "verbose",
    "strict",     "lenient",    "safe",       "unsafe",       "atomic",     "transactional",
    "idempotent", "concurrent", "sequential", "parallel",     "lazy",       "eager",
    "bounded",    "unbounded",  "seasonal",   "historical",   "realtime",   "offline",
    "online",     "billing",    "shipping",   "clinical",     "academic",   "municipal",
    "financial",  "logistic",   "scientific", "industrial",
};

/* Low vocabulary: words real code repeats everywhere. No keyword of either language, and not
 * "options" (the generator's default parameter). */
static const char *const k_low_params[] = {"request", "response", "user",   "config",  "data",
                                           "payload", "session",  "client", "context", "record"};
static const char *const k_low_locals[] = {"value", "result", "count", "status", "offset",
                                           "name",  "path",   "kind",  "index",  "total",
                                           "size",  "error",  "items", "state",  "handle"};
static const char *const k_low_docw[] = {"default", "cached", "empty",   "missing",
                                         "valid",   "local",  "pending", "current"};
static const char *const k_common_queries[] = {
    "get value", "request error", "get request value",       "value error", "error request value",
    "request",   "get",           "get value error request",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *const *const tst_vocab_low_params = k_low_params;
const char *const *const tst_vocab_low_locals = k_low_locals;
const char *const *const tst_vocab_low_docw = k_low_docw;
const char *const *const tst_vocab_common_queries = k_common_queries;
const size_t tst_vocab_n_low_params = COUNT(k_low_params);
const size_t tst_vocab_n_low_locals = COUNT(k_low_locals);
const size_t tst_vocab_n_low_docw = COUNT(k_low_docw);
const size_t tst_vocab_n_common_queries = COUNT(k_common_queries);
const char *const tst_vocab_common_doc = "get the value of the request, or an error";

const char *const *const tst_vocab_verbs = k_verbs;
const char *const *const tst_vocab_roles = k_roles;
const char *const *const tst_vocab_nouns = k_nouns;
const char *const *const tst_vocab_quals = k_quals;
const char *const *const tst_vocab_docw = k_docw;
const size_t tst_vocab_n_verbs = COUNT(k_verbs);
const size_t tst_vocab_n_nouns = COUNT(k_nouns);
const size_t tst_vocab_n_quals = COUNT(k_quals);
const size_t tst_vocab_n_docw = COUNT(k_docw);

_Static_assert(COUNT(k_verbs) == COUNT(k_roles), "every verb has its agent noun");
