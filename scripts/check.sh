#!/usr/bin/env bash
# Every check, in order, stopping at the first that fails: formatting, lint, types, the SQL,
# the layers, then the tests. Extra arguments go to pytest, so the fast local lane is
#   scripts/check.sh -m "not browser and not slow"
# Run scripts/setup.sh --dev once first (scripts/test.sh does both; CI runs scripts/test.sh).
set -uo pipefail
cd "$(dirname "$0")/.."

bin=.venv/bin
step() {
  local name=$1
  shift
  echo
  echo "==> [$name] $*"
  local start=$SECONDS
  "$@"
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo
    echo "!!! check failed at [$name] (exit $rc, $((SECONDS - start)) s): $*" >&2
    exit "$rc"
  fi
  echo "--- [$name] ok ($((SECONDS - start)) s)"
}

step "ruff format" "$bin/ruff" format --check .
step "ruff check" "$bin/ruff" check .
step "mypy" "$bin/mypy" perfbudget
step "sqlfluff" "$bin/sqlfluff" lint queries --processes 1
step "import-linter" "$bin/lint-imports"
step "pytest" "$bin/python" -m pytest "$@"
