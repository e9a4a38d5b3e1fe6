"""CSV read strictly: the encoding judged, never guessed into nonsense, and every record
checked, so that no row is silently merged or lost (issue 9, item 3).

Encodings taken: UTF-8 (with or without BOM), UTF-16 with a BOM, and GB18030 (a superset of
GBK, what Excel and WPS save on Chinese Windows). Big5 and Shift-JIS bytes also decode as
GB18030 — into nonsense — so GB18030 is accepted only when the text reads as simplified
Chinese (its characters in GB2312, which covers everyday simplified text) or a detector
(charset-normalizer) says GB; anything else is refused, naming what it seems to be.

Records: Python's csv module merges every later line into one field after an unbalanced
quote and raises only at a size limit. Here a record spanning several lines whose embedded
lines look like whole records is refused at the row where the quote opened, and so are a
quote still open at the end of the file, an over-long cell and a file over the row or column
limits."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from perfbudget.importer.columns import column_letter
from perfbudget.importer.limits import Limits
from perfbudget.importer.xlsx_guard import Refusal

_SAVE_AS_ZH = (
    "请另存为 UTF-8 或 GBK 编码后再导入：Excel 中选「文件 → 另存为」，保存类型选「CSV UTF-8(逗号分隔)"
    "(*.csv)」；WPS 表格中选「文件 → 另存为」，文件类型选「CSV(逗号分隔)(*.csv)」（WPS 按 GBK 保存，"
    "可直接导入）；也可以直接上传 .xlsx 文件"
)
_SAVE_AS_EN = (
    'save it as UTF-8 or GBK and import again: in Excel, File → Save As, type "CSV UTF-8 '
    '(Comma delimited) (*.csv)"; in WPS Spreadsheets, File → Save As, type "CSV (Comma '
    'delimited) (*.csv)" (WPS saves GBK, which imports as is); or upload the .xlsx itself'
)
_GB = {"gb18030", "gbk", "gb2312", "hz"}
_NAMES = {  # what charset-normalizer calls it → (zh, en)
    "big5": ("Big5（繁体中文）", "Big5 (Traditional Chinese)"),
    "cp950": ("Big5（繁体中文）", "Big5 (Traditional Chinese)"),
    "big5hkscs": ("Big5-HKSCS（繁体中文）", "Big5-HKSCS (Traditional Chinese)"),
    "shift_jis": ("Shift-JIS（日文）", "Shift-JIS (Japanese)"),
    "cp932": ("Shift-JIS（日文）", "Shift-JIS (Japanese)"),
    "euc_jp": ("EUC-JP（日文）", "EUC-JP (Japanese)"),
    "euc_kr": ("EUC-KR（韩文）", "EUC-KR (Korean)"),
    "cp949": ("EUC-KR（韩文）", "EUC-KR (Korean)"),
}
_CANDIDATES = ["big5", "cp950", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949", "gb18030",
               "cp1252", "latin_1"]  # fmt: skip
_SIMPLIFIED_SHARE = 0.9
_SAMPLE = 256 * 1024
_CHUNK = 1 << 20


def refuse_encoding(zh: str, en: str) -> Refusal:
    return Refusal(f"{zh}。{_SAVE_AS_ZH}", f"{en}; {_SAVE_AS_EN}")


def _valid(content: bytes, encoding: str) -> bool:
    """Whether the whole file decodes, without holding the text."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for start in range(0, len(content), _CHUNK):
            decoder.decode(content[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _looks_utf16(head: bytes) -> bool:
    """ASCII in UTF-16 has a zero in every other byte."""
    even, odd = head[0::2], head[1::2]
    return max(even.count(0), odd.count(0)) >= 0.3 * max(len(odd), 1)


def _simplified_share(sample: str) -> float:
    wide = [c for c in sample if ord(c) > 127]
    if not wide:
        return 1.0
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(wide)


def _detected(sample: bytes) -> str | None:
    # only for a file that is neither UTF-8 nor UTF-16: most imports never load it
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=_CANDIDATES).best()
    return best.encoding if best is not None else None


def _named(encoding: str | None) -> tuple[str, str]:
    if encoding is None:
        return "无法识别的编码", "an encoding that cannot be told"
    zh, en = _NAMES.get(encoding, (encoding.upper(), encoding.upper()))
    return f"看起来是{zh}编码", f"it seems to be {en}"


def choose_encoding(content: bytes) -> str:
    """The codec to read this CSV with, or Refusal naming what it seems to be."""
    if content.startswith(b"\xef\xbb\xbf"):
        if not _valid(content, "utf-8-sig"):
            raise refuse_encoding(
                "文件以 UTF-8 标记开头，但内容不是有效的 UTF-8",
                "the file starts with a UTF-8 mark but is not valid UTF-8",
            )
        return "utf-8-sig"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        if not _valid(content, "utf-16"):
            raise refuse_encoding(
                "文件以 UTF-16 标记开头，但内容不是有效的 UTF-16",
                "the file starts with a UTF-16 mark but is not valid UTF-16",
            )
        return "utf-16"
    head = content[:4096]
    if b"\x00" in head:
        if _looks_utf16(head):
            raise refuse_encoding("文件是没有字节顺序标记（BOM）的 UTF-16 编码，无法可靠读取",
                                  "the file is UTF-16 without a byte-order mark (BOM), which "
                                  "cannot be read reliably")  # fmt: skip
        raise Refusal(
            "不是电子表格或CSV文件（可导入 .xlsx、.xls、.csv）",
            "not a spreadsheet or CSV file (.xlsx, .xls and .csv are accepted)",
        )
    if _valid(content, "utf-8"):
        return "utf-8"
    sample = content[:_SAMPLE]
    if _valid(content, "gb18030"):
        text = sample.decode("gb18030", errors="ignore")
        if _simplified_share(text) >= _SIMPLIFIED_SHARE or _detected(sample) in _GB:
            return "gb18030"
    zh, en = _named(_detected(sample))
    raise refuse_encoding(
        f"文件不是 UTF-8 或 GBK/GB18030 编码，{zh}", f"the file is not UTF-8 or GBK/GB18030: {en}"
    )


def sniff_delimiter(lines: list[str]) -> str:
    lines = [line for line in lines if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class CsvRecords:
    columns: list[list[str | None]]
    field_counts: list[int]  # fields of each record, as written
    encoding: str
    delimiter: str


def read_records(content: bytes, limits: Limits) -> CsvRecords:
    """Every record of the file, column by column, or Refusal at the first record that
    cannot be trusted (row = the record's number, as a spreadsheet would show it)."""
    encoding = choose_encoding(content)
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    head = [stream.readline() for _ in range(20)]
    delimiter = sniff_delimiter(head)
    stream.seek(0)
    csv.field_size_limit(limits.max_cell_chars + 1)
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    # built column by column as the records come, so the file is held once
    columns: list[list[str | None]] = []
    counts: list[int] = []
    width = 0
    line = 0
    cells = 0
    while True:
        start_line = line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _bad_record(exc, len(counts) + 1, start_line, limits) from None
        line = reader.line_num
        number = len(counts) + 1
        if line > start_line and width >= 2:
            _check_swallowed(record, number, delimiter, width)
        if len(counts) >= limits.max_rows:
            raise Refusal(f"文件超过{limits.max_rows:,}行的上限：请拆分后分别导入",
                          f"the file has more than {limits.max_rows:,} rows, the limit: split it "
                          "and import the parts")  # fmt: skip
        if len(record) > limits.max_columns:
            raise Refusal(f"该行有{len(record):,}列，超过{limits.max_columns}列的上限",
                          f"the row has {len(record):,} columns, over the limit of "
                          f"{limits.max_columns}", row=number)  # fmt: skip
        n = len(record)
        cells += n
        if cells > limits.max_cells:
            raise Refusal(f"文件超过{limits.max_cells:,}个单元格的上限（行数 × 列数）：请拆分后分别导入",
                          f"the file has more than {limits.max_cells:,} cells (rows × columns), "
                          "the limit: split it and import the parts")  # fmt: skip
        if n > width:
            columns.extend([None] * len(counts) for _ in range(n - width))
            width = n
        for j in range(width):
            columns[j].append(record[j] or None if j < n else None)
        counts.append(n)
    return CsvRecords(columns, counts, encoding, delimiter)


def _bad_record(exc: csv.Error, number: int, line: int, limits: Limits) -> Refusal:
    text = str(exc)
    if "field larger than field limit" in text:
        return Refusal(
            f"（文件第{line}行起）有单元格超过{limits.max_cell_chars:,}个字符"
            "（常见原因：引号未闭合，后面的行都并进了这个单元格）",
            f"(from line {line} of the file) a cell is longer than "
            f"{limits.max_cell_chars:,} characters (usually an unclosed quote that swallowed "
            "the rows after it)",
            row=number,
        )
    if "unexpected end of data" in text or "EOF" in text:
        return Refusal(
            f"（文件第{line}行起）引号没有闭合，直到文件末尾：其后所有行都会并入一个单元格",
            f"(from line {line} of the file) a quote is opened and never closed: "
            "every later row would be merged into one cell",
            row=number,
        )
    return Refusal(
        f'（文件第{line}行起）引号用法不正确（如 "abc"def）：请检查该行的双引号',
        f"(from line {line} of the file) a quote is misplaced (such as "
        '"abc"def): check the double quotes on that row',
        row=number,
    )


def _check_swallowed(record: list[str], number: int, delimiter: str, width: int) -> None:
    """A quoted cell may hold line breaks; one whose inner lines carry a record's worth of
    delimiters has swallowed the rows after an unclosed quote."""
    for j, field in enumerate(record):
        if "\n" not in field and "\r" not in field:
            continue
        inner = field.replace("\r\n", "\n").replace("\r", "\n").split("\n")[1:]
        merged = [part for part in inner if part.count(delimiter) >= width - 1]
        if merged:
            raise Refusal(
                f"引号没有闭合：其后{len(inner)}行被并入了这个单元格（请检查该单元格的双引号）",
                f"a quote is not closed where the cell ends: the {len(inner)} lines after it "
                "were merged into that cell (check its double quotes)",
                row=number,
                column=column_letter(j),
            )
