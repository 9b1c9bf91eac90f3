#!/usr/bin/env bash
# serve.sh — use the servers for real: codebase-mcp and workflow-mcp on a persistent embedded
# PostgreSQL, ready for an MCP client. Run `bash ci/serve.sh --help` for the options.
#
# What a start does: ci/bootstrap.sh (Debian packages, grammars), `bazel build -c opt` of both
# servers, a copy of the binaries into the data home, a PostgreSQL cluster in the data home
# (initdb on first use, reused afterwards, so indexes and work items survive restarts; Unix socket
# only, no TCP), the two databases, both `migrate`s, both servers on 8020 / 8010 (or the next free
# ports), then the URLs, logs and MCP client configuration. Foreground by default (Ctrl-C stops
# everything); --detach returns once all is up.
#
# The data home is $MCP_SUITE_HOME, else /var/lib/mcp-suite as root (PostgreSQL runs as the
# `postgres` user then, which cannot enter /root), else ${XDG_DATA_HOME:-~/.local/share}/mcp-suite.
#   bin/                the installed server binaries (what the stdio configuration launches)
#   pg/                 the PostgreSQL data directory; its socket lives there too
#   logs/               postgres.log, codebase-mcp.log, workflow-mcp.log, migrate.log
#   run/                pid and port files while running (gone after --stop)
#   state.env           the databases and codebase-mcp URL; the servers read it when DATABASE_URL
#                       is unset (servers/common/config.h), so `codebase-mcp --stdio` just works
#   mcp-http.json, mcp-stdio.json   the client configurations printed at start
# Start and stop hold a lock on the data home directory itself (flock), so no lock file exists;
# every process started while it is held gets `9<&-`, or it would keep the lock for its lifetime.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVERS=(codebase-mcp workflow-mcp)
PG_SUPERUSER=postgres

say() { printf 'serve: %s\n' "$*"; }
warn() { printf 'serve: %s\n' "$*" >&2; }
die() { printf 'serve: ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<'EOF'
usage: bash ci/serve.sh [--detach] [--index PATH]... [options]   start (or find running) servers
       bash ci/serve.sh --status                                  what runs, where, how healthy
       bash ci/serve.sh --stop                                    stop servers and PostgreSQL
       bash ci/serve.sh --help

Starts codebase-mcp (MCP at http://127.0.0.1:8020/mcp) and workflow-mcp (8010) on a PostgreSQL
cluster kept in the data home, so indexed projects and work items survive restarts. The first
start bootstraps the machine (ci/bootstrap.sh, as root) and builds with `bazel build -c opt`;
later starts rebuild only what changed. A start while the servers run says so, prints the same
configuration and exits 0 (with --index it indexes against the running servers).

options:
  --detach, -d          return once everything is up (default: stay in the foreground; Ctrl-C
                        stops everything cleanly)
  --index PATH          after start, index the repository at PATH into project <its directory
                        name> (lowercase, [a-z0-9_-]) and show progress until done; repeatable
  --codebase-port N     first port to try for codebase-mcp (default 8020; the next 20 are tried
                        if it is taken, and the output says which one was used)
  --workflow-port N     first port to try for workflow-mcp (default 8010)
  --bin-dir DIR         use prebuilt binaries (DIR/codebase-mcp or DIR/servers/codebase_mcp/
                        codebase-mcp, likewise workflow-mcp) instead of bootstrap + build
  --status              exit 0 when all runs, 3 when nothing runs, 1 when only some parts run
  --stop                stop both servers (SIGTERM; in-flight requests finish) and PostgreSQL
                        (fast shutdown); leaves no process, pid or lock file behind; keeps data

environment:
  MCP_SUITE_HOME        the data home (default: /var/lib/mcp-suite as root, otherwise
                        ${XDG_DATA_HOME:-$HOME/.local/share}/mcp-suite)

How the servers find the database: flag --database-url > DATABASE_URL > the state file
<data home>/state.env (written here) > postgresql:///<server_name>. An MCP client that launches
`codebase-mcp --stdio` therefore needs no environment when it runs as the same user; the printed
stdio configuration still names DATABASE_URL, so it works from any account that can reach the
socket. To use your own PostgreSQL instead, see docs/operations/using-with-an-assistant.md.
EOF
}

# ---- arguments ---------------------------------------------------------------------------------
action=start
detach=0
cb_port0=8020
wf_port0=8010
bin_src=""
index_paths=()
while [ $# -gt 0 ]; do
  case "$1" in
    --help | -h) usage; exit 0 ;;
    --stop) action=stop ;;
    --status) action=status ;;
    --detach | -d) detach=1 ;;
    --index) [ $# -ge 2 ] || die "--index needs a path (--index PATH)"; index_paths+=("$2"); shift ;;
    --index=*) index_paths+=("${1#--index=}") ;;
    --codebase-port | --workflow-port)
      [ $# -ge 2 ] || die "$1 needs a port number"
      [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] && [ "$2" -le 65515 ] || die "$1 must be 1-65515, got '$2'"
      if [ "$1" = --codebase-port ]; then cb_port0=$2; else wf_port0=$2; fi
      shift ;;
    --bin-dir) [ $# -ge 2 ] || die "--bin-dir needs a directory"; bin_src=$2; shift ;;
    *) die "unknown argument '$1'; see bash ci/serve.sh --help" ;;
  esac
  shift
done

# ---- where things live -------------------------------------------------------------------------
euid=$(id -u)
if [ -n "${MCP_SUITE_HOME:-}" ]; then
  home=$MCP_SUITE_HOME
elif [ "$euid" -eq 0 ]; then
  home=/var/lib/mcp-suite
else
  [ -n "${HOME:-}" ] || die "HOME is unset: set MCP_SUITE_HOME to a directory for the data"
  home=${XDG_DATA_HOME:-$HOME/.local/share}/mcp-suite
fi
case "$home" in /*) ;; *) home="$(pwd)/$home" ;; esac
pgdata=$home/pg
run=$home/run
logs=$home/logs
bin=$home/bin
state=$home/state.env

# As root, PostgreSQL runs as `postgres`; otherwise as the caller.
as_pg() {
  if [ "$euid" -eq 0 ]; then
    setpriv --reuid="$PG_SUPERUSER" --regid="$PG_SUPERUSER" --init-groups -- "$@"
  else
    "$@"
  fi
}

pg_bindir() {
  local d best="" v bestv=0
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/postgres" ] || continue
    v=${d#/usr/lib/postgresql/}; v=${v%/bin}
    [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -gt "$bestv" ] && { bestv=$v; best=$d; }
  done
  [ -n "$best" ] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin: run bash ci/bootstrap.sh (installs postgresql)"
  printf '%s\n' "$best"
}

# URL of database $1 on the cluster's socket (the data directory); the characters that would end
# or split a query value are percent-encoded, '/' is kept for readability.
db_url() {
  local enc=$pgdata
  enc=${enc//%/%25}; enc=${enc// /%20}; enc=${enc//&/%26}; enc=${enc//#/%23}
  enc=${enc//=/%3D}; enc=${enc//\?/%3F}; enc=${enc//+/%2B}
  printf 'postgresql:///%s?host=%s&user=%s\n' "$1" "$enc" "$PG_SUPERUSER"
}

# ---- processes ---------------------------------------------------------------------------------
# 0 when pid $1 is alive and its command line contains $2 (guards against a reused pid; a zombie
# has an empty command line).
alive() {
  local pid=$1 name=$2
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$name"
}
pid_of() { [ -f "$run/$1.pid" ] && cat "$run/$1.pid" 2>/dev/null || true; }
port_of() { [ -f "$run/$1.port" ] && cat "$run/$1.port" 2>/dev/null || true; }
pg_pid() { [ -f "$pgdata/postmaster.pid" ] && head -1 "$pgdata/postmaster.pid" 2>/dev/null || true; }
server_up() { alive "$(pid_of "$1")" "$bin/$1"; }
PG_CMD="postgres -D $pgdata "
pg_up() { alive "$(pg_pid)" "$PG_CMD"; }

# Waits up to $3 seconds for pid $1 (command $2) to exit; 0 once it has.
wait_gone() {
  local pid=$1 name=$2 i
  for ((i = 0; i < $3 * 10; i++)); do
    alive "$pid" "$name" || return 0
    sleep 0.1
  done
  return 1
}

lock() {
  exec 9<"$home"
  flock -w 120 9 || die "another ci/serve.sh start or stop has held $home for 2 minutes; retry"
}
unlock() { exec 9<&-; } # (a redirection of stderr here would stay for the whole script)

health_status() { # $1 port -> healthy / degraded / unhealthy / down
  local body
  body=$(curl -s --max-time 2 "http://127.0.0.1:$1/health" 2>/dev/null) || { echo down; return; }
  jq -r '.status // "unknown"' <<<"$body" 2>/dev/null || echo unknown
}

# ---- stop --------------------------------------------------------------------------------------
stop_all() {
  local name pid stopped=()
  for name in workflow-mcp codebase-mcp; do
    pid=$(pid_of "$name")
    if alive "$pid" "$bin/$name"; then
      kill -TERM "$pid" 2>/dev/null || true
      if ! wait_gone "$pid" "$bin/$name" 35; then
        warn "$name (pid $pid) did not stop within 35 s of SIGTERM; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" "$bin/$name" 5 || true
      fi
      stopped+=("$name (pid $pid)")
    fi
  done
  pid=$(pg_pid)
  if alive "$pid" "$PG_CMD"; then
    kill -INT "$pid" 2>/dev/null || true # fast shutdown: sessions end, data is flushed
    if ! wait_gone "$pid" "$PG_CMD" 60; then
      warn "PostgreSQL (pid $pid) did not stop within 60 s; immediate shutdown"
      kill -QUIT "$pid" 2>/dev/null || true
      wait_gone "$pid" "$PG_CMD" 10 || true
    fi
    stopped+=("PostgreSQL (pid $pid)")
  fi
  rm -rf "$run"
  if [ ${#stopped[@]} -gt 0 ]; then
    say "stopped: ${stopped[*]}; data kept in $pgdata"
  elif [ "${1:-}" != quiet ]; then
    say "nothing was running (data in $pgdata)"
  fi
}

if [ "$action" = stop ]; then
  [ -d "$home" ] || { say "nothing was running (no data home $home)"; exit 0; }
  # A foreground start stops everything itself on SIGTERM; give it the chance first.
  sup=$(pid_of serve)
  quiet=""
  if alive "$sup" serve.sh; then
    kill -TERM "$sup" 2>/dev/null || true
    if wait_gone "$sup" serve.sh 120; then
      say "the foreground ci/serve.sh (pid $sup) stopped the servers and PostgreSQL"
      quiet=quiet
    else
      warn "the foreground ci/serve.sh (pid $sup) did not exit within 120 s; stopping its parts"
    fi
  fi
  exec 9<"$home"
  flock -w 30 9 || warn "another ci/serve.sh start or stop has held $home for 30 s; stopping anyway"
  stop_all $quiet
  exit 0
fi

# ---- status ------------------------------------------------------------------------------------
if [ "$action" = status ]; then
  up=0 total=3
  if pg_up; then
    say "PostgreSQL     running   pid $(pg_pid), data $pgdata"; up=$((up + 1))
  else
    say "PostgreSQL     stopped   data $pgdata$([ -f "$pgdata/PG_VERSION" ] || echo ' (not created yet)')"
  fi
  for name in "${SERVERS[@]}"; do
    if server_up "$name"; then
      p=$(port_of "$name")
      say "$(printf '%-14s' "$name") running   pid $(pid_of "$name"), http://127.0.0.1:$p/mcp, health $(health_status "$p"), log $logs/$name.log"
      up=$((up + 1))
    else
      say "$(printf '%-14s' "$name") stopped"
    fi
  done
  sup=$(pid_of serve)
  alive "$sup" serve.sh && say "supervised by the foreground ci/serve.sh, pid $sup"
  [ "$up" -eq "$total" ] && exit 0
  [ "$up" -eq 0 ] && exit 3
  say "only some parts run: bash ci/serve.sh --stop, then start again"
  exit 1
fi

# ---- start -------------------------------------------------------------------------------------
# Index paths are checked before anything starts.
index_repos=()
index_projects=()
for p in "${index_paths[@]}"; do
  [ -d "$p" ] || die "--index $p: no such directory (give the path of a repository to index)"
  abs=$(cd "$p" && pwd -P)
  proj=$(basename "$abs" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_\n-' '-' | cut -c1-64)
  [ -n "$proj" ] && [ "$proj" != "-" ] || proj=default
  index_repos+=("$abs")
  index_projects+=("$proj")
done

if [ -d "$home" ]; then :; else
  mkdir -p "$home" || die "cannot create the data home $home (set MCP_SUITE_HOME to a writable directory)"
  chmod 0755 "$home"
fi

print_summary() {
  local cb=$1 wf=$2
  jq -n --arg cb "http://127.0.0.1:$cb/mcp" --arg wf "http://127.0.0.1:$wf/mcp" '{mcpServers: {
      "codebase-mcp": {type: "http", url: $cb}, "workflow-mcp": {type: "http", url: $wf}}}' \
    >"$home/mcp-http.json"
  jq -n --arg cbbin "$bin/codebase-mcp" --arg wfbin "$bin/workflow-mcp" \
    --arg cbdb "$(db_url codebase_mcp)" --arg wfdb "$(db_url workflow_mcp)" \
    --arg cburl "http://127.0.0.1:$cb" '{mcpServers: {
      "codebase-mcp": {command: $cbbin, args: ["--stdio"], env: {DATABASE_URL: $cbdb}},
      "workflow-mcp": {command: $wfbin, args: ["--stdio"],
                       env: {DATABASE_URL: $wfdb, CODEBASE_MCP_URL: $cburl}}}}' \
    >"$home/mcp-stdio.json"
  cat <<EOF

  codebase-mcp   http://127.0.0.1:$cb/mcp   (health http://127.0.0.1:$cb/health)
  workflow-mcp   http://127.0.0.1:$wf/mcp   (health http://127.0.0.1:$wf/health)
  PostgreSQL     $pgdata (Unix socket there, no TCP)
  logs           $logs/{codebase-mcp,workflow-mcp,postgres,migrate}.log
  stop           bash ci/serve.sh --stop$([ "$detach" -eq 1 ] || echo '   (or Ctrl-C here)')
  status         bash ci/serve.sh --status

MCP client configuration, Streamable HTTP ($home/mcp-http.json):
$(cat "$home/mcp-http.json")

MCP client configuration, stdio: the client launches the servers itself ($home/mcp-stdio.json):
$(cat "$home/mcp-stdio.json")

More clients and a first session: docs/operations/using-with-an-assistant.md
EOF
}

index_all() { # $1 codebase port; 0 when every job completed
  local cb=$1 i repo proj body job st line last="" failed=0 tty=0 misses job_status
  [ -t 1 ] && tty=1
  for i in "${!index_repos[@]}"; do
    repo=${index_repos[$i]}
    proj=${index_projects[$i]}
    body=$(jq -cn --arg r "$repo" --arg p "$proj" '{repo_path: $r, project_id: $p}')
    if ! st=$(curl -s --max-time 30 -H 'Content-Type: application/json' -d "$body" \
      "http://127.0.0.1:$cb/mcp/start_indexing_background"); then
      warn "index $repo: codebase-mcp did not answer"; failed=1; continue
    fi
    job=$(jq -r '.job_id // empty' <<<"$st" 2>/dev/null || true)
    if [ -z "$job" ]; then
      warn "index $repo: $(jq -r '.error.message // .' <<<"$st" 2>/dev/null || echo "$st")"
      failed=1; continue
    fi
    say "indexing $repo into project '$proj' (job $job)"
    misses=0
    while :; do
      sleep 1
      if ! st=$(curl -sf --max-time 10 "http://127.0.0.1:$cb/mcp/jobs/$job"); then
        misses=$((misses + 1))
        if [ "$misses" -ge 60 ]; then
          [ "$tty" -eq 1 ] && echo
          warn "indexing $repo: no job status from codebase-mcp for a minute (see $logs/codebase-mcp.log)"
          failed=1; break
        fi
        continue
      fi
      misses=0
      line=$(jq -r '"\(.status) \(.percent // 0 | floor)% files \(.files_indexed // 0)/\(.files_total // "?") chunks \(.chunks_created // 0)"' <<<"$st" 2>/dev/null || echo "waiting for codebase-mcp")
      if [ "$tty" -eq 1 ]; then printf '\r  %-70s' "$line"; elif [ "$line" != "$last" ]; then echo "  $line"; fi
      last=$line
      job_status=$(jq -r '.status // empty' <<<"$st" 2>/dev/null || true)
      case "$job_status" in
        completed) [ "$tty" -eq 1 ] && echo
          say "indexed $repo: search it with search_code {\"query\": \"...\", \"project_id\": \"$proj\"};"
          say "  work items that reference it belong in the workflow-mcp project named \"$proj\""
          break ;;
        failed) [ "$tty" -eq 1 ] && echo
          warn "indexing $repo failed: $(jq -r '.error // "no reason given"' <<<"$st" 2>/dev/null || echo "$st")"
          failed=1; break ;;
      esac
    done
  done
  return $failed
}

command -v flock >/dev/null 2>&1 || die "flock is missing: install util-linux"
lock
if server_up codebase-mcp || server_up workflow-mcp || pg_up; then
  if server_up codebase-mcp && server_up workflow-mcp && pg_up; then
    sup=$(pid_of serve)
    detach=1 # for the summary: this invocation does not supervise
    say "already running (codebase-mcp pid $(pid_of codebase-mcp), workflow-mcp pid $(pid_of workflow-mcp), PostgreSQL pid $(pg_pid)$(alive "$sup" serve.sh && echo ", foreground ci/serve.sh pid $sup"))"
    unlock
    print_summary "$(port_of codebase-mcp)" "$(port_of workflow-mcp)"
    rc=0
    [ ${#index_repos[@]} -eq 0 ] || index_all "$(port_of codebase-mcp)" || rc=1
    exit $rc
  fi
  die "only some parts are running (see bash ci/serve.sh --status): run bash ci/serve.sh --stop, then start again"
fi

# Build (or take prebuilt binaries) and install them into the data home.
if [ -z "$bin_src" ]; then
  say "bootstrapping (ci/bootstrap.sh)"
  bash "$here/ci/bootstrap.sh" 9<&-
  say "building optimised binaries (bazel build -c opt)"
  (cd "$here" && bazel build -c opt //servers/codebase_mcp:codebase-mcp //servers/workflow_mcp:workflow-mcp 9<&-) \
    || die "the build failed (output above)"
  bin_src=$(cd "$here" && bazel info -c opt bazel-bin 2>/dev/null 9<&-) || die "bazel info -c opt bazel-bin failed"
fi
for tool in curl jq flock setpriv; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: run bash ci/bootstrap.sh (as root)"
done
mkdir -p "$bin" "$logs" "$run"
for name in "${SERVERS[@]}"; do
  src=$bin_src/$name
  [ -x "$src" ] || src=$bin_src/servers/${name//-/_}/$name
  [ -x "$src" ] || die "no $name binary in $bin_src (looked for $bin_src/$name and $src)"
  cp -f "$src" "$bin/.$name.new" && chmod 0755 "$bin/.$name.new" && mv -f "$bin/.$name.new" "$bin/$name"
done

# Everything started below is stopped again if the start fails half way.
started=0
on_start_failure() { [ "$started" -eq 1 ] || { warn "start failed; stopping what was started"; stop_all >&2; }; }
trap on_start_failure EXIT

# PostgreSQL: initdb on first use, then start on a socket in the data directory.
bindir=$(pg_bindir)
if [ "$euid" -eq 0 ]; then
  id "$PG_SUPERUSER" >/dev/null 2>&1 || die "as root PostgreSQL runs as the '$PG_SUPERUSER' user, which does not exist: run bash ci/bootstrap.sh"
  as_pg test -x "$home" || die "the '$PG_SUPERUSER' user cannot enter $home: give every parent directory o+x, or set MCP_SUITE_HOME elsewhere"
fi
touch "$logs/postgres.log"
if [ ! -f "$pgdata/PG_VERSION" ]; then
  say "creating the PostgreSQL cluster in $pgdata (first start)"
  rm -rf "$pgdata" && mkdir -m 0700 "$pgdata"
  [ "$euid" -ne 0 ] || chown "$PG_SUPERUSER:" "$pgdata"
  as_pg "$bindir/initdb" -D "$pgdata" -U "$PG_SUPERUSER" --auth-local=trust --auth-host=reject \
    --locale=C -E UTF8 >>"$logs/postgres.log" 2>&1 \
    || die "initdb failed: see $logs/postgres.log"
fi
have=$(cat "$pgdata/PG_VERSION")
[ "$have" = "$(basename "$(dirname "$bindir")")" ] \
  || die "the cluster in $pgdata is PostgreSQL $have but $bindir is another version: start it with that version, or move $pgdata away to start afresh"
setsid bash -c 'exec "$@" >>"$0" 2>&1 </dev/null' "$logs/postgres.log" \
  $( [ "$euid" -eq 0 ] && echo setpriv --reuid="$PG_SUPERUSER" --regid="$PG_SUPERUSER" --init-groups -- ) \
  "$bindir/postgres" -D "$pgdata" -k "$pgdata" -c listen_addresses= -c unix_socket_permissions=0700 \
  -c max_connections=200 -c logging_collector=off 9<&- &
pm=$!
disown "$pm" 2>/dev/null || true
for ((i = 0; i < 600; i++)); do
  "$bindir/pg_isready" -q -h "$pgdata" -d postgres -U "$PG_SUPERUSER" && break
  kill -0 "$pm" 2>/dev/null || die "PostgreSQL exited during start: $(tail -5 "$logs/postgres.log")"
  sleep 0.1
done
"$bindir/pg_isready" -q -h "$pgdata" -d postgres -U "$PG_SUPERUSER" \
  || die "PostgreSQL did not accept connections within 60 s: see $logs/postgres.log"
for db in codebase_mcp workflow_mcp; do
  exists=$("$bindir/psql" -h "$pgdata" -U "$PG_SUPERUSER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'") || die "psql could not list the databases"
  [ "$exists" = 1 ] || "$bindir/createdb" -h "$pgdata" -U "$PG_SUPERUSER" "$db" \
    || die "createdb $db failed"
done
for name in "${SERVERS[@]}"; do
  db=${name//-/_}
  DATABASE_URL=$(db_url "$db") "$bin/$name" migrate >>"$logs/migrate.log" 2>&1 \
    || die "$name migrate failed: $(tail -3 "$logs/migrate.log")"
done

# " (by PID n, comm)" for the listener on loopback port $1 when ss can tell.
holder() {
  local l
  l=$(ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -1) || true
  [ -n "$l" ] && printf ' (by PID %s, %s)' "${l##*pid=}" "$(sed 's/users:(("\([^"]*\)".*/\1/' <<<"$l")"
  return 0
}

# Starts server $1 from port $2 upwards (a port in use makes the server exit 2: try the next);
# extra environment in the remaining arguments. Sets $got_port.
start_server() {
  local name=$1 port=$2 pid code line
  shift 2
  for ((try = 0; try <= 20; try++, port++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      say "$name: port $port is taken$(holder "$port"); trying $((port + 1))"
      continue
    fi
    setsid env PORT="$port" DATABASE_URL="$(db_url "${name//-/_}")" "$@" "$bin/$name" \
      >>"$logs/$name.log" 2>&1 </dev/null 9<&- &
    pid=$!
    echo "$pid" >"$run/$name.pid" # at once, so a failed start stops it too
    for ((i = 0; i < 300; i++)); do
      if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid" && code=0 || code=$?
        rm -f "$run/$name.pid"
        if [ "$code" -eq 2 ]; then
          say "$name: port $port is taken$(holder "$port"); trying $((port + 1))"
          continue 2
        fi
        die "$name exited with code $code during start: $(tail -5 "$logs/$name.log")"
      fi
      if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/health" && sleep 0.2 &&
        kill -0 "$pid" 2>/dev/null; then
        echo "$port" >"$run/$name.port"
        disown "$pid" 2>/dev/null || true # no "Killed" job notice from bash if it dies later
        got_port=$port
        return 0
      fi
      sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null || true
    die "$name did not answer /health on port $port within 30 s: see $logs/$name.log"
  done
  die "$name: ports $2-$((port - 1)) are all taken: pass --${name%%-*}-port N with a free port"
}

start_server codebase-mcp "$cb_port0"
cb_port=$got_port
start_server workflow-mcp "$wf_port0" CODEBASE_MCP_URL="http://127.0.0.1:$cb_port"
wf_port=$got_port
[ "$cb_port" = "$cb_port0" ] || say "NOTE: codebase-mcp runs on port $cb_port, not $cb_port0 (taken)"
[ "$wf_port" = "$wf_port0" ] || say "NOTE: workflow-mcp runs on port $wf_port, not $wf_port0 (taken)"

{
  echo "# Written by ci/serve.sh at every start. codebase-mcp and workflow-mcp read it when"
  echo "# DATABASE_URL is unset (see their --help); delete it to stop that."
  echo "CODEBASE_MCP_DATABASE_URL=$(db_url codebase_mcp)"
  echo "WORKFLOW_MCP_DATABASE_URL=$(db_url workflow_mcp)"
  echo "CODEBASE_MCP_URL=http://127.0.0.1:$cb_port"
} >"$state.new" && mv -f "$state.new" "$state"
started=1
trap - EXIT

say "up: codebase-mcp pid $(pid_of codebase-mcp), workflow-mcp pid $(pid_of workflow-mcp), PostgreSQL pid $(pg_pid)"
print_summary "$cb_port" "$wf_port"

if [ "$detach" -eq 1 ]; then
  unlock
  rc=0
  [ ${#index_repos[@]} -eq 0 ] || index_all "$cb_port" || rc=1
  exit $rc
fi

# Foreground: supervise until Ctrl-C, SIGTERM (from --stop) or a part dying.
echo $$ >"$run/serve.pid"
unlock
stopping=0
on_signal() {
  [ "$stopping" -eq 0 ] || return 0
  stopping=1
  echo
  say "stopping"
  lock
  stop_all
  exit 0
}
trap on_signal INT TERM HUP
[ ${#index_repos[@]} -eq 0 ] || index_all "$cb_port" || warn "some indexing failed (above); the servers keep running"
say "running in the foreground; Ctrl-C stops everything"
while :; do
  sleep 1 &
  wait $! || true
  for name in "${SERVERS[@]}"; do
    if ! server_up "$name"; then
      warn "$name exited unexpectedly; stopping the rest. The end of $logs/$name.log:"
      tail -3 "$logs/$name.log" >&2 || true
      stopping=1; lock; stop_all; exit 1
    fi
  done
  if ! pg_up; then
    warn "PostgreSQL exited unexpectedly; stopping the rest. The end of $logs/postgres.log:"
    tail -3 "$logs/postgres.log" >&2 || true
    stopping=1; lock; stop_all; exit 1
  fi
done
