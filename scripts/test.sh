#!/usr/bin/env bash
# Run every check and every test: set-up (system packages, .venv, the dev tools), then
# scripts/check.sh (ruff format --check, ruff check, mypy, sqlfluff, lint-imports, pytest with
# the query/import/CLI tests, the page tests (AppTest) and the headless-Chromium journeys).
# Extra arguments go to pytest. CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
exec bash scripts/check.sh "$@"
