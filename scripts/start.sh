#!/usr/bin/env bash
# Start the dashboard. On a fresh checkout it installs what it needs and, finding no database,
# builds the synthetic demo district on first load (labelled as synthetic in the UI).
#   bash scripts/start.sh            → http://localhost:8501
#   bash scripts/start.sh --server.port 8600   (extra arguments go to streamlit run)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run app.py --browser.gatherUsageStats false "$@"
