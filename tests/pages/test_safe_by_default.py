"""Safe by default (issue 9, item 6): the start scripts bind 127.0.0.1 unless told otherwise, a
banner on every page while the dashboard listens beyond this machine without sign-in, no error
details in the browser (the full traceback in the server log), and every name, note, file name
and URL parameter shown as text — never as Markdown, HTML or a plotly tag."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import tomllib
import traceback
from pathlib import Path

import pytest
import streamlit as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from perfbudget import charts, db, ui
from tests.hand_fixture import seed_hand_fixture

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60

HOSTILE = "[点我](http://evil.test) ![x](http://evil.test/x.png) <b>x</b> :red[x]"
# what md_text makes of it: every Markdown special backslash-escaped; U+2060 after a colon that
# is followed by text, so that neither http:// nor :red[ is recognised after parsing
ESCAPED = (
    "\\[点我\\]\\(http\\:\u2060//evil.test\\) \\!\\[x\\]\\(http\\:\u2060//evil.test/x.png\\)"
    " \\<b\\>x\\</b\\> \\:\u2060red\\[x\\]"
)
PLOTLY_ESCAPED = "&lt;b&gt;x&lt;/b&gt;"
HOSTILE_FILE = "[点我](http://evil.test) <b>x</b> :red[x].csv"
VALID_CSV = "年度,月份,项目编码,累计支出\n2025,8,P001,600000\n".encode()


# --- md_text and charts.plain --------------------------------------------------------------


def test_md_text_escapes_links_images_html_and_directives():
    assert ui.md_text(HOSTILE) == ESCAPED


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("校舍维修", "校舍维修"),  # nothing to escape: unchanged
        ("预警_2025.xlsx", "预警\\_2025.xlsx"),
        ("a*b*", "a\\*b\\*"),
        ("`code`", "\\`code\\`"),
        ("# 标题", "\\# 标题"),
        ("- 列表", "\\- 列表"),  # a list item at the start
        ("3. 第三", "3\\. 第三"),  # a numbered item at the start
        ("12.5%", "12.5%"),  # a number is not a list
        ("$x^2$", "\\$x^2\\$"),  # no formula
        ("~~删~~", "\\~\\~删\\~\\~"),
        ("a | b", "a \\| b"),
        ("A&amp;B", "A\\&amp;B"),  # no entity
        ("C:\\temp", "C\\:\u2060\\\\temp"),
        ("时间: 12:30", "时间\\: 12\\:\u206030"),  # a colon before a space needs no joiner
        ("x@evil.test", "x\u2060\\@evil.test"),  # no mailto link
        ("www.evil.test", "www\u2060.evil.test"),  # no www link
        (":material/home:", "\\:\u2060material/home\\:"),
        ("两行\n文字", "两行 文字"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_md_text_cases(value, shown):
    assert ui.md_text(value) == shown


def test_md_text_for_a_badge_leaves_the_brackets_to_st_badge():
    assert ui.md_text("[a](b)", badge=True) == "[a]\\(b\\)"


def test_charts_plain_escapes_what_plotly_would_read_as_html():
    assert charts.plain("<b>x</b> & <a href='http://evil.test'>y</a>") == (
        "&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href='http://evil.test'&gt;y&lt;/a&gt;"
    )
    assert charts.plain(None) is None


# --- the start script ----------------------------------------------------------------------


def _fake_checkout(tmp_path: Path) -> Path:
    """scripts/start.sh in a tree whose setup.sh does nothing and whose streamlit prints the
    arguments it was given, one a line."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "start.sh").write_text((ROOT / "scripts" / "start.sh").read_text())
    (tmp_path / "scripts" / "setup.sh").write_text("exit 0\n")
    binary = tmp_path / ".venv" / "bin" / "streamlit"
    binary.parent.mkdir(parents=True)
    binary.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n')
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    return tmp_path


def _start(tree: Path, *args: str, env: dict[str, str] | None = None):
    environment = {k: v for k, v in os.environ.items() if k != "PERFBUDGET_LISTEN"}
    environment.update(env or {})
    return subprocess.run(
        ["bash", str(tree / "scripts" / "start.sh"), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=30,
        check=False,
    )


def _address(stdout: str) -> str:
    args = stdout.splitlines()
    return args[args.index("--server.address") + 1]


def test_start_script_binds_localhost_by_default(tmp_path):
    run = _start(_fake_checkout(tmp_path), "--server.port", "8600")
    assert run.returncode == 0, run.stderr
    assert _address(run.stdout) == "127.0.0.1"
    assert run.stdout.splitlines()[:2] == ["run", "app.py"]
    assert run.stdout.splitlines()[-2:] == ["--server.port", "8600"]  # extra arguments passed on
    assert run.stderr == ""


@pytest.mark.parametrize(
    ("args", "env", "address"),
    [
        (("--listen", "0.0.0.0"), None, "0.0.0.0"),
        (("--listen=192.168.1.5",), None, "192.168.1.5"),
        ((), {"PERFBUDGET_LISTEN": "0.0.0.0"}, "0.0.0.0"),
        (("--listen", "10.0.0.2"), {"PERFBUDGET_LISTEN": "0.0.0.0"}, "10.0.0.2"),  # the option wins
    ],
)
def test_start_script_listens_elsewhere_only_when_told_and_says_so(tmp_path, args, env, address):
    run = _start(_fake_checkout(tmp_path), *args, env=env)
    assert run.returncode == 0, run.stderr
    assert _address(run.stdout) == address
    assert "--listen" not in run.stdout  # not passed on to streamlit
    assert f"看板将监听 {address}" in run.stderr and "anyone on the network" in run.stderr


def test_start_script_refuses_listen_without_an_address(tmp_path):
    run = _start(_fake_checkout(tmp_path), "--listen")
    assert run.returncode == 2
    assert "--listen needs an address" in run.stderr
    assert run.stdout == ""


# --- config.toml ---------------------------------------------------------------------------


def test_config_hides_error_details_and_binds_localhost():
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    # "none": a generic message only; "false" would still show the traceback ("stacktrace")
    assert settings["client"]["showErrorDetails"] == "none"
    assert settings["client"]["showErrorDetails"] in set(st_config.ShowErrorDetailsConfigOptions)
    assert settings["server"]["address"] == "127.0.0.1"


@pytest.fixture
def option():
    """Set Streamlit config options for one test, the old values back afterwards."""
    old: dict[str, object] = {}

    def set_option(key: str, value: object) -> None:
        old.setdefault(key, st_config.get_option(key))
        st_config.set_option(key, value)

    yield set_option
    for key, value in old.items():
        st_config.set_option(key, value)


def test_an_error_shows_no_details_in_the_browser_but_its_traceback_in_the_log(option):
    """With showErrorDetails "none" the browser gets a generic message; the exception with its
    traceback still goes to Streamlit's error logger (its console handler: the server's
    stderr, as a real server shows: "Uncaught app execution" and the traceback)."""
    option("client.showErrorDetails", "none")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("streamlit.error_util")
    logger.addHandler(handler)
    try:
        at = AppTest.from_string(
            "raise ValueError('secret /srv/perfbudget/data')", default_timeout=30
        )
        at.run()
    finally:
        logger.removeHandler(handler)
    shown = at.exception[0]
    assert "secret" not in shown.message and "/srv/" not in shown.message
    assert "redacted" in shown.message
    assert list(shown.stack_trace) == [] and not shown.proto.type
    logged = [r for r in records if r.getMessage() == "Uncaught app execution"]
    assert len(logged) == 1 and logged[0].levelno == logging.ERROR
    assert logged[0].exc_info is not None
    text = "".join(traceback.format_exception(*logged[0].exc_info))
    assert "Traceback (most recent call last)" in text
    assert "ValueError: secret /srv/perfbudget/data" in text
    assert any(isinstance(h, logging.StreamHandler) for h in logger.handlers)  # to the console


# --- the banner ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("127.0.0.2", True),
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("pb.example", False),
    ],
)
def test_loopback_addresses(address, loopback):
    assert ui.is_loopback(address) is loopback


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def hand_app(tmp_path, monkeypatch):
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    _clear_caches()
    yield lambda: AppTest.from_file(APP, default_timeout=TIMEOUT)
    _clear_caches()


def _banners(at: AppTest) -> list[str]:
    return [e.value for e in at.error if "任何人都能查看和修改数据" in e.value]


@pytest.mark.parametrize("address", ["0.0.0.0", "", "192.168.1.5"])
def test_every_page_shows_the_banner_while_listening_on_the_network(hand_app, option, address):
    option("server.address", address)
    at = hand_app()
    at.run()
    for page in ("pages/overview.py", "pages/project.py", "pages/upload.py", "pages/settings.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        banners = _banners(at)
        assert len(banners) == 1, page
        assert f"看板正在 {address or '0.0.0.0'} 上监听" in banners[0]
        assert "尚未配置登录" in banners[0]
    at.toggle(key="lang_en").set_value(True).run()
    assert any("Anyone on the network can see and change the data" in e.value for e in at.error)


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost"])
def test_no_banner_on_localhost(hand_app, option, address):
    option("server.address", address)
    at = hand_app()
    at.run()
    assert not at.exception
    assert _banners(at) == []


# --- names from data shown as text ---------------------------------------------------------


def _strings(
    message, skip=("options", "raw_value", "raw_values", "default", "spec", "data", "arrow_data")
):
    """Every string in a protobuf message and the messages inside it, but the fields that are
    plain text on screen (a selectbox's or multiselect's options and chosen values) or checked
    apart (a plotly figure)."""
    for field, value in message.ListFields():
        if field.name in skip:
            continue
        repeated = (
            hasattr(value, "__iter__")
            and not isinstance(value, (str, bytes))
            and not hasattr(value, "ListFields")
        )
        values = list(value) if repeated else [value]
        for item in values:
            if isinstance(item, str):
                yield field.name, item
            elif hasattr(item, "ListFields"):
                yield from _strings(item, skip)


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _assert_names_shown_as_text(at: AppTest) -> int:
    """No element renders the hostile name as Markdown: wherever it appears, it is escaped.
    Returns how many texts hold the escaped name (so a test can tell it was shown at all)."""
    found = 0
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or node.type == "plotly_chart":
            continue
        for field, text in _strings(proto):
            assert "[点我](" not in text and "<b>x</b>" not in text and ":red[x]" not in text, (
                node.type,
                field,
                text,
            )
            found += "\\[点我\\]" in text
    return found


def _assert_figures_escaped(at: AppTest) -> int:
    """No plotly figure holds the tag; returns how many hold the escaped name."""
    found = 0
    for chart in at.get("plotly_chart"):
        spec = chart.proto.spec
        assert "<b>x</b>" not in json.loads(spec).__repr__(), spec[:300]
        found += PLOTLY_ESCAPED in json.dumps(json.loads(spec), ensure_ascii=False)
    return found


@pytest.fixture
def hostile_app(tmp_path, monkeypatch):
    """The hand fixture with a hostile project name (P003, red), department name (D01), an
    indicator's reason (P008, red: it is in the warning's sentence), a cost item's output unit
    (P003) and a rectification's issue text (P003)."""
    path = tmp_path / "hostile.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.execute("update projects set project_name = ? where project_code = 'P003'", [HOSTILE])
    conn.execute(
        "update departments set department_name = ? where department_code = 'D01'", [HOSTILE]
    )
    conn.execute("update indicator_actuals set reason = ? where project_code = 'P008'", [HOSTILE])
    conn.execute(
        "insert into costs (year, project_code, cost_item, amount_yuan, output_quantity,"
        " output_unit) values (2025, 'P003', '人员成本', 1000000, 10, ?)",
        [HOSTILE],
    )
    conn.execute(
        "insert into rectifications (project_code, issue, feedback_date) values"
        " ('P003', ?, DATE '2025-07-15')",
        [HOSTILE],
    )
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    yield at
    _clear_caches()


def _goto(at: AppTest, page: str, **query) -> AppTest:
    at.query_params.clear()
    at.query_params.update(query)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# pages that draw the hostile department or project name in a chart. The self-evaluation
# page grades complete self-evaluations only, and at July none is (docs/figures.md#settled-selfeval-status):
# it draws no grade chart here, so its chart is checked on its own below.
CHART_PAGES = [
    "pages/overview.py",
    "pages/targets.py",
    "pages/dual_monitoring.py",
    "pages/rectification.py",
    "pages/disclosure.py",
    "pages/departments.py",
]
OTHER_PAGES = [
    "pages/execution.py",
    "pages/warnings.py",
    "pages/forecast.py",
    "pages/briefing.py",
    "pages/settings.py",
    "pages/selfeval.py",
]


def test_the_grade_chart_escapes_a_hostile_department_name():
    import pandas as pd

    graded = pd.DataFrame({"department": [HOSTILE, "区财政局"], "grade": ["差", "优"]})
    spec = charts.grade_distribution_bars(graded).to_json()
    assert "<b>x</b>" not in spec
    assert PLOTLY_ESCAPED in json.dumps(json.loads(spec), ensure_ascii=False)


@pytest.mark.parametrize("page", CHART_PAGES + OTHER_PAGES)
def test_every_page_shows_hostile_names_as_text(hostile_app, page):
    at = _goto(hostile_app, page)
    _assert_names_shown_as_text(at)
    if page in CHART_PAGES:
        assert _assert_figures_escaped(at) >= 1, page
    else:
        _assert_figures_escaped(at)


def test_overview_warnings_name_the_hostile_project_and_reason_as_text(hostile_app):
    at = _goto(hostile_app, "pages/overview.py")
    # P003's heading and P008's sentence (with its reason): both escaped
    assert _assert_names_shown_as_text(at) >= 2
    assert any(m.value == f"**P003 {ESCAPED}** · {ESCAPED}" for m in at.markdown)


def test_project_page_shows_the_hostile_project_as_text(hostile_app):
    at = _goto(hostile_app, "pages/project.py", project="P003")
    assert at.header[0].value == f"P003 {ESCAPED}"
    # the header, the department badge, the output unit in the cost tiles
    assert _assert_names_shown_as_text(at) >= 3
    assert _assert_figures_escaped(at) == 1  # the curve's title
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"].startswith(
        f"P003 [点我](http://evil.test) ![x](http://evil.test/x.png) {PLOTLY_ESCAPED}"
    )


def test_project_page_shows_a_hostile_url_parameter_as_text(hostile_app):
    at = _goto(hostile_app, "pages/project.py", project=HOSTILE)
    warning = at.warning[0].value
    assert ESCAPED in warning
    assert _assert_names_shown_as_text(at) == 1


def test_execution_page_curve_of_the_hostile_project(hostile_app):
    at = _goto(hostile_app, "pages/execution.py")
    at.selectbox(key="exec_project").set_value("P003").run()
    assert not at.exception
    assert _assert_figures_escaped(at) == 1  # the curve's title
    _assert_names_shown_as_text(at)
    labels = [p.proto.label for p in at.get("page_link")]
    assert any("P003" in label for label in labels)


def test_upload_shows_a_hostile_file_name_as_text_in_preview_result_and_history(hostile_app):
    at = _goto(hostile_app, "pages/upload.py")
    at.file_uploader[0].set_value((HOSTILE_FILE, VALID_CSV, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _assert_names_shown_as_text(at) >= 1  # the preview's heading
    at.button(key="upload_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "导入完成。" for s in at.success)
    assert _assert_names_shown_as_text(at) >= 1  # the summary line
    # the history's table holds the name as it is (a dataframe cell is plain text)
    assert HOSTILE_FILE in list(at.dataframe[-1].value["文件名"])
    at.selectbox(key="upload_batch").set_value(1).run()
    at.button(key="upload_rollback").click().run()
    assert not at.exception, [e.value for e in at.exception]
    confirm = [w.value for w in at.warning if "批次1" in w.value]
    assert confirm and "\\[点我\\]" in confirm[0]
    _assert_names_shown_as_text(at)


def test_briefing_of_the_hostile_department_shows_its_name_as_text(hostile_app):
    at = _goto(hostile_app, "pages/briefing.py")
    at.selectbox(key="briefing_department").set_value("D01").run()
    assert not at.exception, [e.value for e in at.exception]
    outline = at.markdown[0].value
    assert outline.startswith(f"1. **封面** · {ESCAPED}预算绩效简报 · 内部")
    assert _assert_names_shown_as_text(at) == 1


def test_briefing_charts_for_slides_and_pdf_escape_names():
    """The PPTX and PDF draw their charts with the same builders: a department's briefing puts
    its project names on the execution bars."""
    import pandas as pd

    rows = pd.DataFrame(
        {
            "department_code": ["P003"],
            "department": [HOSTILE],
            "execution_rate": [0.35],
            "time_progress": [7 / 12],
            "spent_yuan": [7000000],
            "adjusted_budget_yuan": [20000000],
            "gap_pp": [-23.3],
        }
    )
    figure = charts.department_execution_bars(rows, None, "zh", title="")
    assert figure.data[0].y == (
        f"[点我](http://evil.test) ![x](http://evil.test/x.png) {PLOTLY_ESCAPED} :red[x]",
    )
    assert "<b>x</b>" not in figure.to_json()


def test_a_page_that_fails_says_so_in_both_languages_and_still_raises(hand_app, monkeypatch):
    from perfbudget import data

    def broken(*args, **kwargs):
        raise RuntimeError("secret /srv/perfbudget/data")

    monkeypatch.setattr(data, "scope_summary", broken)
    at = hand_app()
    at.run()
    assert at.exception  # still an exception for Streamlit to log (and for tests to see)
    shown = [e.value for e in at.error]
    assert any("本页出错" in m and "数据没有任何改动" in m for m in shown)
    assert not any("secret" in m for m in shown)
    at.toggle(key="lang_en").set_value(True).run()
    assert any("This page hit an error" in e.value for e in at.error)


def test_a_table_too_large_for_a_styler_is_shown_untinted_not_refused():
    import pandas as pd

    small = pd.DataFrame({"灯": ["红灯", "绿灯"]})
    codes = {"灯": pd.Series(["red", "green"])}
    assert isinstance(ui.style_lights(small, ["灯"], codes), pd.io.formats.style.Styler)
    # 50,000 projects × 6 columns: past pandas' 262,144-cell limit st.dataframe would raise
    big = pd.DataFrame({f"c{j}": ["红灯"] * 50_000 for j in range(6)})
    shown = ui.style_lights(big, ["c0"], {"c0": pd.Series(["red"] * 50_000)})
    assert shown is big
    assert ui.table_columns(shown) == ui.table_columns(big.style) == [f"c{j}" for j in range(6)]
