"""Messy versions of our own templates give the same figures as the clean ones, and each
sheet's layout is recognised with a confidence — or offered as a choice when ambiguous.

The worked example: P001 adjusted budget 12,000,000 元 (1,200 万元), P002 10,000,000 元
(1,000 万元); period spending in 万元 — P001 100 + 100 + 100 = 300 万元 = 3,000,000 元 by March,
P002 50 + 50 + 50 = 150 万元 = 1,500,000 元. At month 3 time progress is 3/12 = 0.25, so P001's rate is 0.25 (pace
1.0) and P002's 0.15 (pace 0.6, gap −10 pp)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from perfbudget import cli
from perfbudget.importer import ImportRejected, import_files, preview_files
from tests.form_helpers import Grid, monitoring_grid, selfeval_grid, xlsx
from tests.import_helpers import counts, csv_bytes, find_issue, new_db, rejected, scalar

CLEAN_PROJECTS = [
    ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"],
    [2025, "P001", "校舍维修", "教育局", 12000000],
    [2025, "P002", "课后服务", "教育局", 10000000],
]
CLEAN_EXECUTION = [
    ["年度", "月份", "项目编码", "本期支出"],
    *[[2025, m, "P001", 1000000] for m in (1, 2, 3)],
    *[[2025, m, "P002", 500000] for m in (1, 2, 3)],
]


def _messy_workbook() -> bytes:
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "封面"
    cover["A1"] = "2025年一季度预算执行情况报送"
    cover["A2"] = "报送单位：区教育局"

    ws = wb.create_sheet("项目")
    ws["A1"] = "2025年度项目预算表"
    ws.merge_cells("A1:F1")
    ws["A2"] = "单位：万元"
    # a two-row header: 预算数 merged over 年初预算数 | 调整后预算数, the others merged down
    for col, text in zip("ABCD", ["年度", "项目编码", "项目名称", "主管部门"], strict=True):
        ws[f"{col}3"] = text
        ws.merge_cells(f"{col}3:{col}4")
    ws["E3"] = "预算数"
    ws.merge_cells("E3:F3")
    ws["E4"], ws["F4"] = "年初预算数", "调整后预算数"
    ws.append(["２０２５", " P001 ", "校舍维修", "教育局", "1,200", "1,２00.0000"])
    ws.append([])
    ws.append([2025, "P002\u3000", "课后服务", "教育局", "1000", " 1,000 "])
    ws.append(["合计", None, None, None, "2,200", "2,200"])

    ex = wb.create_sheet("执行")
    ex.append(["2025年1-3月预算执行明细"])
    ex.append(["（单位：万元）"])
    ex.append([])
    ex.append(["年度", "月份", "项目编码", "本期支出"])
    for month in (1, 2, 3):
        ex.append([2025, f"{month}月", "P001", "１００.00" if month == 2 else "100"])
        ex.append([2025, month, " P002", "50.0000"])
    ex.append([None, "小 计", None, "450"])
    ex.append([])
    ex.append(["总计", None, None, "450"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _report(db_path, capsys) -> str:
    """report execution's figures. Its last column, the project's light, is left out: it
    comes from every rule, and the messy file also carries 年初预算数 (1,200 万元 ≥ 500 万元,
    not disclosed: a red disclosure flag), which the clean one does not."""
    capsys.readouterr()
    code = cli.main(["report", "execution", "--db", str(db_path), "--year", "2025", "--month",
                     "3", "--format", "csv"])  # fmt: skip
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(",light")
    return "\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n"


def test_a_messy_sheet_gives_the_same_report_execution_figures_as_the_clean_template(
    tmp_path, capsys
):
    clean_projects, clean_execution = tmp_path / "projects.csv", tmp_path / "execution.csv"
    clean_projects.write_bytes(csv_bytes(CLEAN_PROJECTS))
    clean_execution.write_bytes(csv_bytes(CLEAN_EXECUTION))
    messy = tmp_path / "messy.xlsx"
    messy.write_bytes(_messy_workbook())
    assert cli.main(["import", "--db", str(tmp_path / "clean.duckdb"), str(clean_projects),
                     str(clean_execution)]) == 0  # fmt: skip
    assert cli.main(["import", "--db", str(tmp_path / "messy.duckdb"), str(messy)]) == 0
    imported = capsys.readouterr().out
    clean = _report(tmp_path / "clean.duckdb", capsys)
    assert _report(tmp_path / "messy.duckdb", capsys) == clean
    lines = clean.splitlines()
    assert lines[0].startswith("project_code,project_name,department,adjusted_budget_yuan")
    assert lines[1] == "P001,校舍维修,教育局,12000000.00,3000000.00,0.25,0.25,1.0,0.0"
    assert lines[2] == "P002,课后服务,教育局,10000000.00,1500000.00,0.15,0.25,0.6,-10.0"
    # what was tolerated is said
    for said in ("两行表头", "合计/小计行已跳过", "空行已跳过", "全角", "千分位", "编码首尾的空格",
                 "封面", "单位：万元"):  # fmt: skip
        assert said in imported, said


def test_each_sheet_of_the_messy_workbook_gets_its_layout(tmp_path):
    [preview] = preview_files([("messy.xlsx", _messy_workbook())])
    assert [(s.sheet, s.layout, s.confidence, s.ambiguous) for s in preview.sheets] == [
        ("封面", "unknown", 0.0, False),
        ("项目", "template:projects", 1.0, False),
        ("执行", "template:execution", 1.0, False),
    ]
    assert preview.layout == "template:projects,template:execution"
    assert preview.row_counts == {"projects": 2, "execution": 6}
    assert preview.frames["projects"]["adjusted_budget_yuan"].tolist() == [
        Decimal("12000000.00"), Decimal("10000000.00")]  # fmt: skip
    # without a database, project codes are not checked yet: the preview is clean
    assert preview.ok


def _unlabelled_form() -> Grid:
    """A form with neither title word (自评/监控) nor a column that only one form has."""
    g = Grid()
    g.line(1, ["2024年度项目绩效表"])
    g.line(2, ["项目名称", "城市绿化养护"])
    g.line(3, ["主管部门", "示例局", None, "实施单位", "示例所"])
    g.line(4, ["项目资金（万元）", None, "年初预算数", "全年预算数", "执行数"])
    g.line(5, [None, "年度资金总额", 100, 100, 80])
    g.line(6, [None, "一级指标", "二级指标", "三级指标", "年度指标值", "完成值", "分值"])
    g.line(7, [None, "产出指标", "数量指标", "养护面积", "≥100平方米", 90, 50])
    return g


def test_an_ambiguous_sheet_is_refused_until_the_layout_is_chosen():
    conn = new_db()
    data = xlsx(("表", _unlabelled_form()))
    [preview] = preview_files([("a.xlsx", data)], conn)
    [sheet] = preview.sheets
    assert sheet.ambiguous and preview.ambiguous and not preview.ok
    assert sheet.candidates == ["selfeval_table", "monitoring_table"]
    exc = rejected(conn, [("a.xlsx", data)])
    find_issue(exc, file="a.xlsx", sheet="表", row=None, column=None, zh="无法确定表格格式",
               en="the layout is ambiguous")  # fmt: skip
    [chosen] = preview_files([("a.xlsx", data)], conn, layout="selfeval_table")
    assert chosen.ok and chosen.sheets[0].layout == "selfeval_table" and chosen.sheets[0].chosen
    result = import_files(conn, [("a.xlsx", data)], layout={("a.xlsx", "表"): "selfeval_table"})
    assert result.files[0].layout == "selfeval_table"
    assert scalar(conn, "select layout from import_batches") == "selfeval_table"
    assert conn.execute("select month, cumulative_yuan from spending").fetchall() == [
        (12, Decimal("800000.00"))]  # fmt: skip


def test_forms_and_templates_are_told_apart_with_confidence():
    files = [
        ("se.xlsx", xlsx(("s", selfeval_grid()))),
        ("mon.xlsx", xlsx(("m", monitoring_grid(ticks=True)))),
        ("exec.csv", csv_bytes(CLEAN_EXECUTION)),
    ]
    previews = preview_files(files)
    assert [(p.sheets[0].layout, p.sheets[0].confidence, p.sheets[0].ambiguous)
            for p in previews] == [
        ("selfeval_table", 1.0, False), ("monitoring_table", 1.0, False),
        ("template:execution", 1.0, False),
    ]  # fmt: skip


def test_an_unknown_layout_name_is_refused_before_reading():
    conn = new_db()
    with pytest.raises(ImportRejected, match="layout 'selfeval' is not known"):
        import_files(conn, [("a.csv", csv_bytes(CLEAN_PROJECTS))], layout="selfeval")
    assert counts(conn)["import_batches"] == 0


def test_progress_runs_from_reading_to_writing_and_ends_at_one():
    conn = new_db()
    calls: list[tuple[float, str]] = []
    import_files(conn, [("messy.xlsx", _messy_workbook()), ("se.xlsx", xlsx(("s", selfeval_grid())))],
                 progress=lambda f, label: calls.append((f, label)))  # fmt: skip
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    labels = "\n".join(label for _, label in calls)
    assert "recognising sheet '执行'" in labels and "writing execution" in labels
    assert "writing self-evaluations" in labels
