#!/usr/bin/env bash
# Commit-message gate: every commit since the last tag (or since the root when there is no tag)
# has a Conventional Commits subject: type(scope)!: description, with type one of
# feat fix test docs refactor perf build ci chore style revert, an optional lower-case scope, and a
# description that starts after ": ". Merge commits are skipped.
#   bash ci/commits.sh                      # check the range; exit 1 naming each bad subject
#   bash ci/commits.sh --message "feat: x"  # check one message (used by ci/gates_test.sh)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
types='feat|fix|test|docs|refactor|perf|build|ci|chore|style|revert'
re="^($types)(\\([a-z0-9_./, -]+\\))?!?: [^ ].*"
re_prefix='^[a-zA-Z]+(\(.*\))?!?: '
re_type="^($types)[(!:]"

check() { # subject -> 0 ok, 1 with the reason on stdout
  local s="$1"
  if [[ "$s" =~ $re ]]; then return 0; fi
  if [[ ! "$s" =~ $re_prefix ]]; then
    echo "no 'type: ' prefix (want one of: ${types//|/ })"
  elif [[ ! "$s" =~ $re_type ]]; then
    echo "unknown type '${s%%[(:!]*}' (want one of: ${types//|/ })"
  else
    echo "scope must be lower-case in (...) and a description must follow ': '"
  fi
  return 1
}

if [ "${1:-}" = "--message" ]; then
  why=$(check "${2:-}") && { echo "commits: ok: ${2:-}"; exit 0; }
  echo "commits: FAIL: '${2:-}': $why"
  exit 1
fi

if tag=$(git describe --tags --abbrev=0 2>/dev/null); then range="$tag..HEAD"; from="tag $tag"
else range="HEAD"; from="the root"; fi
n=0; bad=0
while IFS=$'\t' read -r sha subject; do
  n=$((n + 1))
  if ! why=$(check "$subject"); then
    bad=$((bad + 1))
    echo "commits: FAIL: ${sha:0:10} '$subject': $why"
  fi
done < <(git log --no-merges --format='%H%x09%s' $range)
echo "commits: $((n - bad)) of $n commits since $from follow Conventional Commits"
[ "$bad" -eq 0 ]
