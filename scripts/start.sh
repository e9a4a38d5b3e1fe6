#!/usr/bin/env bash
# Start the dashboard. On a fresh checkout it installs what it needs and, finding no database,
# builds the synthetic demo district on first load (labelled as synthetic in the UI).
#   bash scripts/start.sh            → http://localhost:8501, this machine only (127.0.0.1)
#   bash scripts/start.sh --listen 0.0.0.0    (or PERFBUDGET_LISTEN=0.0.0.0): reachable from
#                                    the network — every page then says that anyone can see
#                                    and change the data, as long as there is no sign-in
#   bash scripts/start.sh --server.port 8600   (extra arguments go to streamlit run)
set -euo pipefail
cd "$(dirname "$0")/.."

listen="${PERFBUDGET_LISTEN:-127.0.0.1}"
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --listen)
      if [ $# -lt 2 ] || [ -z "$2" ]; then
        echo "--listen 需要一个地址，例如 --listen 0.0.0.0 | --listen needs an address, e.g. --listen 0.0.0.0" >&2
        exit 2
      fi
      listen="$2"; shift 2 ;;
    --listen=*) listen="${1#--listen=}"; shift ;;
    *) rest+=("$1"); shift ;;
  esac
done
case "$listen" in
  127.0.0.1 | localhost | ::1) ;;
  *) echo "注意：看板将监听 $listen，网络中的任何人都能打开、查看和修改数据（尚未配置登录）。" \
          "| Note: the dashboard will listen on $listen; anyone on the network can open it and" \
          "see and change the data (sign-in is not configured)." >&2 ;;
esac

bash scripts/setup.sh
exec .venv/bin/streamlit run app.py --browser.gatherUsageStats false --server.address "$listen" \
  ${rest[@]+"${rest[@]}"}
