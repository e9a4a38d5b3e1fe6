# Run every check and test on Windows (PowerShell):  powershell -ExecutionPolicy Bypass -File scripts\test.ps1
# The same steps as scripts/check.sh, stopping at the first that fails. The browser tests need
# Chromium or Chrome: set PERFBUDGET_CHROMIUM to its chrome.exe, otherwise they are skipped
# with a message saying so.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
if (-not (Test-Path ".venv\Scripts\python.exe")) { py -3 -m venv .venv }
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check -r requirements-dev.txt
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check --no-deps -e .
$steps = @(
    @("ruff format", ".venv\Scripts\ruff.exe", @("format", "--check", ".")),
    @("ruff check", ".venv\Scripts\ruff.exe", @("check", ".")),
    @("mypy", ".venv\Scripts\mypy.exe", @("perfbudget")),
    @("sqlfluff", ".venv\Scripts\sqlfluff.exe", @("lint", "queries", "--processes", "1")),
    @("import-linter", ".venv\Scripts\lint-imports.exe", @())
)
foreach ($step in $steps) {
    Write-Host "==> [$($step[0])]"
    $stepArgs = $step[2]
    & $step[1] @stepArgs
    if ($LASTEXITCODE -ne 0) { Write-Error "check failed at [$($step[0])] (exit $LASTEXITCODE)"; exit $LASTEXITCODE }
}
Write-Host "==> [pytest]"
.venv\Scripts\python.exe -m pytest @args
exit $LASTEXITCODE
