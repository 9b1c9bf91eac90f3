#!/usr/bin/env bash
# Proves the `remote-cache` config (.bazelrc) with a real HTTP cache on loopback: nginx with
# WebDAV PUT (Debian's nginx) serves Bazel's HTTP cache protocol (GET/PUT of /ac/<hash> and
# /cas/<hash>). Two builds, each from an empty output base and without the local disk cache, share
# only that cache: the first fills it, the second must take its actions from it, and the script
# prints Bazel's "remote cache hit" count of each (exit 1 if the second had none).
#
#   bash ci/remote_cache_proof.sh [TARGET...]     # default //models:models //models:validate_record
#
# A manual check (it builds twice from scratch): not part of `bazel test //...`. Installs nginx
# with apt-get when it is missing (as root).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(//models:models //models:validate_record)
say() { printf 'remote-cache: %s\n' "$*"; }

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  [ "$(id -u)" -eq 0 ] || { say "nginx is missing: run as root (apt-get install nginx)"; exit 2; }
  say "installing nginx (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null || { say "apt-get install nginx failed"; exit 2; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /tmp/remote-cache-proof.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/cache" "$work/tmp"
cat >"$work/nginx.conf" <<EOF
$([ "$(id -u)" -eq 0 ] && echo "user root;")
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 256; }
http {
  access_log $work/access.log;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp; uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$port;
    root $work/cache;
    client_max_body_size 0;
    location / {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
EOF
"$NGINX" -c "$work/nginx.conf" -p "$work" || { say "nginx did not start (see $work/error.log)"; exit 2; }
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  for ob in "$work/ob1" "$work/ob2"; do
    [ -d "$ob" ] && bazel --output_base="$ob" shutdown >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT
say "HTTP cache: nginx WebDAV at http://127.0.0.1:$port (store $work/cache)"

hits=()
for n in 1 2; do
  t0=$(date +%s)
  # --disk_cache= turns the local disk cache off, so only the HTTP cache can supply results.
  bazel --output_base="$work/ob$n" build --config=remote-cache --config=ci --disk_cache= \
    --remote_cache="http://127.0.0.1:$port" "${targets[@]}" >"$work/build$n.log" 2>&1 ||
    { say "build $n failed:"; tail -20 "$work/build$n.log"; exit 1; }
  line=$(grep -E 'INFO: [0-9]+ processes' "$work/build$n.log" | tail -1)
  h=$(echo "$line" | grep -oE '[0-9]+ remote cache hit' | grep -oE '^[0-9]+')
  hits+=("${h:-0}")
  say "build $n (empty output base): $(($(date +%s) - t0)) s; ${line#INFO: }"
  bazel --output_base="$work/ob$n" shutdown >/dev/null 2>&1
done
say "cache holds $(find "$work/cache" -type f | wc -l) entries ($(du -sh "$work/cache" | cut -f1))"
if [ "${hits[1]}" -gt 0 ]; then
  say "PASS: the second build took ${hits[1]} actions from the HTTP cache (first: ${hits[0]})"
  exit 0
fi
say "FAIL: the second build had no remote cache hit"
exit 1
