# Start the dashboard on Windows (PowerShell):  powershell -ExecutionPolicy Bypass -File scripts\start.ps1
# Creates .venv with the pinned requirements on first run; with no database yet the dashboard
# builds the synthetic demo district on first load. Windows ships CJK fonts (Microsoft YaHei).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
if (-not (Test-Path ".venv\Scripts\python.exe")) { py -3 -m venv .venv }
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check -r requirements.txt
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check --no-deps -e .
.venv\Scripts\streamlit.exe run app.py --browser.gatherUsageStats false @args
