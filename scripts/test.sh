#!/usr/bin/env bash
# Run every test: lint, the query/import/CLI tests, the page tests (AppTest) and the
# headless-Chromium journeys. Installs what it needs first. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
echo "==> ruff check"
.venv/bin/ruff check .
echo "==> pytest"
exec .venv/bin/python -m pytest "$@"
