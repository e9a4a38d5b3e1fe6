"""Issue 14 under AppTest on the hand fixture: tiles whose count fits a laptop's quarter
(the unit in the label), grades in English, the settings page in 万元 and % without the
rules' internal ids."""

from __future__ import annotations

import json

from perfbudget.ui import tables
from tests.pages.test_pages_followup import (  # noqa: F401  (fixtures)
    _app,
    _goto,
    _metric,
    _texts,
    hand_app,
    history_app,
    year_end_app,
)


def _english(at):
    at.toggle(key="lang_en").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_selfeval_grades_read_in_english(year_end_app):  # noqa: F811
    at = _english(_goto(year_end_app, "pages/selfeval.py"))
    assert _metric(at, "Poor (projects)") == "1"
    assert _metric(at, "Excellent (projects)") == "0"
    over = at.dataframe[0].value
    assert over.iloc[0].tolist()[4] == "Good" and over.iloc[0].tolist()[6] == "Poor"
    legend = [trace["name"] for trace in json_figure(at)["data"]]
    assert legend == ["Excellent", "Good", "Fair", "Poor"]


def json_figure(at):
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_forecast_tiles_put_the_unit_in_the_label(history_app):  # noqa: F811
    at = _english(_goto(history_app, "pages/forecast.py"))
    assert _metric(at, "Large balance forecast (projects)") == "4"
    assert _metric(at, "District's curve (projects)") == "9"


def test_settings_shows_the_large_project_line_in_wan_and_saves_it_in_yuan(hand_app):  # noqa: F811
    at = _goto(hand_app, "pages/settings.py")
    field = at.number_input(key="threshold_slow_spending_large_budget_yuan")
    assert field.value == 1000.0 and "万元" in field.label
    assert at.number_input(key="threshold_large_balance_red_at").value == 20.0
    # the rule's name without its internal id beside it
    assert not [m.value for m in at.markdown if "`slow_spending`" in m.value]
    assert "domain" not in _texts(at)
    field.set_value(1500.0)
    next(b for b in at.button if b.label == "保存阈值").click().run()
    assert any("已保存，1项改动" in s.value for s in at.success), [e.value for e in at.error]
    # read back from the database (the widget's state is gone after another page): 15,000,000 元
    at = _goto(_goto(at, "pages/dual_monitoring.py"), "pages/settings.py")
    assert at.number_input(key="threshold_slow_spending_large_budget_yuan").value == 1500.0


def test_execution_picker_offers_every_project_not_only_the_tables_page(tmp_path, monkeypatch):
    many = (
        "insert into projects (year, project_code, project_name, department_code,"
        " adjusted_budget_yuan) select 2025, 'X' || lpad(i::varchar, 4, '0'), 'X', 'D01', 100"
        " from range(600) t(i)"
    )
    at = _goto(_app(tmp_path, monkeypatch, many), "pages/execution.py")
    table = at.dataframe[2].value
    assert len(table) == tables.PAGE_ROWS  # one page of the 600 + the fixture's projects
    options = at.selectbox(key="exec_project").options
    assert len(options) > 600 and any(o.startswith("X0599") for o in options)
    at.selectbox(key="exec_project").select("X0599").run()
    assert not at.exception
    assert at.selectbox(key="exec_project").value == "X0599"
