#!/usr/bin/env bash
# package_deps_test.sh — ci/package_deps.py fails, naming the edge, on what it exists to catch:
# a forbidden product edge, a product target using a test-only edge, a forbidden test edge and a
# stale map entry; and it passes a graph that matches the map. Runs on saved query output (no
# nested Bazel). Usage: package_deps_test.sh PACKAGE_DEPS_PY
set -uo pipefail
check="$1"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
pass=0 fail=0
expect() { # name want-rc regex -- args...
  local name="$1" want="$2" re="$3"
  shift 4
  local out rc
  out=$(python3 "$check" "$@" 2>&1)
  rc=$?
  if [ "$rc" = "$want" ] && grep -qE -- "$re" <<<"$out"; then
    pass=$((pass + 1))
    echo "ok: $name"
  else
    fail=$((fail + 1))
    echo "FAIL: $name (exit $rc, want $want; output:)"
    sed 's/^/    /' <<<"$out"
  fi
}

cat >"$tmp/map.md" <<'EOF'
# a map

```deps
[product]
models: third_party
servers/common: models third_party
[test]
servers/common: testing
testing: models  # a comment
(root): models
```
EOF
cat >"$tmp/tests.txt" <<'EOF'
//servers/common:pool_test
//testing:pg
//:sanitized
EOF
good='digraph mygraph {
  node [shape=box];
  "//models:buf"
  "//models:buf" -> "//models:error"
  "//models:stats" -> "//third_party:cjson"
  "//servers/common:pool" -> "//models:buf"
  "//servers/common:pool" -> "//third_party:cjson"
  "//servers/common:pool" -> "@bazel_tools//tools/cpp:toolchain"
  "//servers/common:pool_test" -> "//testing:pg"
  "//testing:pg" -> "//models:error"
  "//:sanitized" -> "//models:buf_test"
}'
printf '%s\n' "$good" >"$tmp/good.graph"
expect "a graph that matches the map passes" 0 '^package_deps: ok: 6 package edges \(3 used by product code\)' \
  -- --map "$tmp/map.md" --graph "$tmp/good.graph" --tests "$tmp/tests.txt"

printf '%s\n' "$good" | sed 's#^}$#  "//models:buf" -> "//servers/common:log"\n}#' >"$tmp/up.graph"
expect "a forbidden product edge fails, naming packages and targets" 1 \
  'forbidden edge models -> servers/common \(product code; the map does not allow it\): //models:buf -> //servers/common:log' \
  -- --map "$tmp/map.md" --graph "$tmp/up.graph" --tests "$tmp/tests.txt"

printf '%s\n' "$good" | sed 's#^}$#  "//servers/common:http" -> "//testing:pg"\n}#' >"$tmp/prodtest.graph"
expect "product code using a test-only edge fails" 1 \
  'forbidden edge servers/common -> testing \(product code; the map allows it for tests only\): //servers/common:http -> //testing:pg' \
  -- --map "$tmp/map.md" --graph "$tmp/prodtest.graph" --tests "$tmp/tests.txt"

printf '%s\n' "$good" | sed 's#^}$#  "//testing:pg" -> "//servers/common:pool"\n}#' >"$tmp/testedge.graph"
expect "a forbidden test edge fails" 1 \
  'forbidden edge testing -> servers/common \(tests; the map does not allow it\): //testing:pg -> //servers/common:pool' \
  -- --map "$tmp/map.md" --graph "$tmp/testedge.graph" --tests "$tmp/tests.txt"

printf '%s\n' "$good" | grep -v '"//models:stats" -> "//third_party:cjson"' >"$tmp/stale.graph"
expect "a map entry no BUILD file has any more fails" 1 \
  'stale map entry \[product\] models -> third_party' \
  -- --map "$tmp/map.md" --graph "$tmp/stale.graph" --tests "$tmp/tests.txt"

printf '# no block\n' >"$tmp/nomap.md"
expect "a map without a deps block is a usage error" 2 'has no ```deps block' \
  -- --map "$tmp/nomap.md" --graph "$tmp/good.graph" --tests "$tmp/tests.txt"

echo "package_deps_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
