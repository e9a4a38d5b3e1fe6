"""数据导入 Data import: the templates; the files chosen are previewed before anything is
written (per sheet the layout read and its confidence, the first rows of each kind, notes and
issues), a sheet whose layout is ambiguous is asked about, 导入 writes with a progress bar;
after self-evaluation tables the self-score check; the batch history, what a batch changed,
its rollback and the restore of a rolled-back batch."""

import hashlib
import json

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.data import (
    RECORD_KINDS,
    TABLE_KINDS,
    TABLE_RECORDS,
    RollbackRefused,
    counts_text,
    kind_name,
    template_csv_bytes,
    template_workbook_bytes,
)

ui.ensure_router()

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE = "template:"
SELFEVAL = "selfeval_table"
# what a preview's record columns and batch_changes' columns are called on screen
COLUMN_KEYS = {
    "year": "year", "month": "pv_month", "project_code": "col_project_code",
    "project_name": "col_project", "department_code": "col_department_code",
    "unit_code": "pv_unit_code", "initial_budget_yuan": "pv_initial_yuan",
    "adjusted_budget_yuan": "pv_adjusted_yuan", "fund_source": "pv_fund_source",
    "economic_class": "pv_economic_class", "amount": "pv_amount_yuan",
    "cumulative_yuan": "pv_cumulative_yuan", "forecast_yuan": "pv_forecast_yuan",
    "level1": "col_level1", "level2": "col_level2", "indicator_name": "col_indicator",
    "operator": "pv_operator", "target_value": "pv_target_value", "target_text": "col_target",
    "unit": "col_unit", "points": "col_points", "actual_value": "pv_actual_value",
    "actual_text": "col_actual", "claimed_score": "pv_claimed_score", "reason": "col_reason",
    "forecast_value": "pv_forecast_value", "forecast_text": "pv_forecast_text",
    "deviation_category": "pv_deviation_category",
    "completion_likelihood": "pv_completion_likelihood", "cost_item": "col_cost_item",
    "amount_yuan": "pv_amount_yuan", "output_quantity": "pv_output_quantity",
    "output_unit": "pv_output_unit", "service_class": "pv_service_class",
    "standard_unit_cost_yuan": "pv_standard_cost_yuan", "issue": "col_issue",
    "feedback_date": "col_feedback_date", "done_date": "col_done_date",
    "execution_points": "pv_execution_points",
    "claimed_execution_score": "pv_claimed_execution_score",
    "claimed_total_score": "col_claimed_score", "claimed_grade": "col_claimed_grade",
    "goal_expected": "pv_goal_expected", "goal_actual": "pv_goal_actual",
    "sheet": "col_sheet", "row": "col_row",
}  # fmt: skip


def kind_label(kind: str) -> str:
    """A kind of record by its name on screen; a name the page does not know (an old or a demo
    batch's) as it is."""
    return kind_name(kind, ui.lang())


def layout_label(layout: str) -> str:
    if layout.startswith(TEMPLATE):
        return ui.tr("layout_template", kind=kind_label(layout.removeprefix(TEMPLATE)))
    label = ui.tr(f"layout_{layout}")
    return layout if label == f"layout_{layout}" else label


def layouts_label(layouts: object) -> str:
    names = [n for n in str(layouts or "").split(",") if n and n != "unknown"]
    return ("、" if ui.lang() == "zh" else ", ").join(layout_label(n) for n in names)


def column_label(name: str) -> str:
    key = COLUMN_KEYS.get(name)
    return ui.tr(key) if key else name


def table_label(table: str) -> str:
    """A stored table (batch_changes names them) by the kind of record it holds."""
    return kind_label(TABLE_RECORDS.get(table, table))


def batch_counts(batch) -> dict[str, int]:
    """A batch's rows per kind of record, as its import counted them (import_batches.row_counts)."""
    try:
        counts = json.loads(batch.row_counts or "{}")
    except (TypeError, ValueError):
        return {}
    return counts if isinstance(counts, dict) else {}


def shown_value(column: str, value: object) -> str:
    """A changed value as text: money with thousands separators, numbers without trailing
    zeros, empty as —."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if column.endswith("_yuan"):
        return f"{value:,.2f}"
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"
    return str(value)


def record_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """A preview's first rows with headers on screen; amounts as numbers in 元."""
    out = pd.DataFrame(index=frame.index)
    config = {}
    for name in frame.columns:
        label = column_label(name)
        column = frame[name]
        if name.endswith("_yuan") or name == "amount":
            out[label] = [None if v is None else float(v) for v in column]
            config[label] = st.column_config.NumberColumn(format="localized")
        elif name in ("target_value", "actual_value", "forecast_value", "points", "claimed_score",
                      "execution_points", "claimed_execution_score", "claimed_total_score",
                      "output_quantity"):  # fmt: skip
            out[label] = [None if v is None else float(v) for v in column]
            config[label] = st.column_config.NumberColumn(format="%g")
        elif name in ("year", "month", "row"):
            out[label] = pd.array(list(column), dtype="Int64")
            config[label] = st.column_config.NumberColumn(format="%d")
        else:
            out[label] = [None if v is None else str(v) for v in column]
    return out, config


# --- templates -----------------------------------------------------------------------------

st.title(ui.tr("upload_title"))
ui.require("upload")  # a leader: why, and nothing else of the page
st.markdown(ui.tr("upload_intro"))
st.caption(ui.tr("upload_forms_note"))

st.subheader(ui.tr("template_heading"))
st.caption(ui.tr("template_format"))
with st.container(horizontal=True, gap="small"):
    st.download_button(
        ui.tr("template_xlsx"),
        data=template_workbook_bytes(),
        file_name="导入模板.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        type="primary",
        on_click="ignore",
        key="template_xlsx",
    )
    for kind in TABLE_KINDS:
        st.download_button(
            ui.tr("template_csv", kind=ui.tr(f"kind_{kind}")),
            data=template_csv_bytes(kind),
            file_name=f"模板_{ui.t(f'kind_{kind}', 'zh')}.csv",
            mime="text/csv",
            on_click="ignore",
            key=f"template_csv_{kind}",
        )

# --- an import under way (this session's): watched until it ends -----------------------------


def watch_import(job) -> None:
    """Move a progress bar until the job ends, then keep its outcome for the page to show.
    A click meanwhile reruns the page, which comes back here: the import itself goes on."""
    bar = st.progress(job.fraction, text=ui.tr("importing"))
    while not job.done.wait(0.25):
        label = ui.md_text(ui.summary_line(job.label)) if job.label else ui.tr("importing")
        bar.progress(min(max(job.fraction, 0.0), 1.0), text=label)
    st.session_state.pop("upload_job", None)
    if job.rejected is not None:
        st.session_state["upload_outcome"] = ("rejected", job.rejected.issues, [])
    elif job.failed:
        st.session_state["upload_outcome"] = ("failed", None, [])
    else:
        result = job.result
        selfeval = [f.batch_id for f in result.files if SELFEVAL in f.layout.split(",")]
        st.session_state["upload_outcome"] = (
            "done",
            (result.summary_lines(), result.to_frame()),
            selfeval,
        )
        st.session_state["upload_round"] = (
            st.session_state.get("upload_round", 0) + 1
        )  # an empty uploader
        st.session_state.pop("upload_previews", None)
    st.rerun()  # the sidebar's years and months may have changed


running = st.session_state.get("upload_job")
if running is not None:
    st.subheader(ui.tr("upload_running_heading"))
    watch_import(running)

# --- choose files, preview, ask, import ------------------------------------------------------

st.subheader(ui.tr("uploader_label"))
round_ = st.session_state.setdefault("upload_round", 0)
files = st.file_uploader(
    ui.tr("uploader_label"),
    type=["xlsx", "xls", "csv"],
    accept_multiple_files=True,
    key=f"upload_files_{round_}",
    label_visibility="collapsed",
)
inputs = [(f.name, f.getvalue()) for f in files or []]


def preview(layout: dict | None):
    """data.preview_files, kept for this session per (files, layout choice): a rerun of the
    page (a choice, the history) does not read the files again."""
    key = (tuple((name, hashlib.sha256(content).hexdigest()) for name, content in inputs),
           tuple(sorted((layout or {}).items(), key=str)))  # fmt: skip
    cache = st.session_state.setdefault("upload_previews", {})
    if key not in cache:
        bar = st.progress(0.0, text=ui.tr("upload_previewing"))
        try:
            for old in [k for k in cache if k[0] != key[0]]:  # other files: not needed again
                del cache[old]
            cache[key] = data.preview_files(
                inputs, layout=layout, progress=ui.progress_callback(bar)
            )
        finally:
            bar.empty()
    return cache[key]


if inputs:
    previews = preview(None)
    asked = [(p.file_name, s) for p in previews for s in p.sheets if s.ambiguous]
    choices: dict[tuple[str, str | None], str] = {}
    if asked:
        st.subheader(ui.tr("upload_ask_heading"))
        st.markdown(ui.tr("upload_ask_intro"))
        for k, (file_name, sheet) in enumerate(asked):
            label = (ui.tr("upload_ask_label", file=ui.md_text(file_name), sheet=ui.md_text(sheet.sheet))
                     if sheet.sheet is not None
                     else ui.tr("upload_ask_label_csv", file=ui.md_text(file_name)))  # fmt: skip
            picked = st.selectbox(
                label,
                sheet.candidates,
                index=None,
                format_func=layout_label,
                placeholder=ui.tr("upload_ask_placeholder"),
                key=f"upload_layout_{round_}_{k}",
            )
            if picked is not None:
                choices[(file_name, sheet.sheet)] = picked
        if choices:
            previews = preview(choices)
    asked_keys = {(f, s.sheet) for f, s in asked if (f, s.sheet) not in choices}

    st.subheader(ui.tr("upload_preview_heading"))
    st.caption(ui.tr("upload_preview_intro"))
    blocked_issues = blocked_ask = False
    for p in previews:
        issues = data.preview_problems(p, asked_keys)
        waiting = [s for s in p.sheets if s.ambiguous and (p.file_name, s.sheet) in asked_keys]
        blocked_issues |= bool(issues)
        blocked_ask |= bool(waiting)
        with st.container(border=True):
            status = (ui.tr("upload_file_issues", n=len(issues)) if issues
                      else ui.tr("upload_file_waiting") if waiting
                      else ui.tr("upload_file_ready"))  # fmt: skip
            colour = "red" if issues else "orange" if waiting else "green"
            icon = "error" if issues else "help" if waiting else "check_circle"
            st.markdown(f"**{ui.md_text(p.file_name)}**　:{colour}[:material/{icon}: {status}]")
            sheets = pd.DataFrame({
                ui.tr("col_sheet"): [s.sheet or "—" for s in p.sheets],
                ui.tr("col_layout"): [
                    "—" if s.ambiguous and not s.chosen else layout_label(s.layout)
                    for s in p.sheets],
                ui.tr("col_confidence"): [None if s.layout == "unknown" else s.confidence * 100
                                          for s in p.sheets],
                ui.tr("col_sheet_status"): [
                    ui.tr("upload_sheet_ask", names=" / ".join(layout_label(c) for c in s.candidates))
                    if s.ambiguous else ui.tr("upload_sheet_chosen") if s.chosen
                    else ui.tr("upload_sheet_unknown") if s.layout == "unknown"
                    else ui.tr("upload_sheet_ok") for s in p.sheets],
            })  # fmt: skip
            if p.sheets:  # a file that could not be read has no sheets to list
                st.dataframe(sheets, hide_index=True, column_config={
                    ui.tr("col_confidence"): st.column_config.ProgressColumn(
                        min_value=0, max_value=100, format="%.0f%%"),
                })  # fmt: skip
            for sheet, (expected, actual) in p.goals.items():
                if expected or actual:
                    st.caption(ui.tr("upload_goals", sheet=ui.md_text(sheet or p.file_name),
                                     expected=ui.md_text(expected or "—"),
                                     actual=ui.md_text(actual or "—")))  # fmt: skip
            if issues:
                st.error(ui.tr("upload_issues_intro", n=len(issues)), icon=":material/error:")
                ui.show_issues(issues)
            kinds = [k for k in RECORD_KINDS if p.row_counts.get(k)]
            if kinds and not issues:
                # counted as the summary, the batch and its rollback count (importer/counts.py)
                counts = counts_text(p.row_counts, ui.lang(), total=True)
                st.markdown(ui.tr("upload_will_import", counts=counts))
                st.caption(ui.tr("upload_replaced_later"))
                tabs = st.tabs([ui.tr(f"kind_{k}") for k in kinds])
                for tab, kind in zip(tabs, kinds, strict=True):
                    with tab:
                        frame, config = record_frame(p.frames[kind])
                        st.caption(
                            ui.tr("upload_rows_shown", shown=len(frame), n=p.row_counts[kind])
                        )
                        st.dataframe(frame, hide_index=True, column_config=config, placeholder="—")
            if p.notes or p.ignored_columns:
                with st.expander(ui.tr("upload_notes", n=len(p.notes) + bool(p.ignored_columns))):
                    lines = [ui.md_text(ui.summary_line(n)) for n in p.notes]
                    if p.ignored_columns:
                        lines.append(
                            ui.tr("upload_ignored", cols=ui.md_text("、".join(p.ignored_columns)))
                        )
                    st.markdown("\n".join(f"- {line}" for line in lines))

    if blocked_ask:
        st.caption(ui.tr("upload_blocked_ask"))
    elif blocked_issues:
        st.caption(ui.tr("upload_blocked_issues"))
    if st.button(ui.tr("upload_import"), type="primary", icon=":material/upload:",
                 disabled=blocked_issues or blocked_ask, key="upload_import"):  # fmt: skip
        # the import runs on its own thread: a click while it runs cannot stop it half-way
        st.session_state["upload_job"] = data.start_import(inputs, ui.user_name(),
                                                           layout=choices or None)  # fmt: skip
        st.rerun()

# --- what the last import did ----------------------------------------------------------------

outcome = st.session_state.get("upload_outcome")
if outcome is not None:
    status, payload, selfeval_batches = outcome
    if status == "rejected":
        st.error(ui.tr("import_rejected", n=len(payload)), icon=":material/error:")
        ui.show_issues(payload)
    elif status == "failed":
        st.error(ui.tr("import_internal_error"), icon=":material/error:")
    else:
        lines, frame = payload
        st.success(ui.tr("import_done"), icon=":material/check_circle:")
        # a file's line, its notes (indented in the summary) under it
        st.markdown(
            "\n".join(
                f"{'    ' if line.startswith('  ') else ''}- {ui.md_text(ui.summary_line(line))}"
                for line in lines
            )
        )
        st.dataframe(ui.import_summary_table(frame), hide_index=True, placeholder="—")
    checks = [data.batch_selfeval(b, ui.current_scope()) for b in selfeval_batches]
    checks = [c for c in checks if not c.empty]
    if selfeval_batches:
        st.subheader(ui.tr("upload_selfeval_heading"))
        st.caption(ui.tr("upload_selfeval_intro"))
        if not checks:
            st.info(ui.tr("upload_selfeval_none"), icon=":material/info:")
    for check in checks:
        for row in check.itertuples():
            values = {"project": ui.md_text(row.project_name), "claimed": ui.round_value(row.claimed_total_score, 2),
                      "claimed_grade": ui.md_text(row.claimed_grade or "—"), "score": ui.round_value(row.total_score, 2),
                      "grade": row.grade, "d": ui.round_value(row.score_difference, 2)}  # fmt: skip
            if row.status != "complete":
                # missing year-end values: not rescored, never 差 (docs/figures.md#self-evaluation-status)
                st.info(
                    ui.tr(
                        "upload_selfeval_incomplete", **values, n=int(row.missing_indicator_count)
                    ),
                    icon=":material/pending_actions:",
                )
            elif row.is_over_scored:
                st.warning(ui.tr("upload_selfeval_over", **values), icon=":material/warning:")
            elif (
                row.claimed_total_score is None
                or row.claimed_total_score != row.claimed_total_score
            ):
                st.info(ui.tr("upload_selfeval_unclaimed", **values), icon=":material/info:")
            else:
                st.success(ui.tr("upload_selfeval_ok", **values), icon=":material/check_circle:")
        table = pd.DataFrame({
            ui.tr("col_project_code"): check["project_code"].to_numpy(),
            ui.tr("col_project"): check["project_name"].to_numpy(),
            ui.tr("col_computed_score"): check["total_score"].to_numpy(),
            ui.tr("col_computed_grade"): [g if s == "complete" else ui.selfeval_status(s, n) for g, s, n in zip(
                check["grade"], check["status"], check["missing_indicator_count"], strict=True)],
            ui.tr("col_claimed_score"): check["claimed_total_score"].to_numpy(),
            ui.tr("col_claimed_grade"): check["claimed_grade"].to_numpy(),
            ui.tr("col_score_difference"): check["score_difference"].to_numpy(),
            ui.tr("col_over_scored"): [None if s != "complete" else ui.tr("upload_over_yes") if v
                                       else ui.tr("upload_over_no")
                                       for v, s in zip(check["is_over_scored"], check["status"], strict=True)],
        })  # fmt: skip
        st.dataframe(table, hide_index=True, placeholder="—", column_config={
            ui.tr("col_score_difference"): st.column_config.NumberColumn(
                help=ui.tr("col_score_difference_help"), format="%+.2f"),
            ui.tr("col_computed_score"): st.column_config.NumberColumn(format="%.2f"),
            ui.tr("col_claimed_score"): st.column_config.NumberColumn(format="%.2f"),
        })  # fmt: skip

# --- history, changes, rollback, restore -----------------------------------------------------


def batch_action(action: str, batch_id: int, batch, run) -> None:
    """The 撤销此批次 (action "rollback") or 恢复此批次 ("restore") button of a batch: asked once
    more before it runs (keys upload_<action>, _help, _confirm, _yes, _no, _refused); the
    result or the refusal shows above the history after the rerun."""
    asked = f"upload_confirm_{action}"
    if st.session_state.get(asked) != batch_id:
        st.caption(ui.tr(f"upload_{action}_help"))
        icon = ":material/undo:" if action == "rollback" else ":material/redo:"
        if st.button(ui.tr(f"upload_{action}"), icon=icon, key=f"upload_{action}"):
            st.session_state[asked] = batch_id
            st.rerun()
        return
    st.warning(ui.tr(f"upload_{action}_confirm", id=batch_id, file=ui.md_text(batch.file_name),
                     rows=batch.row_count, replaced=batch.replaced_count,
                     counts=counts_text(batch_counts(batch), ui.lang())),
               icon=":material/warning:")  # fmt: skip
    with st.container(horizontal=True, gap="small"):
        yes = st.button(ui.tr(f"upload_{action}_yes"), type="primary", key=f"upload_{action}_yes")
        no = st.button(ui.tr(f"upload_{action}_no"), key=f"upload_{action}_no")
    if not (yes or no):
        return
    st.session_state.pop(asked, None)
    if yes:
        try:
            result = run(batch_id, ui.user_name())
        except RollbackRefused as refused:  # RestoreRefused too
            first, second = ((refused.message_zh, refused.message_en) if ui.lang() == "zh"
                             else (refused.message_en, refused.message_zh))  # fmt: skip
            st.session_state["upload_rollback_message"] = (
                "refused",
                ui.tr(f"upload_{action}_refused", first=first, second=second),
            )
        else:
            st.session_state["upload_rollback_message"] = (
                "done",
                ui.summary_line(result.summary_line()),
            )
            st.session_state.pop("upload_outcome", None)
    st.rerun()


st.subheader(ui.tr("history_heading"))
rollback_message = st.session_state.pop("upload_rollback_message", None)
if rollback_message is not None:
    kind, text = rollback_message
    # the messages name files and users: each paragraph as text
    (st.success if kind == "done" else st.error)(
        "\n\n".join(ui.md_text(part) for part in text.split("\n\n")), icon=":material/history:"
    )
batches = data.import_batches()
if batches.empty:
    st.info(ui.tr("no_history"), icon=":material/history:")
else:

    def stamp(at) -> str:
        return "" if at is None or at != at else pd.Timestamp(at).strftime("%Y-%m-%d %H:%M")

    def is_restored(row) -> bool:
        return (
            row.status == "active"
            and row.restored_at is not None
            and row.restored_at == row.restored_at
        )

    def rolled_back(row) -> str:
        """When and by whom a batch was rolled back, and restored if it is active again."""
        if row.status != "rolled_back" and not is_restored(row):
            return ""
        text = ui.tr("upload_rolled_back_cell", at=stamp(row.rolled_back_at),
                     by=row.rolled_back_by or "—")  # fmt: skip
        if is_restored(row):
            text += ("；" if ui.lang() == "zh" else "; ") + ui.tr(
                "upload_restored_cell", at=stamp(row.restored_at), by=row.restored_by or "—"
            )
        return text

    history = pd.DataFrame({
        ui.tr("col_batch"): batches["batch_id"].to_numpy(),
        ui.tr("col_imported_at"): batches["imported_at"].to_numpy(),
        ui.tr("col_imported_by"): batches["imported_by"].to_numpy(),
        ui.tr("col_file_name"): batches["file_name"].to_numpy(),
        ui.tr("col_status"): [ui.tr("status_restored") if is_restored(r) else ui.tr(f"status_{r.status}")
                              for r in batches.itertuples()],
        ui.tr("col_layout"): [layouts_label(v) for v in batches["layout"]],
        ui.tr("col_kinds"): [("、" if ui.lang() == "zh" else ", ").join(
            kind_label(k.strip()) for k in str(v or "").split(",") if k.strip())
            for v in batches["table_kinds"]],
        ui.tr("col_rows"): batches["row_count"].to_numpy(),
        ui.tr("col_replaced"): batches["replaced_count"].to_numpy(),
        ui.tr("col_sha256"): [str(s)[:12] for s in batches["sha256"]],
        ui.tr("col_rolled_back"): [rolled_back(r) for r in batches.itertuples()],
    })  # fmt: skip
    st.dataframe(history, hide_index=True, placeholder="—", column_config={
        ui.tr("col_imported_at"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
        ui.tr("col_sha256"): st.column_config.TextColumn(help=ui.tr("col_sha256_help")),
        ui.tr("col_rows"): st.column_config.NumberColumn(format="%d"),
        ui.tr("col_replaced"): st.column_config.NumberColumn(format="%d"),
    })  # fmt: skip

    by_id = {int(r.batch_id): r for r in batches.itertuples()}
    batch_id = st.selectbox(
        ui.tr("upload_batch_select"), list(by_id), index=None, key="upload_batch",
        placeholder=ui.tr("upload_batch_placeholder"),
        format_func=lambda b: ui.tr("upload_batch_option", id=b, file=by_id[b].file_name),
    )  # fmt: skip
    if batch_id is not None and not ui.may_roll_back(by_id[batch_id].imported_by):
        # another's batch: neither what it changed (another department's rows) nor its buttons
        st.info(ui.tr("denied_rollback_other", owner=ui.md_text(str(by_id[batch_id].imported_by))),
                icon=":material/lock:")  # fmt: skip
    elif batch_id is not None:
        batch = by_id[batch_id]
        st.caption(ui.tr("upload_batch_detail", sha=batch.sha256, layout=ui.md_text(layouts_label(batch.layout))
                         or "—", rows=batch.row_count, replaced=batch.replaced_count,
                         counts=counts_text(batch_counts(batch), ui.lang())))  # fmt: skip
        # a rolled-back batch's replaced rows are back in place: nothing to show as changed
        changes = data.batch_changes(batch_id) if batch.status == "active" else None
        if changes is not None:
            st.markdown(f"**{ui.tr('upload_changes_heading', id=batch_id)}**")
        if changes is not None and changes.empty:
            st.info(ui.tr("upload_changes_none"), icon=":material/info:")
        elif changes is not None:
            st.dataframe(pd.DataFrame({
                ui.tr("col_table"): [table_label(t) for t in changes["table"]],
                ui.tr("col_key"): changes["key"].to_numpy(),
                ui.tr("col_field"): [column_label(c) for c in changes["column"]],
                ui.tr("col_old"): [shown_value(c, v) for c, v in zip(changes["column"], changes["old_value"], strict=True)],
                ui.tr("col_new"): [shown_value(c, v) for c, v in zip(changes["column"], changes["new_value"], strict=True)],
                ui.tr("col_change"): [ui.tr(f"change_{c}") for c in changes["change"]],
            }), hide_index=True, placeholder="—")  # fmt: skip
        if batch.status != "active":
            st.info(ui.md_text(rolled_back(batch)), icon=":material/history:")
            batch_action("restore", batch_id, batch, data.restore_batch)
        else:
            batch_action("rollback", batch_id, batch, data.rollback_batch)
