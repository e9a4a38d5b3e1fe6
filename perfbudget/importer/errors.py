"""Issues (what is wrong with an input file, where, in Chinese and English) and the
exception that refuses an import."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_ISSUES_PER_FILE = 200


@dataclass(frozen=True)
class ImportIssue:
    """One problem in one place of one file.

    row is the 1-based row number as Excel shows it (the header row counts; for a CSV the
    line's record number); column is the header text as written in the file, or the column
    letter when there is no header. sheet is None for a CSV; row and column are None for a
    problem of the whole file or sheet."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message_zh: str
    message_en: str

    def where_zh(self) -> str:
        parts = [f"文件「{self.file}」"]
        if self.sheet is not None:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column is not None:
            parts.append(f"列「{self.column}」")
        return " / ".join(parts)

    def where_en(self) -> str:
        parts = [f"file '{self.file}'"]
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def text(self) -> str:
        return f"{self.where_zh()}：{self.message_zh} | {self.where_en()}: {self.message_en}"

    def __str__(self) -> str:
        return self.text()


class ImportRejected(Exception):
    """The import was refused and nothing was written. .issues lists every problem found
    (up to MAX_ISSUES_PER_FILE per file)."""

    def __init__(self, issues: list[ImportIssue]):
        self.issues = list(issues)
        super().__init__("\n".join(issue.text() for issue in self.issues))


class CellError(ValueError):
    """A cell value that cannot be read: the bilingual reason, without the location."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(f"{message_zh} | {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass
class IssueLog:
    """Collects the issues of one file, capped so that a file with an error on every one of
    100,000 rows still gives a readable answer."""

    file: str
    issues: list[ImportIssue] = field(default_factory=list)
    dropped: int = 0

    def add(
        self,
        sheet: str | None,
        row: int | None,
        column: str | None,
        message_zh: str,
        message_en: str,
    ) -> None:
        if len(self.issues) >= MAX_ISSUES_PER_FILE:
            self.dropped += 1
            return
        self.issues.append(ImportIssue(self.file, sheet, row, column, message_zh, message_en))

    def add_cell_error(
        self, sheet: str | None, row: int | None, column: str | None, err: CellError
    ) -> None:
        self.add(sheet, row, column, err.message_zh, err.message_en)

    def __bool__(self) -> bool:
        return bool(self.issues)

    def all_issues(self) -> list[ImportIssue]:
        if not self.dropped:
            return list(self.issues)
        more = ImportIssue(
            self.file,
            None,
            None,
            None,
            f"另有{self.dropped}处问题未列出（只列前{MAX_ISSUES_PER_FILE}处）",
            f"{self.dropped} more issues not listed (only the first {MAX_ISSUES_PER_FILE})",
        )
        return [*self.issues, more]
