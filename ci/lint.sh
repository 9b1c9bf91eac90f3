#!/usr/bin/env bash
# Banned-function check (STYLE.md): unbounded or unchecked C library calls have safer forms.
#   strcpy/strcat/sprintf/vsprintf/gets -> snprintf or explicit lengths
#   atoi/atol/atof                       -> strtol/strtod with end-pointer and range checks
# Scans the project's own C and C++ sources (not third_party, not generated output).
# Then the package map: ci/package_deps.py checks docs/internals/packages.md against the BUILD
# files' dependencies (bazel query; a forbidden edge or a stale entry fails, naming it).
# Then formatting: every C/C++ file as clang-format 14 would write it (.clang-format).
#   LINT_FILES="a.c b.h" bash ci/lint.sh   # only these files, no package map (ci/gates_test.sh)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files() {
  if [ -n "${LINT_FILES:-}" ]; then
    printf '%s\n' $LINT_FILES
  else
    git ls-files -co --exclude-standard -- '*.c' '*.h' '*.cc' | grep -v '^third_party/'
  fi
}
pattern='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atof)[[:space:]]*\('
hits=$(files | xargs -r grep -nE "$pattern" 2>/dev/null || true)
if [ -n "$hits" ]; then
  echo "lint: banned functions (use snprintf / strtol / strtod with checks):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "lint: no banned functions"

# Formatting. Fix with: clang-format -i FILE (the command is printed below).
if ! command -v clang-format >/dev/null 2>&1; then
  echo "lint: clang-format is not installed: run bash ci/bootstrap.sh" >&2
  exit 1
fi
unformatted=$(files | xargs -r -P2 -n50 clang-format --dry-run 2>&1 \
  | grep -oE '^[^ :]+:[0-9]+:[0-9]+: (warning|error)' | cut -d: -f1 | sort -u || true)
if [ -n "$unformatted" ]; then
  echo "lint: $(echo "$unformatted" | wc -l) file(s) differ from .clang-format; fix with:" >&2
  echo "  clang-format -i $(echo "$unformatted" | tr '\n' ' ')" >&2
  exit 1
fi
echo "lint: every C/C++ file matches .clang-format"

# The package map (docs/internals/packages.md) against the BUILD files' dependencies.
[ -n "${LINT_FILES:-}" ] || python3 ci/package_deps.py || exit 1
