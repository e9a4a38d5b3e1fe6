"""A reload in the browser keeps the language and the month (issue 14: English and 6月, then
F5, came back Chinese and 7月): they are in the address (ui.session.URL_STATE)."""

from __future__ import annotations

import pytest

from perfbudget import db
from tests.hand_fixture import seed_hand_fixture
from tests.pages import test_browser as harness
from tests.pages.test_browser import _settle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("reload") / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    yield from harness.serve(path)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(harness.CHROMIUM), args=harness.CHROMIUM_ARGS
        )
        context = chromium.new_context(viewport={"width": 1400, "height": 1200}, locale="zh-CN")
        yield context.new_page()
        chromium.close()


def test_a_reload_keeps_the_language_and_the_month(server, page):
    page.goto(f"{server}/execution")
    _settle(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"] label').first.click()
    _settle(page)
    month = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1)
    month.click()
    page.get_by_role("option", name="Month 5").click()
    _settle(page)
    assert "lang=en" in page.url and "month=5" in page.url, page.url
    page.reload()
    _settle(page)
    assert page.locator("h1").first.inner_text() == "Budget execution"
    caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first
    assert "2025-05" in caption.inner_text()
