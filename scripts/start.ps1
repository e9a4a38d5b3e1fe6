# Start the dashboard on Windows (PowerShell):  powershell -ExecutionPolicy Bypass -File scripts\start.ps1
# Creates .venv with the pinned requirements on first run; with no database yet the dashboard
# builds the synthetic demo district on first load. Windows ships CJK fonts (Microsoft YaHei).
# It listens on 127.0.0.1 (this machine only) unless told otherwise: `-File scripts\start.ps1
# --listen 0.0.0.0` (or $env:PERFBUDGET_LISTEN) makes it reachable from the network, and every
# page then says that anyone can see and change the data, as long as there is no sign-in.
# Other arguments go to streamlit run.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$listen = if ($env:PERFBUDGET_LISTEN) { $env:PERFBUDGET_LISTEN } else { "127.0.0.1" }
$rest = @()
for ($i = 0; $i -lt $args.Count; $i++) {
    if ($args[$i] -eq "--listen") {
        if ($i + 1 -ge $args.Count) { throw "--listen 需要一个地址，例如 --listen 0.0.0.0 | --listen needs an address, e.g. --listen 0.0.0.0" }
        $listen = $args[$i + 1]; $i++
    } elseif ($args[$i] -like "--listen=*") {
        $listen = $args[$i].Substring("--listen=".Length)
    } else {
        $rest += $args[$i]
    }
}
if ($listen -notin @("127.0.0.1", "localhost", "::1")) {
    Write-Warning "看板将监听 $listen，网络中的任何人都能打开、查看和修改数据（尚未配置登录）。 | The dashboard will listen on $listen; anyone on the network can open it and see and change the data (sign-in is not configured)."
}
if (-not (Test-Path ".venv\Scripts\python.exe")) { py -3 -m venv .venv }
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check -r requirements.txt
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check --no-deps -e .
.venv\Scripts\streamlit.exe run app.py --browser.gatherUsageStats false --server.address $listen @rest
