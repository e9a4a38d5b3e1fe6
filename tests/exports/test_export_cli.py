"""`python -m perfbudget export briefing|table`: files written with their marking, public
exports without the sensitive project P007 (区保密办), formatted workbooks, clear refusals;
CSV output neutralises text that a spreadsheet would run as a formula."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from pptx import Presentation

from perfbudget import cli, db
from perfbudget.export import pdf
from tests.hand_fixture import YEAR, seed_hand_fixture


@pytest.fixture(scope="module")
def hand_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    return path


def _run(*args: str) -> int:
    return cli.main(["export", *args])


def _cells(path) -> str:
    book = load_workbook(path)
    return " ".join(
        str(c.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    )


def test_export_briefing_writes_a_pptx_and_names_what_it_left_out(hand_file, tmp_path, capsys):
    out = tmp_path / "brief.pptx"
    code = _run(
        "briefing", "--db", str(hand_file), "--year", str(YEAR), "--month", "7", "--out", str(out)
    )
    assert code == 0
    deck = Presentation(str(out))
    assert len(deck.slides) == 5
    captured = capsys.readouterr()
    assert "未包含「成本对比」" in captured.err
    assert "内部" in captured.out


def test_a_public_briefing_into_a_folder_is_named_public_and_holds_no_sensitive_project(
    hand_file, tmp_path
):
    code = _run(
        "briefing",
        "--db",
        str(hand_file),
        "--year",
        str(YEAR),
        "--month",
        "7",
        "--public",
        "--sections",
        "kpi,warnings",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    [written] = list(tmp_path.glob("*.pptx"))
    assert written.name == "预算绩效简报_示例区_2025年07月_公开.pptx"
    deck = Presentation(str(written))
    assert len(deck.slides) == 3
    text = " ".join(
        shape.text_frame.text
        if shape.has_text_frame
        else " ".join(c.text for r in shape.table.rows for c in r.cells)
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame or shape.has_table
    )
    assert "全区执行率38.9%" in text
    for sensitive in ("P007", "保密设备维护", "区保密办"):
        assert sensitive not in text


def test_an_english_briefing_into_a_folder_is_named_and_worded_in_english(hand_file, tmp_path):
    code = _run(
        "briefing",
        "--db",
        str(hand_file),
        "--year",
        str(YEAR),
        "--month",
        "7",
        "--lang",
        "en",
        "--sections",
        "kpi",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    [written] = list(tmp_path.glob("*.pptx"))
    assert written.name == "briefing_示例区_2025-07_Internal.pptx"
    deck = Presentation(str(written))
    text = " ".join(
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "The district: execution rate 38.8%" in text and "Internal" in text
    with pytest.raises(SystemExit):  # argparse refuses another language (exit 2: usage)
        _run("briefing", "--db", str(hand_file), "--year", str(YEAR), "--lang", "fr",
             "--out", str(tmp_path / "x.pptx"))  # fmt: skip


def test_a_department_briefing_as_xlsx(hand_file, tmp_path):
    out = tmp_path / "d01.xlsx"
    assert (
        _run(
            "briefing",
            "--db",
            str(hand_file),
            "--year",
            str(YEAR),
            "--month",
            "7",
            "--scope",
            "D01",
            "--out",
            str(out),
        )
        == 0
    )
    book = load_workbook(out)
    assert "项目执行" in book.sheetnames
    assert book["项目执行"]["A1"].value.startswith("【内部】各项目预算执行情况")


@pytest.mark.slow
@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed")
def test_export_briefing_as_pdf(hand_file, tmp_path):
    out = tmp_path / "brief.pdf"
    assert (
        _run(
            "briefing",
            "--db",
            str(hand_file),
            "--year",
            str(YEAR),
            "--month",
            "7",
            "--sections",
            "kpi",
            "--out",
            str(out),
        )
        == 0
    )
    assert out.read_bytes().startswith(b"%PDF")


def test_export_briefing_refuses_a_bad_output_or_missing_database(hand_file, tmp_path, capsys):
    assert (
        _run(
            "briefing",
            "--db",
            str(hand_file),
            "--year",
            str(YEAR),
            "--month",
            "7",
            "--out",
            str(tmp_path / "brief.docx"),
        )
        == 1
    )
    assert (
        _run(
            "briefing",
            "--db",
            str(tmp_path / "none.duckdb"),
            "--year",
            str(YEAR),
            "--out",
            str(tmp_path / "b.pptx"),
        )
        == 1
    )
    assert (
        _run(
            "briefing",
            "--db",
            str(hand_file),
            "--year",
            str(YEAR),
            "--month",
            "7",
            "--scope",
            "D03",
            "--public",
            "--out",
            str(tmp_path / "b.pptx"),
        )
        == 1
    )
    assert "没有可用数据" in capsys.readouterr().err


def test_export_table_warnings_public_and_internal(hand_file, tmp_path):
    public = tmp_path / "public.xlsx"
    internal = tmp_path / "internal.xlsx"
    assert (
        _run(
            "table",
            "warnings",
            "--db",
            str(hand_file),
            "--year",
            str(YEAR),
            "--month",
            "7",
            "--public",
            "--out",
            str(public),
        )
        == 0
    )
    assert (
        _run(
            "table",
            "warnings",
            "--db",
            str(hand_file),
            "--year",
            str(YEAR),
            "--month",
            "7",
            "--out",
            str(internal),
        )
        == 0
    )
    assert "P007" not in _cells(public)
    assert "P007" in _cells(internal)
    book = load_workbook(public)
    ws = book["warnings"]
    assert ws["A1"].value.startswith("【公开】预警清单")
    assert [c.value for c in ws[2]][:3] == ["项目编码", "预警规则", "等级"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:")
    fills = {row[0].fill.start_color.rgb[-6:] for row in ws.iter_rows(min_row=3)}
    assert "FFC7CE" in fills
    assert ws.oddHeader.right.text == "公开"


def test_export_table_execution_has_money_in_wan_and_rates_in_percent(hand_file, tmp_path):
    assert (
        _run(
            "table",
            "execution",
            "--db",
            str(hand_file),
            "--year",
            str(YEAR),
            "--month",
            "7",
            "--out",
            str(tmp_path),
        )
        == 0
    )
    [written] = list(tmp_path.glob("*.xlsx"))
    assert written.name.endswith("_2025年07月_内部.xlsx")
    ws = load_workbook(written)["execution"]
    headers = [c.value for c in ws[2]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    budget = rows["P003"][headers.index("调整后预算数（万元）")]
    assert budget.value == 2000 and budget.number_format == "#,##0.00"
    rate = rows["P003"][headers.index("执行率")]
    assert float(rate.value) == pytest.approx(0.35) and rate.number_format == "0.0%"
    assert rows["P003"][headers.index("进度差（百分点）")].number_format == "+0.0;-0.0;0.0"


def test_csv_reports_neutralise_formula_text_but_keep_numbers():
    frame = pd.DataFrame(
        {"name": ["=1+1", "+cmd", "@SUM(A1)", "-x", "正常"], "gap_pp": [-19.5, 1.0, 0.0, -2.0, 3.0]}
    )
    lines = cli.render(frame, "csv").splitlines()
    assert lines[1:] == ["'=1+1,-19.5", "'+cmd,1.0", "'@SUM(A1),0.0", "'-x,-2.0", "正常,3.0"]


def test_template_csv_headers_cannot_be_formulas():
    from perfbudget.export.xlsx import FORMULA_TRIGGERS
    from perfbudget.importer.templates import TABLE_KINDS, template_csv_bytes

    for kind in TABLE_KINDS:
        header = template_csv_bytes(kind).decode("utf-8-sig").splitlines()[0]
        assert not any(cell.startswith(FORMULA_TRIGGERS) for cell in header.split(","))


def test_the_workbook_opens_from_bytes_too(hand_file, tmp_path):
    out = tmp_path / "sel.xlsx"
    assert (
        _run("table", "selfeval", "--db", str(hand_file), "--year", str(YEAR), "--out", str(out))
        == 0
    )
    book = load_workbook(io.BytesIO(out.read_bytes()))
    assert book.sheetnames == ["说明", "selfeval"]
