/* config.h — a server's settings from command-line flags and environment variables.
 *
 * Precedence: flag > environment > the state file (below) > the server's defaults
 * (srv_config_defaults) > built-in defaults. Every value is checked; a bad one gives SRV_EINVAL
 * with a message naming the setting, the accepted range and the value given ("PORT must be
 * 1-65535, got 'abc'").
 *
 *   setting             flag                  environment          default
 *   port                --port N              PORT                 defaults->default_port
 *   bind address        --bind ADDR           BIND                 127.0.0.1 (loopback; any other
 *                                                                  address is refused unless
 *                                                                  ALLOW_REMOTE=1)
 *   remote bind opt-in  --allow-remote 0|1    ALLOW_REMOTE         0
 *   extra Host names    --allowed-hosts LIST  ALLOWED_HOSTS        none (loopback names only)
 *   database URL        --database-url URL    DATABASE_URL         postgresql:///<name_with_underscores>
 *                                                                  (local Unix socket, libpq's default
 *                                                                  directory /var/run/postgresql)
 *   log file            --log-file PATH       LOG_FILE             none (stderr)
 *   log level           --log-level L         LOG_LEVEL            INFO
 *   pool min / max      --pool-min/--pool-max POOL_MIN / POOL_MAX  defaults->pool_min / pool_max
 *   request timeout ms  --request-timeout-ms  REQUEST_TIMEOUT_MS   30000
 *   body limit bytes    --body-limit-bytes    BODY_LIMIT_BYTES     1048576 (1 MiB)
 *   HTTP I/O threads    --http-threads N      HTTP_THREADS         4
 *   handler workers     --http-workers N      HTTP_WORKERS         64
 *   codebase-mcp URL    --codebase-mcp-url    CODEBASE_MCP_URL     http://127.0.0.1:8020
 *   index roots         --index-roots LIST    INDEX_ROOTS          none: codebase-mcp then allows
 *                                                                  $HOME, $TMPDIR and /tmp
 *   stdio transport     --stdio               —                    off
 *   subcommand          serve | migrate | help (or --help / -h)    serve
 * Flags accept "--flag value" and "--flag=value".
 *
 * The state file is what ci/serve.sh writes for its embedded PostgreSQL, so that a server started
 * by an MCP client (`codebase-mcp --stdio`) finds that cluster without DATABASE_URL. Looked up at
 * $MCP_SUITE_HOME/state.env; without MCP_SUITE_HOME, as root /var/lib/mcp-suite/state.env, else
 * ${XDG_DATA_HOME:-$HOME/.local/share}/mcp-suite/state.env. Lines are KEY=VALUE (blank lines and
 * '#' comments skipped); only DATABASE_URL and CODEBASE_MCP_URL are read, other keys are ignored
 * (nothing there can widen what a server accepts). A key may be prefixed with the server's name
 * (CODEBASE_MCP_DATABASE_URL), which wins over the plain key. A missing file is no error; an unreadable or malformed one is SRV_EINVAL
 * naming the file and line. */
#ifndef SRV_CONFIG_H
#define SRV_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "servers/common/error.h"
#include "servers/common/log.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum srv_subcommand {
  SRV_CMD_SERVE = 0,
  SRV_CMD_MIGRATE = 1,
  SRV_CMD_HELP = 2
} srv_subcommand;

/* What differs per server. */
typedef struct srv_config_defaults {
  const char *server_name; /* command name, e.g. "codebase-mcp" (also the log server_id) */
  const char *description; /* one line for --help */
  int default_port;        /* 8020 / 8010 */
  int pool_min, pool_max;  /* FR-015: codebase 5/20, workflow 2/10 */
} srv_config_defaults;

typedef struct srv_config {
  srv_subcommand subcommand;
  int port;                 /* 1..65535 */
  char bind[64];            /* IPv4/IPv6 literal or host name */
  int allow_remote;         /* 1 => a non-loopback bind is accepted */
  char allowed_hosts[1024]; /* extra Host / Origin names (guard.h); "" => none */
  char database_url[1024];
  char log_file[1024]; /* "" => none */
  srv_log_level log_level;
  int pool_min, pool_max;  /* 0 <= min <= max, 1 <= max <= 1000 */
  int request_timeout_ms;  /* 1..3600000 */
  size_t body_limit_bytes; /* 1 KiB .. 1 GiB */
  int http_threads;        /* 1..256: MHD epoll thread pool */
  int http_workers;        /* 1..1024: handler threads for suspended (database) routes */
  char codebase_mcp_url[1024];
  char index_roots[4096]; /* colon- or comma-separated directories; "" => the defaults
                                     (cb_scan_default_roots: $HOME, $TMPDIR, /tmp) */
  int stdio;              /* 1 => MCP over stdin/stdout instead of HTTP */
} srv_config;

/* Fills *out from defaults, the environment (getenv) and argv[1..argc-1]. Unknown flags and
 * extra arguments are SRV_EINVAL ("unknown option '--prot'; see codebase-mcp --help").
 * `help` sets subcommand = SRV_CMD_HELP and returns SRV_OK (the caller prints usage). */
srv_code srv_config_load(const srv_config_defaults *defaults, int argc, char **argv,
                         srv_config *out, srv_err *err);

/* Prints the --help text (usage, subcommands, every flag with its variable and default). */
void srv_config_usage(const srv_config_defaults *defaults, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* SRV_CONFIG_H */
