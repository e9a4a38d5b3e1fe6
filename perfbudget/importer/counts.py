"""What an import counts as its rows, and what each kind of row is called.

One definition everywhere: the rows of a batch are, per kind of record, the rows it writes
to that kind's stored table — one row per key (a project; a spending row per year, month,
project, fund source and economic class; an indicator; an indicator's value for one month;
a cost item; a cost standard; a rectification item; a self-evaluation claim; a budget
request). A template's
indicator sheet writes indicators and indicator values; a self-evaluation table writes a
project, its year-end spending, its indicators, their year-end values and its claim. The
preview (preview_files), the import summary (ImportResult), the batch record
(import_batches.row_counts, row_count their sum), the history, and the rollback and restore
(RollbackResult, RestoreResult) all count this way, keyed by the kinds below, in this order.
Departments, units and districts are kept beside the batches, not counted as their rows.

The rows a batch replaced (替换原有N行) are the rows its rollback puts back and its restore
returns to the history."""

from __future__ import annotations

from collections.abc import Mapping

from perfbudget.i18n import t

# each kind of record an import writes -> the table that stores it (the one mapping between
# the two names; a template kind is the kind of its main record)
RECORD_TABLES: dict[str, str] = {
    "projects": "projects",
    "execution": "spending",
    "indicators": "indicators",
    "indicator_actuals": "indicator_actuals",
    "costs": "costs",
    "cost_standards": "cost_standards",
    "rectifications": "rectifications",
    "self_evaluations": "self_evaluations",
    "budget_requests": "budget_requests",
}
RECORD_KINDS: tuple[str, ...] = tuple(RECORD_TABLES)
TABLE_RECORDS: dict[str, str] = {table: kind for kind, table in RECORD_TABLES.items()}


def kind_name(kind: str, lang: str = "zh") -> str:
    """A kind of record by its name (perfbudget.i18n kind_<kind>); an unknown one (an older
    batch's) as it is."""
    name = t(f"kind_{kind}", lang)
    return kind if name == f"kind_{kind}" else name


def ordered(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """(kind, rows) for the kinds with rows, known kinds first in RECORD_KINDS order."""
    known = [(k, counts[k]) for k in RECORD_KINDS if counts.get(k)]
    return known + [(k, n) for k, n in counts.items() if n and k not in RECORD_TABLES]


def counts_text(counts: Mapping[str, int], lang: str = "zh", total: bool = False) -> str:
    """'项目1行、预算执行2行' / 'projects 1 rows, execution 2 rows' (in English the kinds as
    the import's summary has always named them); '' for none.
    total: the sum after them when there are several kinds ('（共3行）' / ' (3 in all)')."""
    rows = ordered(counts)
    if lang == "zh":
        text = "、".join(f"{kind_name(k, 'zh')}{n}行" for k, n in rows)
    else:
        text = ", ".join(f"{k.replace('_', ' ')} {n} rows" for k, n in rows)
    if total and len(rows) > 1:
        n = sum(n for _k, n in rows)
        text += f"（共{n}行）" if lang == "zh" else f" ({n} in all)"
    return text


def by_kind(table_counts: Mapping[str, int]) -> dict[str, int]:
    """Counts keyed by stored table -> keyed by kind, without the empty ones."""
    return {TABLE_RECORDS.get(table, table): n for table, n in table_counts.items() if n}
