"""Issue 14 at a laptop's 1280×800 on the demo district, in Chinese and in English: no text in a
tile, a table cell or a table header is cut, and no table runs past the right edge; the month
selector is above the fold; /overview opens the overview.

st.dataframe draws on a canvas, so its cells have no scroll width: the check reads the grid's
column widths from its React props and measures each shown cell's text (and header) with the
grid's own font, allowing the lines a wrapping row holds. Tiles and st.table cells are DOM:
scrollWidth ≤ clientWidth. Screenshots land in test-artifacts/laptop/.

PAGES_STILL_CUT lists what is known not to fit yet (each an xfail that must fail: strict), so a
fix shows up as an unexpected pass and the entry is removed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from perfbudget import db
from tests.pages.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    _free_port,
    _settle,
)

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
PAGES = [
    "overview",
    "execution",
    "targets",
    "warnings",
    "dual_monitoring",
    "forecast",
    "project",
    "selfeval",
    "rectification",
    "disclosure",
    "departments",
    "reliability",
    "costs",
    "budget_requests",
    "briefing",
    "upload",
    "settings",
]
# (page, language) known still to cut something at 1280 (a table wider than the page: many
# numeric columns, or English text, which the grid does not wrap): see issue 14's report
PAGES_STILL_CUT: set[tuple[str, str]] = {
    *((p, "zh") for p in ("execution", "targets", "dual_monitoring", "forecast")),
    *((p, "zh") for p in ("rectification", "reliability", "costs", "budget_requests", "upload")),
    *((p, "en") for p in ("execution", "targets", "warnings", "dual_monitoring", "forecast")),
    *((p, "en") for p in ("selfeval", "rectification", "disclosure", "reliability", "costs")),
    *((p, "en") for p in ("budget_requests", "upload")),
}

CUT_TEXT_JS = """() => {
  const out = [];
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  // tiles: st.metric's label and value
  for (const el of document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricValue"] > div, [data-testid="stMetricLabel"] p, [data-testid="stMetricDelta"] div')) {
    if (visible(el) && el.scrollWidth > el.clientWidth + 1) out.push({kind: 'tile', text: el.innerText.slice(0, 60), need: el.scrollWidth, have: el.clientWidth});
  }
  // st.table cells
  for (const el of document.querySelectorAll('[data-testid="stTable"] td, [data-testid="stTable"] th')) {
    if (visible(el) && el.scrollWidth > el.clientWidth + 1) out.push({kind: 'table', text: el.innerText.slice(0, 60), need: el.scrollWidth, have: el.clientWidth});
  }
  // st.dataframe (a canvas): the grid's own column widths against each shown cell's text
  document.querySelectorAll('[data-testid="stDataFrame"]').forEach((frame, fi) => {
    const grid = frame.querySelector('.stDataFrameGlideDataEditor');
    if (!grid || !visible(grid)) return;
    const key = Object.keys(grid).find(k => k.startsWith('__reactFiber'));
    let f = grid[key], props = null;
    for (let i = 0; f && i < 60; i++, f = f.return) {
      const pr = f.memoizedProps || {};
      if (pr.columns && pr.rowHeight !== undefined) { props = pr; break; }
    }
    if (!props) return;
    const theme = props.theme || {};
    const fontPx = parseFloat((String(theme.baseFontStyle || '').match(/([\\d.]+)px/) || [0, 14])[1]);
    const family = theme.fontFamily || 'sans-serif';
    ctx.font = `${theme.baseFontStyle || '400 14px'} ${family}`;
    const pad = theme.cellHorizontalPadding ?? 8;
    const scroller = frame.querySelector('.dvn-scroller');
    const available = grid.clientWidth - (scroller ? scroller.offsetWidth - scroller.clientWidth : 0);
    const cols = props.columns;
    const rm = props.rowMarkers;
    const marker = rm && rm !== 'none' && (rm.kind || rm) !== 'none' ? 32 : 0;
    const total = cols.reduce((s, c) => s + (c.width || 0), 0) + marker;
    if (scroller && scroller.scrollWidth > scroller.clientWidth + 2) {
      out.push({kind: 'frame', text: `table ${fi}: columns past the right edge`, need: scroller.scrollWidth, have: scroller.clientWidth});
    }
    const growSum = cols.reduce((s, c) => s + (c.grow || 0), 0);
    const extra = Math.max(0, available - total);
    const byTitle = {};
    cols.forEach(c => { if (c.width) byTitle[c.title] = c.width + (growSum ? extra * (c.grow || 0) / growSum : 0); });
    const lines = props.rowHeight >= 64 ? Math.max(1, Math.floor((props.rowHeight - 2 * (theme.cellVerticalPadding ?? 3)) / (fontPx * 1.33))) : 1;
    const table = frame.querySelector('table[role="grid"]');
    if (!table) return;
    const heads = [...table.querySelectorAll('th')];
    const widths = heads.map(th => byTitle[th.innerText.trim()]);
    heads.forEach((th, i) => {
      const w = widths[i]; const text = th.innerText.trim();
      if (!w || !text) return;
      const need = ctx.measureText(text).width + 2 * pad;
      if (need > w + 1) out.push({kind: 'header', text, need: Math.round(need), have: Math.round(w)});
    });
    const seen = new Set();
    for (const td of table.querySelectorAll('td')) {
      const i = parseInt(td.getAttribute('aria-colindex')) - 1;
      const w = widths[i]; const text = td.innerText.trim();
      if (!w || !text || seen.has(i)) continue;
      // measured: the grid wraps Chinese text over a tall row's lines, but a text with no
      // Chinese in it stays on one line however tall the row (seen on the English pages)
      const wraps = lines > 1 && /[\\u2e80-\\uffff]/.test(text);
      const room = (w - 2 * pad) * (wraps ? lines * 0.9 : 1);
      const need = ctx.measureText(text).width;
      if (need > room + 1) { seen.add(i); out.push({kind: 'cell', text: `${heads[i] ? heads[i].innerText : i}: ${text.slice(0, 50)}`, need: Math.round(need), have: Math.round(room)}); }
    }
  });
  return out;
}
"""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """streamlit run app.py on the district demo (as `perfbudget demo` builds it)."""
    # deferred: the demo builder is only needed by this module's server
    from perfbudget.demo import build_demo

    path = tmp_path_factory.mktemp("laptop") / "demo.duckdb"
    conn = db.connect(path)
    build_demo(conn)
    conn.close()
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    # kept in test-artifacts/ so a failed page can be read after the run
    log = open(ARTIFACTS / "streamlit_laptop.log", "w+")  # noqa: SIM115
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
        deadline = time.monotonic() + 120
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
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _laptop_page(chromium, base: str, path: str, lang: str, height: int = 800):
    """A fresh session at 1280 wide on `path`, switched to English when asked."""
    context = chromium.new_context(viewport={"width": 1280, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/{path}")
    _settle(page)
    if lang == "en":
        page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"] label').first.click()
        _settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    return context, page


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_text_is_cut_at_1280(demo_server, chromium, path, lang, request):
    if (path, lang) in PAGES_STILL_CUT:
        request.applymarker(pytest.mark.xfail(reason="known still cut at 1280", strict=True))
    # tall: the whole page is laid out at 1280 wide, nothing left unrendered below the fold
    context, page = _laptop_page(
        chromium, demo_server, "" if path == "overview" else path, lang, 2400
    )
    try:
        page.wait_for_timeout(1_000)  # the grids measure themselves after the first paint
        cut = page.evaluate(CUT_TEXT_JS)
        (ARTIFACTS / "laptop").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "laptop" / f"{path}_{lang}.png"), full_page=True)
    finally:
        context.close()
    assert not cut, "\n".join(
        f"{c['kind']}: {c['text']} ({c['need']} > {c['have']} px)" for c in cut
    )


def test_the_month_selector_is_above_the_fold_at_1280x800(demo_server, chromium):
    context, page = _laptop_page(chromium, demo_server, "execution", "zh")
    try:
        month = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1)
        box = month.bounding_box()
        assert box is not None and box["y"] + box["height"] <= LAPTOP["height"]
        page.screenshot(path=str(ARTIFACTS / "laptop" / "sidebar_zh.png"))
    finally:
        context.close()


def test_overview_by_its_name_opens_the_overview(demo_server, chromium):
    context, page = _laptop_page(chromium, demo_server, "overview", "zh")
    try:
        page.wait_for_timeout(1_000)
        assert page.locator('[role="dialog"]').count() == 0  # no "Page not found"
        assert page.locator("h1").first.inner_text() == "预算绩效总览"
    finally:
        context.close()
