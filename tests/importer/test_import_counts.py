"""One count of an import's rows everywhere (importer/counts.py): per kind of record, the rows
written to its table, one per key. The preview, the import summary (its lines and its
per-sheet table), the batch record (import_batches.row_counts), the rollback and the restore
give the same numbers per kind; the rows a batch replaced (替换原有N行) are the rows its
rollback puts back and its restore returns to the history.

The template workbook, by hand (year 2025). Batch 1 (seed.xlsx): project P1; spending of P1
at months 1 and 2. Batch 2 (the file counted, two.xlsx):
  项目: P1 (again: replaces batch 1's P1) and P2                      → projects 2, replaced 1
  执行: P1 month 1 (replaces batch 1's P1 month 1; its month 2 stays), P2 month 1 from two
        fund sources, P2 month 2, and that last row once more, identical (imported once)
                                                                      → execution 4, replaced 1
  指标: 养护面积 on two rows (values for months 6 and 12), 合格率 (value for month 12),
        P2's 满意度 (no value: a definition only)     → indicators 3, indicator values 3
  12 rows in all, 2 replaced. (The 指标 sheet has 4 data rows: counting lines read would say
  绩效指标4行.)

The self-evaluation table (tests/form_helpers.py's worked example): a project, its year-end
spending (one row), 5 indicators, their 5 year-end values and the claim → 13 rows; imported
again with another 总分 it replaces exactly those 13."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import data, db
from perfbudget.importer import (
    RECORD_KINDS,
    TABLE_RECORDS,
    import_files,
    preview_files,
    restore_batch,
    rollback_batch,
)
from perfbudget.importer.batches import TABLES
from perfbudget.importer.preview import RECORD_COLUMNS
from tests.form_helpers import selfeval_grid, xlsx
from tests.hand_fixture import seed_hand_fixture
from tests.import_helpers import new_db, scalar, xlsx_bytes

PROJECTS = ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"]
EXECUTION = ["年度", "月份", "项目编码", "资金来源", "累计支出"]
INDICATORS = ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "计算符号", "年度指标值",
              "计量单位", "分值", "月份", "完成值"]  # fmt: skip

SEED = xlsx_bytes(
    ("项目", [PROJECTS, [2025, "P1", "甲", "财政局", 1000]]),
    ("执行", [EXECUTION, [2025, 1, "P1", None, 100], [2025, 2, "P1", None, 150]]),
)
TWO = xlsx_bytes(
    ("项目", [PROJECTS, [2025, "P1", "甲（调整）", "财政局", 1200], [2025, "P2", "乙", "财政局", 500]]),
    ("执行", [EXECUTION,
              [2025, 1, "P1", None, 120],
              [2025, 1, "P2", "财政拨款", 50], [2025, 1, "P2", "上年结转", 30],
              [2025, 2, "P2", "财政拨款", 70], [2025, 2, "P2", "财政拨款", 70]]),
    ("指标", [INDICATORS,
              [2025, "P1", "产出指标", "数量指标", "养护面积", "≥", 375, "万平方米", 20, 6, 150],
              [2025, "P1", "产出指标", "数量指标", "养护面积", "≥", 375, "万平方米", 20, 12, 380],
              [2025, "P1", "产出指标", "质量指标", "合格率", "≥", 95, "%", 15, 12, 96],
              [2025, "P2", "满意度指标", "服务对象满意度", "满意度", "≥", 90, "%", 10, None, None]]),
)  # fmt: skip
TWO_ROWS = {"projects": 2, "execution": 4, "indicators": 3, "indicator_actuals": 3}
TWO_REPLACED = {"projects": 1, "execution": 1}
SELFEVAL_ROWS = {"projects": 1, "execution": 1, "indicators": 5, "indicator_actuals": 5,
                 "self_evaluations": 1}  # fmt: skip


def _batch(conn, batch_id: int) -> tuple[dict, int, int]:
    counts, total, replaced = conn.execute(
        "select row_counts, row_count, replaced_count from import_batches where batch_id = $b",
        {"b": batch_id},
    ).fetchall()[0]
    return json.loads(counts), total, replaced


def _live_rows(conn, batch_id: int) -> dict[str, int]:
    """The rows of the batch in the tables, per kind."""
    out = {}
    for table, kind in TABLE_RECORDS.items():
        n = scalar(conn, f"select count(*) from {table} where batch_id = $b", {"b": batch_id})
        if n:
            out[kind] = n
    return out


def test_every_table_with_a_history_is_one_kind_of_record_and_the_preview_shows_each():
    assert set(TABLE_RECORDS) == set(TABLES)
    assert tuple(RECORD_COLUMNS) == RECORD_KINDS


def test_a_template_file_counts_the_same_in_preview_summary_batch_rollback_and_restore():
    conn = new_db()
    import_files(conn, [("seed.xlsx", SEED)])  # batch 1
    [preview] = preview_files([("two.xlsx", TWO)], conn)
    assert preview.ok
    assert preview.row_counts == TWO_ROWS

    result = import_files(conn, [("two.xlsx", TWO)])  # batch 2
    [summary] = result.files
    assert summary.batch_id == 2
    assert summary.row_counts == TWO_ROWS
    assert summary.row_count == 12
    assert (summary.replaced_counts, summary.replaced_count) == (TWO_REPLACED, 2)
    assert _live_rows(conn, 2) == TWO_ROWS  # what was written is what was counted
    line = result.summary_lines()[0]
    assert ("导入项目2行、预算执行4行、绩效指标3行、指标完成值3行（共12行）；"
            "替换原有2行（项目1行、预算执行1行）") in line  # fmt: skip
    assert ("imported projects 2 rows, execution 4 rows, indicators 3 rows, indicator actuals "
            "3 rows (12 in all); 2 earlier rows replaced (projects 1 rows, execution 1 rows)"
            ) in line  # fmt: skip
    frame = result.to_frame()
    assert list(frame[["sheet", "kind", "rows"]].itertuples(index=False, name=None)) == [
        ("项目", "projects", 2), ("执行", "execution", 4), ("指标", "indicators", 3),
        ("指标", "indicator_actuals", 3)]  # fmt: skip
    assert _batch(conn, 2) == (TWO_ROWS, 12, 2)

    rolled = rollback_batch(conn, 2, "alice")
    assert (rolled.archived, rolled.restored) == (TWO_ROWS, TWO_REPLACED)
    assert ("它导入的12行数据移入历史存档（恢复此批次即可取回），被它替换的2行恢复原样；存档的是"
            "项目2行、预算执行4行、绩效指标3行、指标完成值3行，恢复的是项目1行、预算执行1行"
            ) in rolled.summary_line()  # fmt: skip
    assert _live_rows(conn, 1) == {"projects": 1, "execution": 2}  # batch 1 whole again

    restored = restore_batch(conn, 2, "alice")
    assert (restored.restored, restored.archived) == (TWO_ROWS, TWO_REPLACED)
    assert (
        "它导入的12行数据重新生效，撤销时恢复的2行重新存入历史；重新生效的是项目2行、预算执行4行、"
        "绩效指标3行、指标完成值3行，重新存入历史的是项目1行、预算执行1行"
    ) in restored.summary_line()
    assert _live_rows(conn, 2) == TWO_ROWS
    conn.close()


def test_a_self_evaluation_table_counts_the_same_everywhere_and_replaces_what_it_wrote():
    conn = new_db()
    first = xlsx(("自评表", selfeval_grid()))
    [preview] = preview_files([("a.xlsx", first)], conn)
    assert preview.row_counts == SELFEVAL_ROWS
    result = import_files(conn, [("a.xlsx", first)])  # batch 1
    [summary] = result.files
    assert (summary.row_counts, summary.row_count, summary.replaced_count) == (SELFEVAL_ROWS, 13, 0)
    assert ("导入项目1行、预算执行1行、绩效指标5行、指标完成值5行、自评得分1行（共13行）；替换原有0行"
            in result.summary_lines()[0])  # fmt: skip
    assert [(k, n) for _s, k, n in result.to_frame()[["sheet", "kind", "rows"]].itertuples(
        index=False, name=None)] == list(SELFEVAL_ROWS.items())  # fmt: skip
    assert _batch(conn, 1) == (SELFEVAL_ROWS, 13, 0)

    # the same project again with another 总分: it replaces the 13 rows batch 1 wrote
    second = xlsx(("自评表", selfeval_grid(total_score=91)))
    [preview] = preview_files([("b.xlsx", second)], conn)
    assert preview.row_counts == SELFEVAL_ROWS
    [summary] = import_files(conn, [("b.xlsx", second)]).files  # batch 2
    assert (summary.row_counts, summary.replaced_counts) == (SELFEVAL_ROWS, SELFEVAL_ROWS)
    assert _batch(conn, 2) == (SELFEVAL_ROWS, 13, 13)

    rolled = rollback_batch(conn, 2, "alice")
    assert (rolled.archived, rolled.restored) == (SELFEVAL_ROWS, SELFEVAL_ROWS)
    assert _live_rows(conn, 1) == SELFEVAL_ROWS
    restored = restore_batch(conn, 2, "alice")
    assert (restored.restored, restored.archived) == (SELFEVAL_ROWS, SELFEVAL_ROWS)
    assert _live_rows(conn, 2) == SELFEVAL_ROWS and _live_rows(conn, 1) == {}

    rollback_batch(conn, 2, "alice")
    first_rolled = rollback_batch(conn, 1, "alice")  # then batch 1: nothing under it
    assert (first_rolled.archived, first_rolled.restored) == (SELFEVAL_ROWS, {})
    assert "它导入的13行数据移入历史存档" in first_rolled.summary_line()
    conn.close()


# --- the upload page ---------------------------------------------------------------------------

APP = str(Path(__file__).resolve().parents[2] / "app.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNTS_ZH = "项目1行、预算执行1行、绩效指标5行、指标完成值5行、自评得分1行"


@pytest.fixture
def upload(tmp_path, monkeypatch):
    """The upload page on a fresh file holding the hand fixture (it has no batches)."""
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("pages/upload.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    yield at
    st.cache_data.clear()
    st.cache_resource.clear()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in (at.info, at.success, at.error, at.warning):
        parts += [e.value for e in kind]
    return "\n".join(str(p) for p in parts)


def test_the_upload_page_gives_the_same_rows_in_preview_summary_history_and_rollback(upload):
    at = upload
    at.file_uploader[0].set_value(("自评表.xlsx", xlsx(("自评表", selfeval_grid())), XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    texts = _texts(at)
    assert f"将导入：{COUNTS_ZH}（共13行）" in texts
    assert "被替换的原有行数导入后才知道" in texts  # not a number it cannot know yet

    at.button(key="upload_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"「自评表.xlsx」（批次1）：导入{COUNTS_ZH}（共13行）；替换原有0行" in _texts(at)
    [table] = [df.value for df in at.dataframe if "表头行" in df.value.columns]
    assert list(table["行数"]) == [1, 1, 5, 5, 1]
    [history] = [df.value for df in at.dataframe if "文件指纹" in df.value.columns]
    assert list(history["行数"]) == [13]

    at.selectbox(key="upload_batch").select(1).run()
    assert f"导入13行（{COUNTS_ZH}），替换原有0行" in _texts(at)
    at.button(key="upload_rollback").click().run()
    assert ("确定撤销批次1（自评表.xlsx）？它导入的13行数据将移入历史存档，被它替换的0行恢复原样；"
            f"存档的是{COUNTS_ZH}。") in _texts(at)  # fmt: skip
    at.button(key="upload_rollback_yes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert ("批次1已撤销：它导入的13行数据移入历史存档（恢复此批次即可取回），被它替换的0行恢复原样；"
            f"存档的是{COUNTS_ZH}") in _texts(at)  # fmt: skip
    with data.cursor() as cur:
        live = cur.execute("select count(*) from projects where batch_id = 1").fetchall()
    assert live == [(0,)]
