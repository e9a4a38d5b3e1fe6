"""Which layout a sheet is in, and how sure that is.

Layouts: ``template:<kind>`` (one of the canonical templates, told by its header row),
``selfeval_table`` (项目支出绩效自评表), ``monitoring_table`` (绩效目标执行监控表), or
``unknown``. A sheet that fits two layouts about equally well is *ambiguous*: the import
then asks for the layout (import_files(..., layout=...)) instead of guessing."""

from __future__ import annotations

from dataclasses import dataclass, field

from perfbudget.importer.columns import TABLE_KINDS, TEMPLATES, match_column, read_header
from perfbudget.importer.forms import FORM_LAYOUTS, MONITORING, SELFEVAL, form_signals
from perfbudget.importer.readers import Sheet
from perfbudget.importer.tables import (
    HEADER_SCAN_ROWS,
    _row_cells,
    _score_row,
    _two_row_header,
)

UNKNOWN = "unknown"
TEMPLATE_PREFIX = "template:"
LAYOUTS: tuple[str, ...] = (*(f"{TEMPLATE_PREFIX}{k}" for k in TABLE_KINDS), *FORM_LAYOUTS)
LAYOUT_NAMES_ZH = {
    **{f"{TEMPLATE_PREFIX}{k}": f"模板：{TEMPLATES[k].name_zh}" for k in TABLE_KINDS},
    SELFEVAL: "项目支出绩效自评表",
    MONITORING: "绩效目标执行监控表",
    UNKNOWN: "无法识别",
}
AMBIGUOUS_MARGIN = 0.15  # candidates whose confidence is this close to the best are offered


@dataclass
class Detection:
    layout: str  # the best candidate (or "unknown")
    confidence: float  # 0–1
    candidates: list[str] = field(default_factory=list)  # best first; more than one = ambiguous
    header_row: int | None = None  # 1-based, for a template
    signals: list[str] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


def is_layout(name: str) -> bool:
    return name in LAYOUTS


def template_kind(layout: str) -> str | None:
    return layout.removeprefix(TEMPLATE_PREFIX) if layout.startswith(TEMPLATE_PREFIX) else None


def _template_score(sheet: Sheet) -> tuple[str, float, int] | None:
    """(kind, confidence, 1-based header row) of the first header row found."""
    for i in range(min(sheet.n_rows, HEADER_SCAN_ROWS)):
        scored = _score_row(_row_cells(sheet, i))
        if scored:
            kind, _distinctive, _matched = scored
            template = TEMPLATES[kind]
            required = [c.key for c in template.columns if c.required]
            names = set()
            cells_ = _two_row_header(sheet, kind, i) or _row_cells(sheet, i)
            for cell in cells_:
                if cell and cell.strip() and (key := match_column(kind, read_header(cell))):
                    names.add(key)
            have = sum(1 for k in required if k in names)
            complete = have == len(required) and all(
                any(k in names for k in group) for group in template.one_of
            )
            confidence = 1.0 if complete else 0.3 + 0.4 * have / max(len(required), 1)
            return kind, confidence, i + 1
    return None


def detect(sheet: Sheet) -> Detection:
    """The layout of one sheet, with a confidence and, when unsure, the candidates."""
    scores: dict[str, float] = {}
    header_row = None
    template = _template_score(sheet)
    if template is not None:
        kind, confidence, header_row = template
        scores[f"{TEMPLATE_PREFIX}{kind}"] = confidence
    sig = form_signals(sheet)
    if sig.form >= 2:
        total = sig.selfeval + sig.monitoring
        base = min(1.0, 0.5 + 0.2 * sig.form)  # 2 signals 0.9, 3 or more 1.0
        if total == 0:
            scores[SELFEVAL] = scores[MONITORING] = 0.5 * base
        else:
            scores[SELFEVAL] = base * (0.5 + 0.5 * (sig.selfeval - sig.monitoring) / total)
            scores[MONITORING] = base * (0.5 + 0.5 * (sig.monitoring - sig.selfeval) / total)
        if template is not None:
            name = f"{TEMPLATE_PREFIX}{kind}"
            if scores[name] == 1.0:
                # a complete template header inside a form: both readings are possible
                scores[name] = max(scores[SELFEVAL], scores[MONITORING])
            else:
                # a form's funding or indicator header looks like part of a template
                del scores[name]
    if not scores:
        return Detection(UNKNOWN, 0.0, [], None, sig.found)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], LAYOUTS.index(item[0])))
    best, best_score = ranked[0]
    candidates = [name for name, s in ranked if best_score - s <= AMBIGUOUS_MARGIN and s > 0]
    return Detection(best, round(best_score, 2), candidates, header_row if template_kind(best)
                     else None, sig.found)  # fmt: skip
