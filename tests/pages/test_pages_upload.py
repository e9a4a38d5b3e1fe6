"""The upload page under AppTest: files are previewed before anything is written (layout and
confidence per sheet, the first rows per kind, issues at their row and column), an ambiguous
sheet is asked about and imported with the layout chosen, a self-evaluation table gets its
self-score check, and a batch from the history shows what it replaced, rolls back (its rows
archived) and is restored.

Database figures by hand (tests/hand_fixture.py, year 2025): P001's cumulative spending at
July is 560,000 元 (one row, no fund source), its adjusted budget 1,200,000 元. The
self-evaluation table is tests/form_helpers.py's worked example: recomputed 88.8 (良) against
a claimed 90.2 (优), over-scored by 1.4 (see tests/importer/test_import_selfeval.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import data, db
from tests.form_helpers import Grid, selfeval_grid, xlsx
from tests.hand_fixture import seed_hand_fixture

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 30
PAGE = "pages/upload.py"


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def upload(tmp_path, monkeypatch):
    """The upload page on a fresh file holding the hand fixture."""
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    yield at
    _clear_caches()


def _sql(query: str, **params) -> list[tuple]:
    """The app's own database, through its one connection."""
    with data.cursor() as cur:
        return cur.execute(query, params).fetchall()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in (at.info, at.success, at.error, at.warning):
        parts += [e.value for e in kind]
    return "\n".join(str(p) for p in parts)


def _frame(at: AppTest, column: str, nth: int = 0):
    """The nth dataframe on the page that has this column."""
    frames = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(frames) > nth, f"no dataframe with {column!r}"
    return frames[nth]


def _choose(at: AppTest, name: str, content: bytes, mime: str) -> AppTest:
    at.file_uploader[0].set_value((name, content, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _import(at: AppTest) -> AppTest:
    button = at.button(key="upload_import")
    assert not button.disabled
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


EXEC_CSV = "年度,月份,项目编码,累计支出\n2025,8,P001,600000\n2025,8,P002,400000\n".encode()
BAD_CSV = "年度,月份,项目编码,累计支出\n2025,13,P001,约30万\n".encode()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_clean_template_csv_previews_as_the_execution_template_and_imports(upload):
    at = _choose(upload, "exec.csv", EXEC_CSV, "text/csv")
    sheets = _frame(at, "识别为")
    assert list(sheets["识别为"]) == ["预算执行模板"]
    assert list(sheets["可信度"]) == [100.0]
    assert list(sheets["说明"]) == ["将导入"]
    assert "将导入：预算执行2行" in _texts(at)
    rows = _frame(at, "金额（元）")
    assert list(rows["项目编码"]) == ["P001", "P002"]
    assert list(rows["金额（元）"]) == [600000.0, 400000.0]
    assert list(rows["行"]) == [2, 3]
    # nothing written by the preview
    assert _sql("select count(*) from import_batches") == [(0,)]
    at = _import(at)
    assert any(s.value == "导入完成。" for s in at.success)
    assert "「exec.csv」（批次1）：导入预算执行2行" in _texts(at)
    assert _sql("select project_code, cumulative_yuan from spending where month = 8 "
                "order by 1") == [("P001", Decimal("600000.00")), ("P002", Decimal("400000.00"))]  # fmt: skip
    history = _frame(at, "文件指纹")
    assert list(history["文件名"]) == ["exec.csv"]
    assert list(history["识别为"]) == ["预算执行模板"]
    assert list(history["行数"]) == [2]
    assert list(history["状态"]) == ["有效"]
    assert len(history["文件指纹"].iloc[0]) == 12
    assert not at.file_uploader[0].value  # emptied for the next import


def test_a_self_evaluation_table_previews_imports_and_shows_the_self_score_check(upload):
    at = _choose(upload, "自评表.xlsx", xlsx(("自评表", selfeval_grid())), XLSX)
    sheets = _frame(at, "识别为")
    assert list(sheets["识别为"]) == ["项目支出绩效自评表"]
    assert list(sheets["可信度"]) == [100.0]
    texts = _texts(at)
    assert "将导入：项目1行、预算执行1行、绩效指标5行、指标完成值5行、自评得分1行" in texts
    assert "预期目标：完成全区375万平方米绿地养护" in texts
    claims = _frame(at, "自报总分")
    assert list(claims["自报总分"]) == [90.2] and list(claims["自报等级"]) == ["优"]
    # 125.1250 万元 → 1,251,250 元
    assert list(_frame(at, "调整后预算数（元）")["调整后预算数（元）"]) == [1251250.0]
    at = _import(at)
    assert "自评分数核对" in [h.value for h in at.subheader]
    [warning] = at.warning
    assert warning.value == ("「城市绿化养护」自报90.2分（优），按规则重算为88.8分（良）：自评偏高，"
                             "高出1.4分。")  # fmt: skip
    check = _frame(at, "重算总分")
    assert check[["重算总分", "重算等级", "自报总分", "自报等级", "分差", "自评偏高"]].values.tolist() == [
        [88.8, "良", 90.2, "优", 1.4, "是"]]  # fmt: skip
    assert _sql("select claimed_total_score, goal_actual from self_evaluations") == [
        (Decimal("90.20"), "完成360万平方米，达标率98%")]  # fmt: skip
    assert list(_frame(at, "文件指纹")["识别为"]) == ["项目支出绩效自评表"]


def _unlabelled_form() -> Grid:
    """A form with neither title word (自评/监控) nor a column only one form has: it reads as a
    self-evaluation table or a monitoring table equally well (tests/importer/test_import_messy.py)."""
    g = Grid()
    g.line(1, ["2024年度项目绩效表"])
    g.line(2, ["项目名称", "城市绿化养护"])
    g.line(3, ["主管部门", "示例局", None, "实施单位", "示例所"])
    g.line(4, ["项目资金（万元）", None, "年初预算数", "全年预算数", "执行数"])
    g.line(5, [None, "年度资金总额", 100, 100, 80])
    g.line(6, [None, "一级指标", "二级指标", "三级指标", "年度指标值", "完成值", "分值"])
    g.line(7, [None, "产出指标", "数量指标", "养护面积", "≥100平方米", 90, 50])
    return g


def test_an_ambiguous_sheet_is_asked_about_and_imports_with_the_layout_chosen(upload):
    at = _choose(upload, "a.xlsx", xlsx(("表", _unlabelled_form())), XLSX)
    ask = at.selectbox(key="upload_layout_0_0")
    assert ask.label == "「a.xlsx」中工作表「表」是哪种表？"
    assert ask.options == ["项目支出绩效自评表", "绩效目标执行监控表"]
    assert ask.value is None
    assert list(_frame(at, "说明")["说明"]) == ["待确认：项目支出绩效自评表 / 绩效目标执行监控表"]
    assert at.button(key="upload_import").disabled
    # the ambiguity is the question above, not a problem listed against the file
    assert not at.error
    ask.select("selfeval_table").run()
    assert not at.exception
    sheets = _frame(at, "识别为")
    assert list(sheets["识别为"]) == ["项目支出绩效自评表"]
    assert list(sheets["说明"]) == ["按您的选择读取"]
    at = _import(at)
    assert _sql("select layout from import_batches") == [("selfeval_table",)]
    # 全年执行数 80 万元 at year end
    assert _sql("select month, cumulative_yuan from spending where year = 2024") == [
        (12, Decimal("800000.00"))]  # fmt: skip


def test_a_bad_file_shows_its_issues_at_row_and_column_and_writes_nothing(upload):
    before = _sql("select count(*), sum(cumulative_yuan) from spending")
    at = _choose(upload, "bad.csv", BAD_CSV, "text/csv")
    assert "不会写入任何数据" in at.error[0].value
    # each problem as a whole sentence with its place (a table cell would cut it off)
    lines = [line for m in at.markdown for line in m.value.splitlines() if "bad.csv ·" in line]
    assert len(lines) == 2
    assert "第2行 · 列「月份」" in lines[0]
    assert "第2行 · 列「累计支出」" in lines[1] and "不是数字" in lines[1]
    assert at.button(key="upload_import").disabled
    assert _sql("select count(*), sum(cumulative_yuan) from spending") == before
    assert _sql("select count(*) from import_batches") == [(0,)]
    assert "还没有导入记录" in _texts(at)
    # in English the same issues, in English
    at.sidebar.toggle[0].set_value(True).run()
    lines = [line for m in at.markdown for line in m.value.splitlines() if "bad.csv ·" in line]
    assert "row 2 · column '累计支出'" in lines[1]  # the header as the file writes it
    assert "not a number" in lines[1]


def _p001_july() -> list[tuple]:
    return _sql("select cumulative_yuan, batch_id from spending "
                "where project_code = 'P001' and month = 7")  # fmt: skip


def test_a_rollback_restores_what_the_batch_superseded(upload):
    assert _p001_july() == [(Decimal("560000.00"), None)]
    july = "年度,月份,项目编码,累计支出\n2025,7,P001,700000\n".encode()
    at = _import(_choose(upload, "july.csv", july, "text/csv"))
    assert _p001_july() == [(Decimal("700000.00"), 1)]
    at.selectbox(key="upload_batch").select(1).run()
    changes = _frame(at, "原值")
    assert changes[["表", "键（年度/月份/项目/…）", "字段", "原值", "新值", "变化"]].values.tolist() == [
        ["预算执行", "2025/7/P001//", "累计支出（元）", "560,000.00", "700,000.00", "修改"]]  # fmt: skip
    at.button(key="upload_rollback").click().run()
    assert "确定撤销批次1（july.csv）？它导入的1行数据将移入历史存档，被它替换的1行恢复原样" in (
        at.warning[0].value)  # fmt: skip
    assert _p001_july() == [(Decimal("700000.00"), 1)]  # asked, not done yet
    at.button(key="upload_rollback_yes").click().run()
    assert not at.exception
    assert "批次1已撤销：它导入的1行数据移入历史存档（恢复此批次即可取回），被它替换的1行恢复原样" in (
        _texts(at))  # fmt: skip
    assert _p001_july() == [(Decimal("560000.00"), None)]
    assert _sql("select status, rolled_back_by from import_batches") == [
        ("rolled_back", "local")  # the local administrator (no users configured; issue 13)
    ]
    history = _frame(at, "文件指纹")
    assert list(history["状态"]) == ["已撤销"]
    assert "由local撤销" in history["撤销情况"].iloc[0]


def test_a_refused_rollback_says_why_in_both_languages_and_changes_nothing(upload):
    for amount in (700000, 800000):  # batch 2 replaces batch 1's row
        csv = f"年度,月份,项目编码,累计支出\n2025,7,P001,{amount}\n".encode()
        at = _import(_choose(upload, f"july_{amount}.csv", csv, "text/csv"))
    at.selectbox(key="upload_batch").select(1).run()
    at.button(key="upload_rollback").click().run()
    at.button(key="upload_rollback_yes").click().run()
    message = at.error[0].value
    assert "请先撤销批次2" in message and "roll those back first" in message
    assert _p001_july() == [(Decimal("800000.00"), 2)]
    assert _sql("select batch_id, status from import_batches order by 1") == [
        (1, "active"), (2, "active")]  # fmt: skip


def _rolled_back_july(upload) -> AppTest:
    """july.csv imported as batch 1 (P001's July 560,000 → 700,000) and rolled back on the page."""
    july = "年度,月份,项目编码,累计支出\n2025,7,P001,700000\n".encode()
    at = _import(_choose(upload, "july.csv", july, "text/csv"))
    at.selectbox(key="upload_batch").select(1).run()
    at.button(key="upload_rollback").click().run()
    at.button(key="upload_rollback_yes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _p001_july() == [(Decimal("560000.00"), None)]
    return at


def test_a_rolled_back_batch_is_restored_from_the_page_after_a_confirmation(upload):
    at = _rolled_back_july(upload)
    assert "upload_rollback" not in [b.key for b in at.button]  # a restore button instead
    assert "恢复后，这个批次导入的数据重新生效" in _texts(at)
    at.button(key="upload_restore").click().run()
    assert "确定恢复批次1（july.csv）？它导入的1行数据将重新生效，撤销时恢复的1行重新存入历史" in (
        at.warning[0].value)  # fmt: skip
    assert _p001_july() == [(Decimal("560000.00"), None)]  # asked, not done yet
    at.button(key="upload_restore_yes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "批次1已恢复：它导入的1行数据重新生效，撤销时恢复的1行重新存入历史" in _texts(at)
    assert _p001_july() == [(Decimal("700000.00"), 1)]
    assert _sql("select status, rolled_back_by, restored_by from import_batches") == [
        ("active", "local", "local")]  # fmt: skip
    # the superseded row is back in the history, not live, and not lost
    assert _sql("select cumulative_yuan, batch_id, superseded_by, reinstated from spending_history"
                ) == [(Decimal("560000.00"), None, 1, False)]  # fmt: skip
    history = _frame(at, "文件指纹")
    assert list(history["状态"]) == ["已恢复"]
    assert "由local撤销" in history["撤销情况"].iloc[0]
    assert "由local恢复" in history["撤销情况"].iloc[0]
    # an active batch again: it can be rolled back once more
    assert [b.key for b in at.button if b.key == "upload_rollback"] == ["upload_rollback"]
    at.sidebar.toggle[0].set_value(True).run()
    assert list(_frame(at, "Fingerprint")["Status"]) == ["restored"]


def test_a_refused_restore_says_why_in_both_languages_and_changes_nothing(upload):
    at = _rolled_back_july(upload)
    # batch 2, imported after the rollback, covers the same month and project
    july2 = "年度,月份,项目编码,累计支出\n2025,7,P001,800000\n".encode()
    at = _import(_choose(at, "july2.csv", july2, "text/csv"))
    before = [_sql(f"select * from {t} order by all") for t in
              ("spending", "spending_history", "import_batches")]  # fmt: skip
    at.selectbox(key="upload_batch").select(1).run()
    at.button(key="upload_restore").click().run()
    at.button(key="upload_restore_yes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    message = at.error[0].value
    assert message.startswith("无法恢复，未做任何改动：")
    assert "请先撤销批次2" in message and "roll those back first" in message
    assert [_sql(f"select * from {t} order by all") for t in
            ("spending", "spending_history", "import_batches")] == before  # fmt: skip
    assert _p001_july() == [(Decimal("800000.00"), 2)]


def test_only_the_layout_question_of_an_asked_sheet_is_left_out_of_its_problems():
    """data.preview_problems: an ambiguous sheet is refused with one issue of the whole sheet;
    while the page asks for its layout that issue is the question, anything else a problem."""
    import dataclasses
    from types import SimpleNamespace

    from perfbudget.importer import preview_files
    from tests.import_helpers import new_db
    from tests.importer.test_import_messy import _unlabelled_form

    [preview] = preview_files([("a.xlsx", xlsx(("表", _unlabelled_form())))], new_db())
    [question] = preview.issues
    assert data.preview_problems(preview, {("a.xlsx", "表")}) == []
    assert data.preview_problems(preview, set()) == [question]  # not asked: it stops the import
    assert data.preview_problems(preview, {("a.xlsx", "其他")}) == [question]
    at_a_row = dataclasses.replace(question, row=5)
    at_a_column = dataclasses.replace(question, column="B")
    two = SimpleNamespace(issues=[question, at_a_row, at_a_column])
    assert data.preview_problems(two, {("a.xlsx", "表")}) == [at_a_row, at_a_column]
