"""Streamlit pieces shared by every page, one module per concern; pages use them as
`ui.name` (re-exported here). No figure, count, light or threshold is decided here: those
come from perfbudget.data.

    session    the router, language (lang, tr), the sign-in, the signed-in user, their scope
               and rights, the sidebar's year/month, the banner of a dashboard open to the network
    markdown   md_text: a value from data made safe for anything rendered as Markdown
    text       labels of codes (lights, severities, rules, follow-ups) and numbers as shown
    tiles      badges and st.metric deltas
    tables     the pages' tables, light cells tinted, the pager (paged), table heights
    plots      a chart with its PNG/SVG download buttons; how much a chart draws
    followup   the follow-up form on a flag, its history, the link to a project
    upload     the import's progress bar, problems and summary
    briefing   the briefing's PPTX/PDF/XLSX buttons and its outline
    downloads  download(): every download button, gated by the export right and audited;
               a page's table as a file (the warnings workbook)

Passed on to the pages, which import perfbudget.ui and perfbudget.data only (import-linter):
charts (the figures, plotly, no streamlit), fmt (perfbudget.formatting: money in 万元, rates,
dates) and vocab (the codes of lights, severities, quadrants and grades, in their order).
"""

from perfbudget import charts, vocab
from perfbudget import formatting as fmt
from perfbudget.i18n import t
from perfbudget.ui.briefing import briefing_downloads, briefing_outline
from perfbudget.ui.downloads import download, warnings_download
from perfbudget.ui.followup import (
    flag_keys,
    followup_form,
    followup_history_table,
    project_link,
)
from perfbudget.ui.markdown import md_text
from perfbudget.ui.plots import CHART_DEPARTMENTS, largest_for_chart, plotly
from perfbudget.ui.routing import open_default_page_by_name, sidebar_controls_first
from perfbudget.ui.session import (
    can,
    client_origin,
    current_scope,
    current_user,
    denied_reason,
    ensure_router,
    export_scope,
    exposure_banner,
    is_loopback,
    lang,
    may_roll_back,
    read_url_state,
    require,
    require_period,
    require_sign_in,
    role_label,
    sidebar,
    tr,
    user_name,
)
from perfbudget.ui.tables import (
    LAPTOP_TABLE_PX,
    MAX_CHOICES,
    WRAPPING_ROW_HEIGHT,
    execution_table,
    filter_flags,
    fit_columns,
    fitted_dataframe,
    indicator_table,
    lights_for,
    outputs_as_of_column,
    paged,
    paged_window,
    scorecard_table,
    style_lights,
    table_columns,
    table_height,
    warning_table,
    with_messages,
)
from perfbudget.ui.text import (
    flag_count_line,
    flag_subject,
    followup_status_label,
    grade_label,
    light_label,
    older_month,
    pct_value,
    round_value,
    rule_label,
    selfeval_status,
    severity_label,
    since_label,
    wan_value,
)
from perfbudget.ui.tiles import badge, cost_deviation_delta, count_tile, signed_delta
from perfbudget.ui.upload import (
    import_summary_table,
    progress_callback,
    show_issues,
    summary_line,
)

__all__ = [
    "CHART_DEPARTMENTS",
    "LAPTOP_TABLE_PX",
    "MAX_CHOICES",
    "WRAPPING_ROW_HEIGHT",
    "badge",
    "briefing_downloads",
    "briefing_outline",
    "can",
    "charts",
    "client_origin",
    "cost_deviation_delta",
    "count_tile",
    "current_scope",
    "current_user",
    "denied_reason",
    "download",
    "ensure_router",
    "execution_table",
    "export_scope",
    "exposure_banner",
    "filter_flags",
    "fit_columns",
    "fitted_dataframe",
    "flag_count_line",
    "flag_keys",
    "flag_subject",
    "fmt",
    "followup_form",
    "followup_history_table",
    "followup_status_label",
    "grade_label",
    "import_summary_table",
    "indicator_table",
    "is_loopback",
    "lang",
    "largest_for_chart",
    "light_label",
    "lights_for",
    "may_roll_back",
    "md_text",
    "older_month",
    "open_default_page_by_name",
    "outputs_as_of_column",
    "paged",
    "paged_window",
    "pct_value",
    "plotly",
    "progress_callback",
    "project_link",
    "read_url_state",
    "require",
    "require_period",
    "require_sign_in",
    "role_label",
    "round_value",
    "rule_label",
    "scorecard_table",
    "selfeval_status",
    "severity_label",
    "show_issues",
    "sidebar",
    "sidebar_controls_first",
    "signed_delta",
    "since_label",
    "style_lights",
    "summary_line",
    "t",
    "table_columns",
    "table_height",
    "tr",
    "user_name",
    "vocab",
    "wan_value",
    "warning_table",
    "warnings_download",
    "with_messages",
]
