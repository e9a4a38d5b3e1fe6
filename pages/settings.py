"""设置 Settings: the thresholds every warning rule, the league table and the
self-evaluation are judged against (grouped by rule, with their descriptions, checked before
they are saved), the time-progress basis and the lower-is-better method, and a reset to the
defaults. Saving clears every cached figure."""

import streamlit as st

from perfbudget import data, ui

ui.ensure_router()

lang = ui.lang()
st.title(ui.tr("settings_title"))
st.caption(ui.tr("settings_intro"))
st.info(ui.tr("admin_only_note"), icon=":material/admin_panel_settings:")
ui.require("settings")
saved = st.session_state.pop("settings_saved", None)
if saved is not None:
    st.success(ui.tr("saved_n", n=saved), icon=":material/check_circle:")
if st.session_state.pop("settings_reset_done", False):
    st.success(ui.tr("settings_reset_done"), icon=":material/check_circle:")

thresholds = data.rule_thresholds()
settings = dict(zip(data.app_settings()["key"], data.app_settings()["value"], strict=True))
if thresholds.empty:
    st.warning(ui.tr("settings_empty"), icon=":material/error:")
    st.stop()

# The order a finance officer reads them in (the threshold registry's): the pace rules first.
RULE_ORDER = data.THRESHOLD_GROUP_ORDER
rules = sorted(
    thresholds["rule_id"].unique(),
    key=lambda r: (RULE_ORDER.index(r) if r in RULE_ORDER else 99, r),
)


def _rule_name(rule: str) -> str:
    label = ui.rule_label(rule)
    return ui.tr(f"settings_group_{rule}") if label == rule else label


def _step(rule: str, name: str) -> float:
    """The registry's step in what the field shows: amounts by 10 万元, counts and points by 1,
    rates by 5%."""
    spec = data.THRESHOLD_SPECS.get((rule, name))
    return spec.input_step() if spec is not None else 0.05


def _show_problems(key: str) -> None:
    for message in st.session_state.get(key, []):
        st.error(message, icon=":material/error:")


st.subheader(ui.tr("settings_general_heading"))
with st.form("settings_choices", border=True):
    basis = st.radio(
        ui.tr("setting_time_progress_basis"),
        data.SETTING_CHOICES["time_progress_basis"],
        index=data.SETTING_CHOICES["time_progress_basis"].index(
            settings.get("time_progress_basis", "month")
        ),
        format_func=lambda v: ui.tr(f"setting_basis_{v}"),
        key="setting_basis",
        horizontal=True,
    )
    method = st.radio(
        ui.tr("setting_lower_is_better"),
        data.SETTING_CHOICES["lower_is_better_method"],
        index=data.SETTING_CHOICES["lower_is_better_method"].index(
            settings.get("lower_is_better_method", "ratio")
        ),
        format_func=lambda v: ui.tr(f"setting_method_{v}"),
        key="setting_method",
    )
    if st.form_submit_button(ui.tr("save"), type="primary", icon=":material/save:"):
        try:
            changed = data.save_settings(
                {"time_progress_basis": basis, "lower_is_better_method": method},
                user=ui.user_name(),
            )
        except data.SettingsRejected as refused:
            st.session_state["settings_problems"] = [
                p.message_zh if lang == "zh" else p.message_en for p in refused.problems
            ]
        else:
            st.session_state.pop("settings_problems", None)
            st.session_state["settings_saved"] = changed
            st.rerun()
_show_problems("settings_problems")

st.subheader(ui.tr("settings_thresholds_heading"))
st.caption(ui.tr("settings_thresholds_intro"))
with st.form("settings_thresholds", border=False):
    edited = {}
    for rule in rules:
        rows = thresholds[thresholds["rule_id"] == rule]
        with st.container(border=True):
            st.markdown(f"**{_rule_name(rule)}**")
            cols = st.columns(3)
            for i, row in enumerate(rows.itertuples()):
                # an amount shown in 万元 and a rate in %, as everywhere else (the registry's
                # to_input/from_input); a stored threshold the registry does not know as it is
                spec = data.THRESHOLD_SPECS.get((rule, row.name))
                with cols[i % 3]:
                    # label and help from the threshold registry (perfbudget.thresholds via i18n);
                    # a stored threshold the registry does not know shows its description
                    shown = st.number_input(
                        ui.tr(f"threshold_{rule}_{row.name}")
                        if spec is not None or not isinstance(row.description, str)
                        else row.description,
                        value=float(row.value) if spec is None else spec.to_input(row.value),
                        format="%g",
                        step=_step(rule, row.name),
                        key=f"threshold_{rule}_{row.name}",
                        help=ui.tr(f"threshold_{rule}_{row.name}_help")
                        if spec is not None
                        else f"{rule}.{row.name}",
                    )
                    edited[(rule, row.name)] = shown if spec is None else spec.from_input(shown)
    if st.form_submit_button(
        ui.tr("settings_save_thresholds"), type="primary", icon=":material/save:"
    ):
        try:
            changed = data.save_thresholds(edited, user=ui.user_name())
        except data.SettingsRejected as refused:
            st.session_state["threshold_problems"] = [
                p.message_zh if lang == "zh" else p.message_en for p in refused.problems
            ]
        else:
            st.session_state.pop("threshold_problems", None)
            st.session_state["settings_saved"] = changed
            st.rerun()
_show_problems("threshold_problems")

st.subheader(ui.tr("settings_reset_heading"))
st.caption(ui.tr("settings_reset_intro"))
confirm = st.checkbox(ui.tr("settings_reset_confirm"), key="settings_reset_confirm")
if st.button(
    ui.tr("settings_reset"),
    disabled=not confirm,
    icon=":material/restart_alt:",
    key="settings_reset",
):
    data.reset_settings(user=ui.user_name())
    for key in list(st.session_state):
        if str(key).startswith(("threshold_", "setting_")):
            del st.session_state[key]
    st.session_state["settings_reset_done"] = True
    st.session_state.pop("settings_reset_confirm", None)
    st.rerun()
