"""A real `streamlit run` server beside the command line (issue 9, item 5), in headless
Chromium: a CLI import while the dashboard runs is handed to it and the page then shows the
new month; a page opened while a CLI import holds the file waits with a message and opens
when the import is done. Server logs land in test-artifacts/.

Figures (tests/hand_fixture.py): spending is reported up to July 2025; the import adds August."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from perfbudget import db, inbox
from tests.hand_fixture import seed_hand_fixture
from tests.pages.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _free_port, _settle

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def streamlit_server(path: Path, log_name: str):
    """streamlit run app.py on the database at `path`; its base URL."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env={**os.environ, "PERFBUDGET_DB": str(path)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
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
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def hand_file(tmp_path) -> Path:
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2000}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def test_a_cli_import_while_the_dashboard_runs_shows_on_the_page(hand_file, tmp_path, page):
    with streamlit_server(hand_file, "streamlit_inbox_import.log") as base:
        page.goto(base)
        _settle(page)
        assert "数据截至 2025年7月" in main_text(page)
        assert inbox.live_worker(hand_file) is not None  # the dashboard holds the file now
        sheet = tmp_path / "预算执行_8月.csv"
        sheet.write_text("年度,月份,项目编码,累计支出\n2025,8,P001,600000\n", encoding="utf-8")
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "perfbudget", "import", str(sheet), "--db", str(hand_file)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        took = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        assert result.stderr == inbox.HANDED + "\n"
        assert "导入预算执行1行" in result.stdout
        page.reload()
        _settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "数据截至 2025年8月" in main_text(page)
        print(f"CLI import handed to the running dashboard: {took:.1f} s")


def test_a_page_opened_while_a_cli_import_holds_the_file_waits_then_opens(hand_file, page):
    with streamlit_server(hand_file, "streamlit_inbox_wait.log") as base:
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                textwrap.dedent(f"""
                import duckdb, time
                conn = duckdb.connect({str(hand_file)!r})
                print("ready", flush=True)
                time.sleep(8)
                conn.close()
            """),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline().strip() == "ready"
            page.goto(base)
            page.get_by_text("数据库正被命令行导入占用，正在等待").wait_for(timeout=30_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            page.screenshot(path=str(ARTIFACTS / "inbox_waiting.png"))
            page.get_by_role("heading", name="预算绩效总览").wait_for(timeout=60_000)
        finally:
            holder.wait(30)
        _settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "正被命令行导入占用" not in main_text(page)
        assert "数据截至 2025年7月" in main_text(page)
