"""Property: whatever a CSV holds — random headers, cells, encodings, quotes in odd places —
an import either lands every data row or is refused with nothing written; it never raises
anything else and never loses a row without saying so (issue 9, item 8)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from perfbudget.importer import ImportRejected, import_files
from tests.import_helpers import counts, new_db, scalar

REQUIRED = ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"]
OPTIONAL = ["区", "项目类别", "是否重点项目", "年初预算数", "备注", "junk", ""]
# No 合计/小计/总计 (a totals row is skipped with a note) and no 注 at the start of a cell.
_ALPHABET = st.sampled_from(
    list("绿化养护项目道路区局甲乙丙丁 abcXYZ0123456789.,;|\t\"'\n\r-%￥（）　")
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk", "big5", "shift_jis", "utf-16-le"]


def _budget() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, 10**12).map(str),
        st.decimals(0, 10**9, places=2, allow_nan=False).map(str),
        st.sampled_from(["1,234.50", "１２３", "约30万", "", "-", "1e308", "inf", "#DIV/0!"]),
        st.text(_ALPHABET, max_size=6),
    )


def _valid_cell(column: str) -> st.SearchStrategy[str]:
    if column == "年度":
        return st.just("2025")
    if column in ("调整后预算数", "年初预算数"):
        return st.integers(0, 10**12).map(str)
    if column == "是否重点项目":
        return st.sampled_from(["是", "否"])
    if column in ("项目名称", "主管部门"):  # names have something in them
        return st.text(_ALPHABET, min_size=1, max_size=12).filter(lambda t: t.strip(" \t\r\n　"))
    return st.text(_ALPHABET, max_size=12)


def _cell(column: str) -> st.SearchStrategy[str]:
    if column == "年度":
        return st.sampled_from(["2025", "2025年", "２０２５", "1999", "", "x"])
    if column in ("调整后预算数", "年初预算数"):
        return _budget()
    if column == "是否重点项目":
        return st.sampled_from(["是", "否", "Y", "maybe", ""])
    return st.text(_ALPHABET, max_size=12)


def _quoted(draw, text: str, odd: bool) -> tuple[str, bool]:
    """The cell as written — plain, properly quoted, or with a stray quote — and whether a
    reader must give back exactly the text (a properly quoted cell)."""
    if not odd:  # as a spreadsheet writes it
        if any(ch in text for ch in ',"\r\n'):
            return '"' + text.replace('"', '""') + '"', True
        return text, False
    style = draw(st.sampled_from(["plain", "plain", "quoted", "stray"]))
    if style == "quoted":
        return '"' + text.replace('"', '""') + '"', True
    if style == "stray":
        at = draw(st.integers(0, len(text)))
        return text[:at] + '"' + text[at:], False
    return text, False


@st.composite
def csv_files(draw):
    header = draw(st.lists(st.sampled_from(REQUIRED + OPTIONAL), min_size=2, max_size=9,
                           unique=True))  # fmt: skip
    if draw(st.booleans()):  # most files have the required columns
        header += [c for c in REQUIRED if c not in header]
        header = draw(st.permutations(header))
    n = draw(st.integers(1, 8))
    rows, names = [], {}
    odd = draw(st.booleans())  # half the files have odd cells, the others only odd quoting
    for i in range(n):
        code = f"H{i:03d}"
        row = []
        for column in header:
            if column == "项目编码":
                row.append(code)
                continue
            text = draw(_cell(column) if odd else _valid_cell(column))
            written, exact = _quoted(draw, text, odd) if column != "年度" else (text, False)
            if column == "项目名称" and exact:
                names[code] = text
            row.append(written)
        rows.append(row)
    lines = [",".join(header), *(",".join(r) for r in rows)]
    text = "\r\n".join(lines) + draw(st.sampled_from(["\r\n", "\n", ""]))
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace"), header, n, names


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_files())
def test_an_import_lands_every_row_or_nothing_and_never_raises_anything_else(case):
    content, header, n, names = case
    conn = new_db()
    before = counts(conn)
    try:
        result = import_files(conn, [("random.csv", content)])
    except ImportRejected as refused:
        event("refused")
        assert counts(conn) == before, "a refused import wrote something"
        assert refused.issues
        for issue in refused.issues:
            assert issue.message_zh and issue.message_en
            assert "Traceback" not in issue.text()
        return
    event("landed")
    # landed: every data row is there, each under its own code, none merged or dropped
    if "项目编码" in header:
        codes = {r[0] for r in conn.execute("select project_code from projects").fetchall()}
        assert codes == {f"H{i:03d}" for i in range(n)}
        for code, raw in names.items():
            stored = scalar(conn, "select project_name from projects where project_code = $c",
                            {"c": code})  # fmt: skip
            assert stored == raw.strip().strip("\u3000").strip()
    assert sum(result.files[0].row_counts.values()) == n
    conn.close()
