"""A department analyst's journey in a real browser (issue 13): signed in with the users
table's form, the analyst of D01 opens a deep link to D02's project P004 and is refused, then
downloads the warnings workbook; the audit log has the sign-in and the download, both
from localhost.

Skipped only when /usr/bin/chromium is absent (CI installs it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pytest

from perfbudget import audit, db, users
from tests.hand_fixture import seed_hand_fixture
from tests.pages.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    _free_port,
    _settle,
)

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)


@contextmanager
def _serve(path, *args: str, port: int | None = None):
    """streamlit run app.py on the database file, on a free port (or `port`); yields (base URL,
    stop) — stop() ends the server so the test can read the file."""
    port = port or _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "streamlit-access.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", *args],
        cwd=ROOT,
        env={**os.environ, "PERFBUDGET_DB": str(path), "PERFBUDGET_INBOX": "0"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"streamlit did not start:\n{log.read()}")
            time.sleep(0.3)
        yield base, stop
    finally:
        stop()
        log.close()


def _database(tmp_path, *names: str):
    """The hand fixture with analysts of D01 of these names (password ana-password)."""
    path = tmp_path / "access.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    for name in names:
        users.add_user(conn, name, role="analyst", password="ana-password", departments=("D01",))
    conn.close()
    return path


@pytest.fixture
def signed_server(tmp_path):
    """The dashboard with one user, ana (analyst of D01); (base URL, database path, stop)."""
    path = _database(tmp_path, "ana")
    with _serve(path) as (base, stop):
        yield base, path, stop


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(
            viewport={"width": 1400, "height": 2000}, locale="zh-CN", accept_downloads=True
        )
        yield context.new_page()
        context.close()
        chromium.close()


def test_a_department_analyst_is_refused_another_departments_project_and_downloads(
    signed_server, page
):
    base, path, stop = signed_server
    # the deep link to D02's project, opened before signing in: only the sign-in shows
    page.goto(f"{base}/project?project=P004")
    _settle(page)
    assert page.get_by_role("heading", name="登录").count() == 1
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.get_by_label("用户名").fill("ana")
    page.get_by_label("密码").fill("ana-password")
    page.get_by_role("button", name="登录").click()
    _settle(page)
    # signed in, still at the deep link: refused, with no figure of P004
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "2025年没有可查看的项目「P004」（编码有误，或不在您的权限范围内）。" in body
    assert page.locator('[data-testid="stMetric"]').count() == 0
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "已登录：ana（分析员）" in sidebar
    page.screenshot(path=str(ARTIFACTS / "access_refused.png"))

    # the warnings page through the sidebar (the same session), and its workbook
    page.locator('[data-testid="stSidebarNav"] a', has_text="预警").first.click()
    _settle(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="下载预警表（Excel）").click()
    download = info.value
    assert download.suggested_filename == "预警_2025年07月.xlsx"
    _settle(page)

    stop()  # the server holds the file: read the log once it has let go
    conn = db.connect(path, read_only=True)
    try:
        log = audit.read(conn)
    finally:
        conn.close()
    signed = log[log["action"] == "sign_in"]
    downloaded = log[log["action"] == "download"]
    assert list(signed["user"]) == ["ana"]
    assert list(downloaded["user"]) == ["ana"]
    assert downloaded["detail"].iloc[0].endswith("预警_2025年07月.xlsx")
    # a browser on this machine: Streamlit gives no address for 127.0.0.1, the log says localhost
    assert set(signed["origin"]) | set(downloaded["origin"]) == {"localhost"}


# --- the organisation's identity provider (oidc-provider-mock) ------------------------------


@pytest.fixture
def oidc_server(tmp_path):
    """The dashboard with an [auth] section pointing at a local OIDC provider
    (oidc-provider-mock: any client, a form asking for the subject, whose email claim is the
    subject) and one users row, ana@example.org (analyst of D01); (base URL, path, stop)."""
    from oidc_provider_mock import run_server_in_thread

    path = _database(tmp_path, "ana@example.org")
    port = _free_port()
    with run_server_in_thread() as provider:
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-test-cookie-secret-of-some-length"\n'
            'client_id = "perfbudget"\n'
            'client_secret = "perfbudget-secret"\n'
            f'server_metadata_url = "http://localhost:{provider.server_port}'
            '/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        with _serve(path, "--secrets.files", str(secrets), port=port) as (base, stop):
            yield base, path, stop


def _sign_in_at_the_provider(page, base: str, subject: str) -> None:
    page.goto(base)
    _settle(page)
    page.get_by_role("button", name="用单位统一身份认证登录").click()
    page.wait_for_selector('input[name="sub"]', timeout=30_000)
    page.fill('input[name="sub"]', subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**", timeout=30_000)
    _settle(page)


def test_an_identity_provider_user_is_signed_in_with_their_users_row(oidc_server, page):
    base, path, stop = oidc_server
    _sign_in_at_the_provider(page, base, "ana@example.org")
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "（分析员）" in sidebar and "example.org" in sidebar
    assert "可查看部门：D01" in sidebar
    assert page.get_by_role("heading", name="预算绩效总览").count() == 1
    stop()
    conn = db.connect(path, read_only=True)
    try:
        log = audit.read(conn, action="sign_in")
    finally:
        conn.close()
    assert list(log["user"]) == ["ana@example.org"]
    assert list(log["detail"]) == ["oidc"]


def test_an_identity_provider_user_unknown_here_is_refused(oidc_server, page):
    base, _path, _stop = oidc_server
    _sign_in_at_the_provider(page, base, "stranger@example.org")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "未在本看板登记或已停用，无权访问" in body
    assert page.locator('[data-testid="stMetric"]').count() == 0
