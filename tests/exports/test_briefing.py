"""The briefing (perfbudget.export.briefing → pptx / pdf / xlsx) on the hand-computed district
of tests/hand_fixture.py: district execution 9,545,000 ÷ 24,600,000 = 38.8% at July, time
progress 7/12 = 58.3%, gap −19.5 pp. P007 belongs to D03 区保密办, a sensitive department:
a public briefing must not show it anywhere. The fixture has no costs and no year-end data,
so those sections are left out with a note."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

from perfbudget.export import pdf
from perfbudget.export.briefing import BriefingError, briefing_xlsx, build_briefing
from perfbudget.export.pptx import briefing_pptx, chart_images
from tests.hand_fixture import YEAR

SENSITIVE_TEXTS = ("P007", "保密设备维护", "区保密办")


@pytest.fixture(scope="module")
def hand_conn():
    from perfbudget import db
    from tests.hand_fixture import seed_hand_fixture

    conn = db.connect()
    seed_hand_fixture(conn)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def internal(hand_conn):
    return build_briefing(hand_conn, YEAR, 7)


@pytest.fixture(scope="module")
def public(hand_conn):
    return build_briefing(hand_conn, YEAR, 7, public=True)


@pytest.fixture(scope="module")
def internal_deck(internal):
    images = chart_images(internal)
    return Presentation(io.BytesIO(briefing_pptx(internal, images=images))), images


@pytest.fixture(scope="module")
def public_pptx(public):
    return briefing_pptx(public)


def _slide_texts(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


def _all_xml_text(pptx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(pptx)) as archive:
        return "\n".join(
            archive.read(n).decode("utf-8", "replace")
            for n in archive.namelist()
            if n.endswith(".xml")
        )


def test_the_kpi_caption_states_the_district_rate_against_time_progress(internal):
    kpi = internal.sections[0]
    assert kpi.key == "kpi"
    assert kpi.caption.startswith("全区执行率38.8%，低于序时进度19.5个百分点")
    values = {k.label: k.value for k in kpi.kpis}
    assert values["预算执行率"] == "38.8%"
    assert values["序时进度"] == "58.3%"
    assert values["调整后预算"] == "2,460.00万元"
    assert values["累计支出"] == "954.50万元"


def test_the_deck_is_16_9_with_a_cover_and_one_slide_per_section(internal, internal_deck):
    deck, _ = internal_deck
    assert deck.slide_width == Inches(13.333)
    assert deck.slide_height == Inches(7.5)
    assert [s.key for s in internal.sections] == ["kpi", "execution", "warnings", "dual_monitoring"]
    assert len(deck.slides) == 1 + 4


def test_each_slide_carries_its_caption_and_the_hand_figures(internal_deck):
    deck, _ = internal_deck
    texts = [_slide_texts(slide) for slide in deck.slides]
    assert "示例区预算绩效简报" in texts[0]
    assert "数据截至2025年7月" in texts[0]
    assert "全区执行率38.8%，低于序时进度19.5个百分点" in texts[1]
    assert "58.3%" in texts[1]
    # the execution slide names the slowest department: 区保密办 at 10,000 ÷ 100,000
    assert "执行率最低的是区保密办（10.0%）" in texts[2]
    # the warnings slide lists the worst flags in a table, P003's slow spending among them
    assert "新建学校工程" in texts[3]
    assert "4个项目中" in texts[4]


def test_chart_slides_have_pictures_and_the_warnings_slide_a_table(internal_deck):
    deck, images = internal_deck
    assert set(images) == {"kpi", "execution", "dual_monitoring"}
    kinds = [{shape.shape_type for shape in slide.shapes} for slide in deck.slides]
    for index in (1, 2, 4):
        assert MSO_SHAPE_TYPE.PICTURE in kinds[index]
    assert any(shape.has_table for shape in deck.slides[3].shapes)
    for png in images.values():
        assert png.startswith(b"\x89PNG")


def test_every_slide_is_marked_and_every_run_has_an_east_asian_font(internal_deck):
    deck, _ = internal_deck
    for slide in deck.slides:
        assert "内部" in _slide_texts(slide)
        for shape in slide.shapes:
            if not shape.has_text_frame:
                continue
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    ea = run._r.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}ea")
                    assert ea is not None and ea.get("typeface")


def test_sections_without_data_are_left_out_with_a_note(internal, internal_deck):
    deck, _ = internal_deck
    omitted = dict(internal.omitted)
    assert set(omitted) == {"绩效自评等级", "成本对比"}
    assert "没有成本数据" in omitted["成本对比"]
    cover = _slide_texts(deck.slides[0])
    assert "未包含「成本对比」" in cover
    assert "未包含「绩效自评等级」" in cover


def test_only_the_chosen_sections_are_built(hand_conn):
    briefing = build_briefing(hand_conn, YEAR, 7, sections=["warnings", "kpi"])
    assert [s.key for s in briefing.sections] == ["kpi", "warnings"]
    with pytest.raises(BriefingError):
        build_briefing(hand_conn, YEAR, 7, sections=["nonsense"])


def test_a_department_briefing_shows_its_projects(hand_conn):
    briefing = build_briefing(hand_conn, YEAR, 7, "D01")
    assert briefing.scope_label == "区教育局"
    # D01: (560,000 + 350,000 + 7,000,000 + 500,000) ÷ 23,200,000 = 36.25% → 36.3% (half up)
    assert briefing.sections[0].caption.startswith("区教育局执行率36.3%")
    execution = briefing.sections[1]
    assert execution.title == "各项目预算执行"
    assert "4个项目中" in execution.caption


def test_no_data_is_a_clear_error_not_an_empty_deck(hand_conn):
    with pytest.raises(BriefingError, match="没有可用数据"):
        build_briefing(hand_conn, YEAR, 7, "D03", public=True)
    with pytest.raises(BriefingError):
        build_briefing(hand_conn, YEAR + 5, 7)


def test_a_public_briefing_contains_no_sensitive_project(public, public_pptx, internal):
    assert public.marking == "公开"
    assert public.file_name("pptx").endswith("_公开.pptx")
    # without P007 (100,000 budget, 10,000 spent): 9,535,000 ÷ 24,500,000 = 38.9%
    assert public.sections[0].caption.startswith("全区执行率38.9%")
    text = _all_xml_text(public_pptx)
    for sensitive in SENSITIVE_TEXTS:
        assert sensitive not in text
    for table in public.tables:
        flat = table.frame.astype(str).to_string()
        for sensitive in SENSITIVE_TEXTS:
            assert sensitive not in flat
    book = load_workbook(io.BytesIO(briefing_xlsx(public)))
    cells = " ".join(
        str(c.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    )
    for sensitive in SENSITIVE_TEXTS:
        assert sensitive not in cells
    # the internal one does hold it, so the checks above could fail
    internal_cells = briefing_xlsx(internal)
    book = load_workbook(io.BytesIO(internal_cells))
    assert "区保密办" in " ".join(
        str(c.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    )


def test_every_public_slide_is_marked_public(public_pptx):
    deck = Presentation(io.BytesIO(public_pptx))
    for slide in deck.slides:
        text = _slide_texts(slide)
        assert "公开" in text
        assert "内部　" not in text


def test_the_tables_workbook_is_formatted_and_marked(internal):
    book = load_workbook(io.BytesIO(briefing_xlsx(internal)))
    assert book.sheetnames[0] == "说明"
    assert "【内部】" in book["说明"]["A1"].value
    assert "未包含「成本对比」" in " ".join(str(c.value) for c in book["说明"]["A"])
    ws = book["部门执行"]
    assert ws["A1"].value.startswith("【内部】")
    headers = [c.value for c in ws[2]]
    assert headers[:3] == ["部门编码", "主管部门", "项目数"]
    assert all(c.font.bold for c in ws[2] if c.value)
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:")
    rows = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    d01 = rows["D01"]
    budget = d01[headers.index("调整后预算数（万元）")]
    assert budget.value == Decimal("2320")
    assert budget.number_format == "#,##0.00"
    rate = d01[headers.index("执行率")]
    assert rate.number_format == "0.0%"
    assert headers.index("进度差（百分点）") >= 0
    # D03's light is red (P007's pace 0.17: red slow spending) → the red fill
    assert rows["D03"][0].fill.start_color.rgb.endswith("FFC7CE")
    warnings = book["预警"]
    assert warnings.freeze_panes == "A3"
    fills = {c.fill.start_color.rgb[-6:] for c in warnings["A"][2:]}
    assert {"FFC7CE", "FFEB9C"} <= fills
    for sheet in book.worksheets:
        assert sheet.oddHeader.right.text == "内部"


def test_text_that_looks_like_a_formula_is_neutralised_in_every_export(hand_conn):
    hand_conn.execute(
        "update projects set project_name = '=HYPERLINK(\"http://x\")' where project_code = 'P003'"
    )
    try:
        briefing = build_briefing(hand_conn, YEAR, 7)
        book = load_workbook(io.BytesIO(briefing_xlsx(briefing)))
        names = [
            c.value
            for ws in book.worksheets
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and "HYPERLINK" in c.value
        ]
        assert names and all(v.startswith("'=") for v in names)
        assert all(
            c.data_type == "s"
            for ws in book.worksheets
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and "HYPERLINK" in c.value
        )
    finally:
        hand_conn.execute(
            "update projects set project_name = '新建学校工程' where project_code = 'P003'"
        )


def test_without_libreoffice_the_pdf_says_so(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert not pdf.available()
    with pytest.raises(pdf.PdfUnavailable, match="LibreOffice"):
        pdf.pptx_to_pdf(b"not used")


@pytest.mark.slow
@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed")
def test_the_pdf_has_one_page_per_slide(internal, internal_deck):
    _, images = internal_deck
    content = pdf.briefing_pdf(internal, images)
    assert content.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?!s)", content)
    assert len(pages) == 1 + len(internal.sections)


# --- the cost-analysis slide (成本分析) on the hand costs ---------------------------------------
# tests/hand_fixture.py seed_hand_costs (tests/cli/golden/cost_classes.csv): 环卫保洁 平方米 has
# one project (P006, D02) at 4 元, a 成本定额标准 of 5 and no suggested standard (fewer than 5
# peers); 4 is not above 5, so 0 above the reference. 绿化养护 has neither a standard nor a
# suggested standard (3 peers per 平方米, 1 per 株): not in the chosen class set.


def _png(width: int = 1, height: int = 1) -> bytes:
    """A blank PNG, instead of kaleido's drawing: the slide places whatever it is given."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def cost_conn():
    from perfbudget import db
    from tests.hand_fixture import seed_hand_costs, seed_hand_fixture

    conn = db.connect()
    seed_hand_fixture(conn)
    seed_hand_costs(conn)
    yield conn
    conn.close()


def _cost_slide(briefing):
    drawn: list[tuple[int, int]] = []

    def draw(figure, width, height):
        drawn.append((width, height))
        return _png()

    images = chart_images(briefing, image=draw)
    deck = Presentation(io.BytesIO(briefing_pptx(briefing, images=images)))
    index = 1 + [s.key for s in briefing.sections].index("cost_classes")
    return deck.slides[index], images


def test_the_cost_analysis_section_is_one_a_user_can_pick():
    from perfbudget.export.briefing import SECTIONS

    assert SECTIONS["cost_classes"] == "成本分析：一类事单位成本"
    assert list(SECTIONS)[-1] == "cost_classes"


def test_the_cost_slide_carries_the_class_figures_of_the_chosen_set(cost_conn):
    briefing = build_briefing(cost_conn, YEAR, 7, sections=["cost_classes"])
    [section] = briefing.sections
    assert section.key == "cost_classes"
    table = section.table.frame
    # only 环卫保洁 has a standard or a suggested standard
    assert table["service_class"].tolist() == ["环卫保洁"]
    row = table.iloc[0]
    assert row["output_unit"] == "平方米"
    assert int(row["project_count"]) == 1
    assert row["median_unit_cost_yuan"] == 4
    assert row["middle_half"] == "4–4"
    assert row["standard_unit_cost_yuan"] == 5
    assert pd.isna(row["suggested_standard_yuan"])
    assert int(row["above_reference_count"]) == 0
    assert section.caption == (
        "有成本定额标准或建议标准的一类事1个；项目最多的环卫保洁（1个项目）单位成本中位数4元/平方米"
    )
    slide, images = _cost_slide(briefing)
    [grid] = [shape.table for shape in slide.shapes if shape.has_table]
    cells = [[cell.text for cell in row.cells] for row in grid.rows]
    assert cells[0] == [
        "一类事",
        "产出单位",
        "项目数",
        "中位数（元）",
        "P25–P75（元）",
        "成本定额标准（元）",
        "建议标准（元）",
        "高于参考值项目数",
    ]
    assert cells[1] == ["环卫保洁", "平方米", "1", "4", "4–4", "5", "—", "0"]
    assert "绿化养护" not in _slide_texts(slide)
    # and under the table the strip chart of 环卫保洁 (P006's 4 元)
    assert set(images) == {"cost_classes"}
    assert MSO_SHAPE_TYPE.PICTURE in {shape.shape_type for shape in slide.shapes}
    picture = next(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
    table_shape = next(s for s in slide.shapes if s.has_table)
    assert picture.top > table_shape.top + Inches(1.75)
    points = [x for trace in section.figure.data for x in (trace.x or ()) if x is not None]
    assert points == [4.0]


def test_a_department_briefing_shows_its_projects_against_the_whole_class(cost_conn):
    # D02 holds P006: its strip has P006; D01 has no 环卫保洁 project: the class figures
    # (over every project) stay, the chart goes and a note says why
    own = build_briefing(cost_conn, YEAR, 7, department_code="D02", sections=["cost_classes"])
    other = build_briefing(cost_conn, YEAR, 7, department_code="D01", sections=["cost_classes"])
    for briefing in (own, other):
        [section] = briefing.sections
        assert int(section.table.frame["project_count"].iloc[0]) == 1
        assert section.table.frame["median_unit_cost_yuan"].iloc[0] == 4
    assert own.sections[0].figure is not None
    assert "本部门项目" in own.sections[0].notes[-1]
    assert other.sections[0].figure is None
    assert other.sections[0].notes[-1] == "环卫保洁（平方米）没有本范围内可比较的项目，不绘图。"
    slide, images = _cost_slide(other)
    assert images == {}
    assert any(shape.has_table for shape in slide.shapes)


def test_without_cost_data_the_cost_analysis_section_is_off(hand_conn, internal, cost_conn):
    from perfbudget.export.briefing import default_sections

    # by default: off, and not named as left out either (the year simply has no costs)
    assert "cost_classes" not in default_sections(hand_conn, YEAR)
    assert "cost_classes" not in [s.key for s in internal.sections]
    assert "成本分析：一类事单位成本" not in dict(internal.omitted)
    # picked all the same: left out with the reason
    asked = build_briefing(hand_conn, YEAR, 7, sections=["kpi", "cost_classes"])
    assert [s.key for s in asked.sections] == ["kpi"]
    assert asked.omitted == [("成本分析：一类事单位成本", "2025年度没有成本数据")]
    # with costs it is on by default
    assert "cost_classes" in default_sections(cost_conn, YEAR)
    assert "cost_classes" in [s.key for s in build_briefing(cost_conn, YEAR, 7).sections]


# --- the 财政可靠性 (PEFA) slide -----------------------------------------------------------


@pytest.fixture(scope="module")
def pefa_conn():
    """The hand fixture with 2023 and 2024 and a December 2025 (tests/pefa_fixture.py: the
    district's outturn ÷ initial budget 100%, 90%, 10,185,000 ÷ 24,400,000 = 41.7% → PI-1 B;
    PI-2 over D01–D03 0, 0, 11.4% → A)."""
    from perfbudget import db
    from tests.hand_fixture import seed_hand_fixture
    from tests.pefa_fixture import seed_pefa_years

    conn = db.connect()
    seed_hand_fixture(conn)
    seed_pefa_years(conn)
    yield conn
    conn.close()


def test_the_pefa_slide_shows_the_district_over_three_years(pefa_conn):
    from perfbudget.export.briefing import default_sections

    assert "pefa" in default_sections(pefa_conn, YEAR)  # rated: on by default
    briefing = build_briefing(pefa_conn, YEAR, 7, sections=["pefa"])
    [section] = briefing.sections
    assert (section.key, section.title) == ("pefa", "财政可靠性（PEFA）")
    assert section.caption == (
        "2023–2025年PI-1支出总额评分B（决算÷年初预算100.0%、90.0%、41.7%），"
        "PI-2支出结构评分A（对下属部门的偏差0.0%、0.0%、11.4%）"
    )
    # the slide: the district's three years; the workbook: its departments' after them
    deck = Presentation(io.BytesIO(briefing_pptx(briefing, images={})))
    [grid] = [shape.table for shape in deck.slides[1].shapes if shape.has_table]
    cells = [[cell.text for cell in row.cells] for row in grid.rows]
    assert cells[0] == [
        "年度",
        "年初预算（万元）",
        "决算支出（万元）",
        "决算 ÷ 年初预算",
        "PI-1 当年等级",
        "结构偏差",
        "PI-2 当年等级",
    ]
    assert [row[0] for row in cells[1:]] == ["2023", "2024", "2025"]
    assert cells[3][3:] == ["41.7%", "D", "11.4%", "C"]
    frame = section.table.frame
    assert (
        list(frame["name"])
        == ["示例区"] * 3 + ["区教育局"] * 3 + ["区卫生健康委员会"] * 3 + ["区保密办"] * 3
    )
    sheet = load_workbook(io.BytesIO(briefing_xlsx(briefing)))["财政可靠性"]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "区卫生健康委员会" in values and "PI-2 评分" in values


def test_the_pefa_slide_of_a_department_is_over_its_units(pefa_conn):
    # D02 2023–2025: 100%, 90%, 1,125,000 ÷ 1,300,000 = 86.5% → B; no units: one sub-head, A
    briefing = build_briefing(pefa_conn, YEAR, 7, department_code="D02", sections=["pefa"])
    [section] = briefing.sections
    assert section.caption.startswith(
        "2023–2025年PI-1支出总额评分B（决算÷年初预算100.0%、90.0%、86.5%）"
    )
    assert "预算单位" in section.caption
    assert set(section.table.frame["name"]) == {"区卫生健康委员会"}


def test_without_three_completed_years_the_pefa_slide_is_off(hand_conn, internal):
    from perfbudget.export.briefing import default_sections

    assert "pefa" not in default_sections(hand_conn, YEAR)
    assert "pefa" not in [s.key for s in internal.sections]
    asked = build_briefing(hand_conn, YEAR, 7, sections=["kpi", "pefa"])
    assert [s.key for s in asked.sections] == ["kpi"]
    assert asked.omitted == [
        ("财政可靠性（PEFA）", "截至2025年还没有完整年度（有12月支出数据的年度）")
    ]


# --- the deck in English ----------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_an_english_briefing_has_english_titles_captions_and_headers(hand_conn):
    briefing = build_briefing(hand_conn, YEAR, 7, lang="en")
    assert briefing.title == "示例区 budget performance briefing"  # the district's own name
    assert briefing.as_of == "Data as of 2025-07"
    assert briefing.marking == "Internal"
    assert briefing.file_name("pptx") == "briefing_示例区_2025-07_Internal.pptx"
    kpi = briefing.sections[0]
    assert kpi.caption.startswith(
        "The district: execution rate 38.8%, 19.5 pp behind time progress"
    )
    values = {k.label: k.value for k in kpi.kpis}
    assert values["Execution rate"] == "38.8%" and values["Time progress"] == "58.3%"
    assert values["Adjusted budget"] == "CNY 24.60 mn"
    assert [s.title for s in briefing.sections] == [
        "Overview",
        "Budget execution by department",
        "Top warnings",
        "Dual monitoring: spending and output progress",
    ]
    assert dict(briefing.omitted) == {
        "Self-evaluation grades": "no year-end data for 2024: nothing to score",
        "Unit costs against their reference": "no cost data for 2025",
    }
    # no Chinese of the deck's own: only the data's names (departments, projects) stay
    for section in briefing.sections:
        for text in (section.title, *section.notes, *(c.header for c in section.table.columns)):
            assert not CJK.search(text), text
    assert not CJK.search(briefing.sections[1].caption.split(": ")[0])
    deck = Presentation(io.BytesIO(briefing_pptx(briefing, images={})))
    cover = _slide_texts(deck.slides[0])
    assert "This briefing: Overview, Budget execution by department" in cover
    assert (
        "Internal edition" in cover and "Not included: Unit costs against their reference" in cover
    )
    [grid] = [shape.table for shape in deck.slides[3].shapes if shape.has_table]
    assert [cell.text for cell in grid.rows[0].cells] == [
        "Severity",
        "Project",
        "Department",
        "Rule",
        "Message",
    ]
    # the rules' names and the flags' sentences in English (flags.with_messages)
    assert "Slow spending" in _slide_texts(deck.slides[3])
    assert "behind time progress 58.3%" in _slide_texts(deck.slides[3])
    book = load_workbook(io.BytesIO(briefing_xlsx(briefing)))
    assert book.sheetnames[0] == "About"
    assert "Overview" in book.sheetnames and "Warnings" in book.sheetnames
    cover_text = [c for row in book["About"].iter_rows(values_only=True) for c in row if c]
    assert "[Internal] 示例区 budget performance briefing (appendix)" in cover_text


def test_the_pefa_and_cost_slides_in_english(pefa_conn, cost_conn):
    [pefa] = build_briefing(pefa_conn, YEAR, 7, sections=["pefa"], lang="en").sections
    assert pefa.title == "Fiscal reliability (PEFA)"
    assert pefa.caption == (
        "2023–2025: PI-1 aggregate outturn B (outturn ÷ initial budget 100.0%, 90.0%, 41.7%); "
        "PI-2 composition A (variance over its departments 0.0%, 0.0%, 11.4%)"
    )
    assert [c.header for c in pefa.table.columns][:3] == [
        "Head",
        "Year",
        "Initial budget (10k CNY)",
    ]
    [classes] = build_briefing(cost_conn, YEAR, 7, sections=["cost_classes"], lang="en").sections
    assert classes.title == "Cost analysis: unit costs by service class"
    assert classes.caption == (
        "1 classes with a cost standard or a suggested standard; the largest, 环卫保洁 "
        "(1 projects), has a median unit cost of 4 yuan/平方米"
    )
    slide, _ = _cost_slide(build_briefing(cost_conn, YEAR, 7, sections=["cost_classes"], lang="en"))
    [grid] = [shape.table for shape in slide.shapes if shape.has_table]
    assert [cell.text for cell in grid.rows[0].cells][:4] == [
        "Service class",
        "Output unit",
        "Projects",
        "Median (yuan)",
    ]
    [costs] = build_briefing(cost_conn, YEAR, 7, sections=["costs"], lang="en").sections
    assert costs.title == "Unit costs against their reference"
    assert (
        costs.caption == "8 projects with costs; 0 clearly above their reference (0 red, 0 yellow)"
    )


def test_an_unknown_language_is_refused(hand_conn):
    with pytest.raises(BriefingError):
        build_briefing(hand_conn, YEAR, 7, lang="fr")


# --- the 简报 page and the chart buttons (AppTest) ---------------------------------------------


@pytest.fixture
def briefing_app(tmp_path, monkeypatch):
    """The app on a file holding the hand fixture, kept in router mode as a running server is
    (see tests/pages/test_pages.py)."""
    from pathlib import Path

    import streamlit as st
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from perfbudget import db
    from tests.hand_fixture import seed_hand_fixture

    class ServerPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", ServerPagesManager)
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=60)
    at.run()
    yield at
    st.cache_data.clear()
    st.cache_resource.clear()


def _open(at, page: str):
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_briefing_page_offers_the_files_and_says_what_is_left_out(briefing_app):
    at = _open(briefing_app, "pages/briefing.py")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载简报（PPTX）", "下载简报（PDF）", "下载附表（Excel）"] or (
        not pdf.available() and labels == ["下载简报（PPTX）", "下载附表（Excel）"]
    )
    outline = " ".join(m.value for m in at.markdown)
    assert "全区执行率38.8%，低于序时进度19.5个百分点" in outline
    notes = " ".join(i.value for i in at.info)
    assert "未包含「成本对比」" in notes
    at.toggle(key="briefing_public").set_value(True).run()
    outline = " ".join(m.value for m in at.markdown)
    assert "全区执行率38.9%" in outline
    assert "公开" in outline


def test_every_chart_on_a_page_has_png_and_svg_buttons(briefing_app):
    at = _open(briefing_app, "pages/overview.py")
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("PNG") == len(at.get("plotly_chart")) == labels.count("SVG") == 2


def test_a_slide_scatter_draws_the_largest_budgets_and_says_so(hand_conn, monkeypatch):
    """A city has 50,000 projects: the 双监控 slide draws the CHART_MAX_POINTS largest budgets
    (here 3 of the fixture's), says how many of how many, and its workbook keeps every row."""
    from perfbudget import charts

    whole = build_briefing(hand_conn, YEAR, 7, sections=["dual_monitoring"])
    monkeypatch.setattr(charts, "CHART_MAX_POINTS", 3)
    capped = build_briefing(hand_conn, YEAR, 7, sections=["dual_monitoring"])
    (full,), (few,) = whole.sections, capped.sections
    n = len(full.table.frame)
    assert n > 3
    points = sum(len(trace.x) for trace in few.figure.data if trace.x is not None)
    assert points == 3
    assert any(f"3个项目（共{n}个）" in note for note in few.notes)
    assert not any("个项目（共" in note for note in full.notes)
    assert len(few.table.frame) == n


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_flags_are_worded_for_the_slide_and_the_rest_when_the_workbook_is_written(
    hand_conn, monkeypatch, lang
):
    """The model words only the flags its slide can show (a city has 50,000); the workbook
    words every row, in the deck's language, when it is written."""
    from perfbudget import flags
    from perfbudget.export import briefing as briefing_module

    monkeypatch.setattr(briefing_module, "SLIDE_WARNINGS", 2)
    model = build_briefing(hand_conn, YEAR, 7, sections=["warnings"], lang=lang)
    table = model.sections[0].table
    assert len(table.frame) > 2
    assert table.frame["message"].head(2).notna().all()
    assert table.frame["message"].iloc[2:].isna().all()
    book = load_workbook(io.BytesIO(briefing_xlsx(model)))
    worded = flags.with_messages(flags.warning_flags(hand_conn, YEAR, 7, None, messages=False))
    expected = set(worded["message" if lang == "zh" else "message_en"])
    cells = {
        c
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    }
    assert expected <= cells  # every flag's sentence is in the workbook
