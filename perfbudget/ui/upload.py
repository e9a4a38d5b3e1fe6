"""The upload page's pieces: the import's progress bar, its problems where a reader can read
them whole, the summary of what was imported."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perfbudget.ui.markdown import md_text
from perfbudget.ui.session import lang, tr


def progress_callback(bar):
    """A progress function for the importer (fraction 0–1, label) that moves a st.progress bar."""

    def report(fraction: float, label: str | None = None) -> None:
        value = min(max(float(fraction), 0.0), 1.0)
        bar.progress(value, text=md_text(summary_line(label)) if label else tr("importing"))

    return report


ISSUES_AS_TEXT = 8


def issues_frame(issues):
    """ImportRejected.issues as a table: file, sheet, row, column, the problem."""
    message = "message_zh" if lang() == "zh" else "message_en"
    return pd.DataFrame(
        {
            tr("col_file"): [i.file for i in issues],
            tr("col_sheet"): [i.sheet or "" for i in issues],
            tr("col_row"): pd.array([i.row for i in issues], dtype="Int64"),
            tr("col_column"): [i.column or "" for i in issues],
            tr("col_problem"): [getattr(i, message) for i in issues],
        }
    )


def show_issues(issues) -> None:
    """Import problems where a reader can read them whole: the first few as sentences (a
    table cell would cut a long message off), all of them in a table when there are more."""
    zh = lang() == "zh"
    lines = []
    for issue in issues[:ISSUES_AS_TEXT]:
        where = [tr("issue_sheet", sheet=md_text(issue.sheet))] if issue.sheet is not None else []
        if issue.row is not None:
            where.append(tr("issue_row", row=issue.row))
        if issue.column is not None:
            where.append(tr("issue_column", column=md_text(issue.column)))
        head = f"{md_text(issue.file)} · " + " · ".join(where) if where else md_text(issue.file)
        lines.append(f"- **{head}**{'：' if zh else ': '}"
                     f"{md_text(issue.message_zh if zh else issue.message_en)}")  # fmt: skip
    st.markdown("\n".join(lines))
    if len(issues) > ISSUES_AS_TEXT:
        st.caption(tr("issues_all_below", n=len(issues)))
        st.dataframe(issues_frame(issues), hide_index=True, placeholder="—")


def summary_line(line: str) -> str:
    """One of ImportResult.summary_lines() ('中文 | English') in the current language."""
    if " | " not in line:
        return line.strip()
    zh, en = line.split(" | ", 1)
    return (zh if lang() == "zh" else en).strip()


def import_summary_table(frame):
    """ImportResult.to_frame() with headers in the current language."""
    return pd.DataFrame(
        {
            tr("col_file"): frame["file_name"].to_numpy(),
            tr("col_sheet"): [s if isinstance(s, str) else "" for s in frame["sheet"]],
            tr("col_kind"): [tr(f"kind_{k}") for k in frame["kind"]],
            tr("col_header_row"): frame["header_row"].to_numpy(),
            tr("col_rows"): frame["rows"].to_numpy(),
            tr("col_batch"): frame["batch_id"].to_numpy(),
            tr("col_replaced"): frame["replaced_count"].to_numpy(),
            tr("col_ignored"): frame["ignored_columns"].to_numpy(),
        }
    )
