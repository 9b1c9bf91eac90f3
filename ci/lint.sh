#!/usr/bin/env bash
# Banned-function check (STYLE.md): unbounded or unchecked C library calls have safer forms.
#   strcpy/strcat/sprintf/vsprintf/gets -> snprintf or explicit lengths
#   atoi/atol/atof                       -> strtol/strtod with end-pointer and range checks
# Scans the project's own C and C++ sources (not third_party, not generated output).
# Then the package map: ci/package_deps.py checks docs/internals/packages.md against the BUILD
# files' dependencies (bazel query; a forbidden edge or a stale entry fails, naming it).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pattern='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atof)[[:space:]]*\('
hits=$(git ls-files -co --exclude-standard -- '*.c' '*.h' '*.cc' \
        | grep -v '^third_party/' \
        | xargs -r grep -nE "$pattern" 2>/dev/null || true)
if [ -n "$hits" ]; then
  echo "lint: banned functions (use snprintf / strtol / strtod with checks):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "lint: no banned functions"

# The package map (docs/internals/packages.md) against the BUILD files' dependencies.
python3 ci/package_deps.py || exit 1
