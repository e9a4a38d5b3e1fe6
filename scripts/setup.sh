#!/usr/bin/env bash
# Install what PerfBudget needs on a fresh Debian/Ubuntu machine, then nothing more on later
# runs: a CJK font (Chinese in the browser and in exported images), Chromium (kaleido draws
# chart images with it; the browser tests drive it), LibreOffice Impress (the briefing as
# PDF), a virtual environment in .venv with the pinned requirements, and the perfbudget
# package itself (editable, so `perfbudget` is a command).
#   bash scripts/setup.sh          # to run the dashboard
#   bash scripts/setup.sh --dev    # to run the tests as well
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
[ "${1:-}" = "--dev" ] && dev=true

apt_packages=(fonts-noto-cjk chromium libreoffice-impress)
python3 -m venv --help >/dev/null 2>&1 || apt_packages+=(python3-venv)

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${apt_packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "==> apt-get install ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
else
  echo "==> no apt-get here: install a CJK font (e.g. Noto Sans CJK) and, for the tests," \
       "Chromium yourself; see README." >&2
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi

requirements=requirements.txt
$dev && requirements=requirements-dev.txt
stamp=".venv/.installed-$(cat "$requirements" requirements.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> pip install -r $requirements"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi
