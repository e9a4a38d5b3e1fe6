"""A real server in headless Chromium: what AppTest cannot see — charts drawn, Chinese text
rendered, an upload through the browser. Screenshots land in test-artifacts/.

Skipped only when /usr/bin/chromium is absent (CI installs it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from perfbudget import db
from tests.hand_fixture import seed_hand_fixture

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """streamlit run app.py on the hand fixture, on a free port; its base URL."""
    path = tmp_path_factory.mktemp("browser") / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    yield from serve(path)


def serve(path: Path):
    """streamlit run app.py on the database at `path`, on a free port: yields its base URL,
    stops it after."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    # kept in test-artifacts/ so a failed journey can be read after the run
    log = open(ARTIFACTS / "streamlit.log", "w+")  # noqa: SIM115
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


def _settle(page) -> None:
    """Wait until the script has finished and nothing is still loading."""
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
        timeout=30_000,
    )
    page.wait_for_timeout(500)
    page.wait_for_selector(IDLE, timeout=60_000)


def _open(page, base: str, path: str = "") -> None:
    page.goto(f"{base}/{path}")
    _settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def test_overview_draws_its_charts_and_kpis_in_chinese(server, page):
    _open(page, server)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    assert page.locator("h1").first.inner_text() == "预算绩效总览"
    # both charts drawn, with bars and lines inside
    assert page.locator(".js-plotly-plot").count() == 2
    assert page.locator(".js-plotly-plot .barlayer .point path").count() == 3  # three departments
    assert page.locator(".js-plotly-plot .scatterlayer .trace path.js-line").count() >= 2
    assert "序时进度 58.3%" in page.locator(".js-plotly-plot").first.inner_text()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert "38.8%" in metrics
    assert "2,460.00万元" in metrics
    assert _shot(page, "overview").stat().st_size > 20_000


def test_execution_table_shows_money_in_wan_with_two_decimals(server, page):
    _open(page, server, "execution")
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
    assert page.locator('[data-testid="stDataFrame"]').count() == 3
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    _shot(page, "execution")


@pytest.mark.parametrize(
    "path, title",
    [
        ("dual_monitoring", "双监控：支出进度与产出进度"),
        ("project?project=P003", "项目详情"),
        ("forecast", "年末预测"),
        ("selfeval", "绩效自评"),
        ("rectification", "整改跟踪"),
        ("disclosure", "信息公开"),
        ("departments", "部门考核"),
        ("settings", "规则设置"),
    ],
)
def test_issue5_pages_render_in_the_browser(server, page, path, title):
    _open(page, server, path)
    assert page.locator("h1").first.inner_text() == title
    _shot(page, "page_" + path.split("?")[0])


def test_a_click_on_a_dual_monitoring_bubble_opens_the_project(server, page):
    _open(page, server, "dual_monitoring")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=30_000)
    page.wait_for_timeout(1_000)  # let plotly finish drawing before clicking
    points = page.locator(".scatterlayer .trace .point")
    # a bubble may sit under another: try a few until one opens its project
    for index in range(min(points.count(), 4)):
        points.nth(index).click(force=True)
        try:
            page.wait_for_url("**/project?project=*", timeout=10_000)
            break
        except Exception:  # this bubble was covered: try the next
            continue
    else:
        pytest.fail("no bubble click opened a project page")
    _settle(page)
    # the address holds the view's language too (?project=P001&lang=zh): its project
    project = parse_qs(urlparse(page.url).query)["project"][0]
    assert page.locator("h2").first.inner_text().startswith(project)


# Last: it writes to the shared server's database (August appears), which would move the
# other journeys' default month.
def test_upload_page_imports_a_csv_through_the_browser(server, page, tmp_path):
    _open(page, server, "upload")
    assert page.locator("h1").first.inner_text() == "数据导入"
    _shot(page, "upload_before")
    csv_file = tmp_path / "预算执行_8月.csv"
    csv_file.write_text("年度,月份,项目编码,累计支出\n2025,8,P001,600000\n", encoding="utf-8")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv_file))
    page.get_by_text("预算执行_8月.csv").first.wait_for(timeout=30_000)
    _settle(page)
    page.get_by_role("button", name="开始导入").click()
    page.get_by_text("导入完成。").first.wait_for(timeout=60_000)
    _settle(page)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "导入预算执行1行" in body
    # the shared month selector now reaches August
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1).click()
    assert page.get_by_role("option", name="8月").count() == 1
    page.keyboard.press("Escape")
    _shot(page, "upload_done")
