# Run every test on Windows (PowerShell):  powershell -ExecutionPolicy Bypass -File scripts\test.ps1
# The browser tests need Chromium or Chrome: set PERFBUDGET_CHROMIUM to its chrome.exe,
# otherwise they are skipped with a message saying so.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
if (-not (Test-Path ".venv\Scripts\python.exe")) { py -3 -m venv .venv }
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check -r requirements-dev.txt
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check --no-deps -e .
.venv\Scripts\ruff.exe check .
.venv\Scripts\python.exe -m pytest @args
