"""The threshold registry is the one definition of every threshold: the database is seeded from
it, the settings page and i18n take its labels and help from it, and the texts that state a
threshold state the stored value, not a number written into the sentence."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from perfbudget import i18n, settings_store, thresholds
from perfbudget.i18n import TEXT, t
from perfbudget.rules import DEFAULT_THRESHOLDS


@pytest.fixture
def stored_texts():
    """Texts filled from a given mapping; back to the source before (perfbudget.data's, once
    it is imported) afterwards."""
    before = i18n._threshold_source

    def use(values):
        i18n.use_thresholds(lambda: values)

    yield use
    i18n.use_thresholds(before)


def test_the_dashboard_fills_texts_from_the_stored_thresholds():
    from perfbudget import data

    assert i18n._threshold_source is data.threshold_values


def test_the_database_holds_exactly_the_registry(empty_db):
    assert set(settings_store.read_thresholds(empty_db)) == set(thresholds.BY_KEY)
    assert [(r, n, v) for r, n, v, _ in DEFAULT_THRESHOLDS] == [
        (x.rule_id, x.name, x.default) for x in thresholds.THRESHOLDS
    ]


def test_labels_and_help_in_both_languages_come_from_the_registry():
    pace = thresholds.BY_KEY[("slow_spending", "pace_red_below")]
    assert (
        t("threshold_slow_spending_pace_red_below", "zh")
        == pace.label_zh
        == "进度比 R < 该值为红色"
    )
    assert t("threshold_slow_spending_pace_red_below", "en") == "Pace R below this is red"
    month = t("threshold_general_first_warning_month_help", "en")
    assert "1–12" in month and "general.first_warning_month" in month
    assert "允许：≤ 0" in t("threshold_slow_spending_large_gap_red_pp_help", "zh")
    for x in thresholds.THRESHOLDS:
        for lang in i18n.LANGS:
            assert TEXT[lang][x.label_key] and TEXT[lang][x.label_key + "_help"]


def test_the_limits_a_change_is_checked_against_are_the_registrys():
    # first_warning_month is a whole month 1–12 in the registry; max_rows at most 1,048,576
    assert thresholds.BY_KEY[("general", "first_warning_month")].span() == "1–12"
    assert settings_store.validate_thresholds({("general", "first_warning_month"): 12}) == []
    assert settings_store.validate_thresholds({("general", "first_warning_month"): 13})
    assert settings_store.validate_thresholds({("import", "max_rows"): 1_048_577})
    assert settings_store.WEIGHT_GROUPS["league"] == (
        "weight_execution",
        "weight_targets",
        "weight_selfeval",
        "weight_rectification",
        "weight_disclosure",
    )


@pytest.mark.parametrize(
    "key, value, shown",
    [
        (("slow_spending", "pace_red_below"), Decimal("0.600000"), "0.6"),  # a ratio, as stored
        (("large_balance", "yellow_at"), Decimal("0.10"), "10%"),  # a share: percent
        (("over_budget", "red_above"), Decimal("1.1"), "110%"),
        (("rectification_overdue", "red_after_days"), Decimal("30.000"), "30"),
        (("slow_spending", "large_budget_yuan"), Decimal("10000000"), "10,000,000"),
        (("slow_spending", "large_gap_red_pp"), Decimal("-20"), "-20"),
    ],
)
def test_a_threshold_reads_in_a_sentence_by_its_kind(key, value, shown):
    assert thresholds.BY_KEY[key].text(value) == shown


def test_every_placeholder_names_a_threshold():
    named = {
        m
        for texts in TEXT.values()
        for text in texts.values()
        for m in re.findall(r"\{limit\.([a-z_]+\.[a-z_]+)", text)
    }
    assert named, "no text states a threshold"
    assert {tuple(n.split(".")) for n in named} <= set(thresholds.BY_KEY)


def test_texts_state_the_defaults_when_nothing_is_stored():
    assert "红灯 < 0.6，黄灯 0.6–0.8" in t("pace_light_help", "zh")
    assert "red < 60%, yellow 60%–80%, blue ≥ 120%" in t("targets_intro", "en")
    assert "fewer than 3 peers" in t("cost_no_reference", "en")


def test_texts_state_the_stored_thresholds(stored_texts):
    stored_texts(
        {
            ("slow_spending", "pace_red_below"): Decimal("0.55"),
            ("indicator_behind", "blue_at"): Decimal("1.5"),
            ("rectification_overdue", "red_after_days"): Decimal("45"),
        }
    )
    assert "红灯 < 0.55，黄灯 0.55–0.8" in t("pace_light_help", "zh")
    assert "blue ≥ 150%" in t("targets_intro", "en")
    assert "逾期超过45天为红色" in t("rect_intro", "zh", days=30)
    assert "within 30 days" in t("rect_intro", "en", days=30)


def test_a_saved_threshold_reaches_the_text(empty_db, stored_texts):
    settings_store.save_thresholds(empty_db, {("cost_above_reference", "min_peers"): 5})
    stored_texts(settings_store.read_thresholds(empty_db))
    assert "同类项目也不足5个" in t("cost_no_reference", "zh")


def test_the_briefings_selfeval_note_states_the_stored_execution_points(empty_db):
    from perfbudget.demo import build_demo
    from perfbudget.export.briefing import build_briefing

    build_demo(empty_db, "tiny", refresh=False)
    settings_store.save_thresholds(empty_db, {("selfeval", "weight_execution"): 12})
    year, month = empty_db.execute(
        "select max(year), max(month) from spending where year = (select max(year) from spending)"
    ).fetchone()
    briefing = build_briefing(empty_db, year, month, sections=("selfeval",))
    section = next(s for s in briefing.sections if s.key == "selfeval")
    notes = " ".join(getattr(section, "notes", None) or [])
    assert "预算执行率12分" in notes, notes


def test_a_page_states_the_threshold_stored_in_its_database(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from perfbudget import db
    from tests.hand_fixture import seed_hand_fixture

    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    settings_store.save_thresholds(conn, {("indicator_behind", "red_below"): Decimal("0.5")})
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(
        str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60
    )
    at.run()
    at.switch_page("pages/targets.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert "红 < 50%，黄 50%–80%，蓝 ≥ 120%" in captions, captions
    st.cache_data.clear()
    st.cache_resource.clear()
