"""The language switch keeps what a user chose, in the browser (headless Chromium): the
browser holds a selectbox's choice as its label, so after a switch the label must come back
in the new language (perfbudget.ui.session._keep_choices_across_languages). Before, the
成本分析 class picker kept its Chinese label while the page fell back to the first class."""

from __future__ import annotations

import pytest

from perfbudget import db
from tests.hand_fixture import seed_hand_costs, seed_hand_fixture
from tests.pages import test_browser as harness
from tests.pages.test_browser import _settle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """streamlit on the hand fixture with its cost rows (several 一类事 classes)."""
    path = tmp_path_factory.mktemp("language") / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    seed_hand_costs(conn)
    conn.close()
    yield from harness.serve(path)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(harness.CHROMIUM), args=harness.CHROMIUM_ARGS
        )
        context = chromium.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN")
        yield context.new_page()
        chromium.close()


def _class_box(page):
    return page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first


def _chosen(page) -> str:
    """What the class picker shows: the browser holds it in the combobox's input."""
    return _class_box(page).locator("input[role=combobox]").input_value()


def test_a_chosen_class_keeps_its_choice_and_gets_its_english_label(server, page):
    page.goto(f"{server}/costs")
    _settle(page)
    _class_box(page).click()
    page.get_by_role("option", name="绿化养护（平方米）· 3个项目").click()
    _settle(page)
    assert _chosen(page) == "绿化养护（平方米）· 3个项目"
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"] label').first.click()
    _settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert _chosen(page) == "绿化养护 (平方米) · 3 projects"
    # the page's figures are the chosen class's, not the first one's (道路养护, 公里)
    assert "公里" not in page.locator('[data-testid="stMetric"]').first.inner_text()
