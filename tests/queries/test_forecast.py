"""Year-end forecast from earlier years' spending curves, by hand.
2024: unit U1 has three projects that had spent 30, 40, 50 by June of 100 each for the year
(share 120 ÷ 300 = 0.4); unit U2 one project, 90 of 100 (too little history: fewer than 3).
District curve: (120 + 90) ÷ 400 = 0.525.
2025, June: A (U1) spent 200,000 of 1,000,000 → forecast 200,000 ÷ 0.4 = 500,000, balance 50%
→ flagged. B (U2) spent 420,000 of 1,000,000 → district curve: 800,000, balance 20% exactly →
flagged (≥ 20%). C (U1) spent 380,000 → 950,000, balance 5% → not flagged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfbudget import db
from perfbudget.db import run_query


@pytest.fixture
def forecast_db():
    conn = db.connect()
    conn.execute("insert into departments values ('D1', '测试局', '测试区', false, null)")
    history = [("H1", "U1", "30"), ("H2", "U1", "40"), ("H3", "U1", "50"), ("H4", "U2", "90")]
    for code, unit, june in history:
        conn.execute(
            "insert into projects (year, project_code, project_name, department_code, unit_code,"
            " adjusted_budget_yuan) values (2024, ?, ?, 'D1', ?, 100)",
            [code, code, unit],
        )
        conn.execute(
            "insert into spending (year, month, project_code, cumulative_yuan)"
            " values (2024, 6, ?, ?), (2024, 12, ?, 100)",
            [code, Decimal(june), code],
        )
    for code, unit, spent in [("A", "U1", "200000"), ("B", "U2", "420000"), ("C", "U1", "380000")]:
        conn.execute(
            "insert into projects (year, project_code, project_name, department_code, unit_code,"
            " adjusted_budget_yuan) values (2025, ?, ?, 'D1', ?, 1000000)",
            [code, code, unit],
        )
        conn.execute(
            "insert into spending (year, month, project_code, cumulative_yuan)"
            " values (2025, 6, ?, ?)",
            [code, Decimal(spent)],
        )
    return conn


def test_forecast_uses_the_units_curve_else_the_districts(forecast_db):
    df = run_query(forecast_db, "project_forecast", year=2025, month=6)
    rows = {r["project_code"]: r for r in df.to_dict("records")}
    assert rows["A"]["curve_source"] == "unit"
    assert rows["A"]["typical_share"] == pytest.approx(0.4)
    assert rows["A"]["forecast_spend_yuan"] == Decimal("500000.00")
    assert rows["A"]["is_flagged"]
    assert rows["B"]["curve_source"] == "district"
    assert rows["B"]["typical_share"] == pytest.approx(0.525)
    assert rows["B"]["forecast_spend_yuan"] == Decimal("800000.00")
    assert rows["B"]["forecast_balance_rate"] == pytest.approx(0.2)
    assert rows["B"]["is_flagged"]  # 20% exactly is ≥ 20%
    assert rows["C"]["forecast_spend_yuan"] == Decimal("950000.00")
    assert not rows["C"]["is_flagged"]
    assert rows["A"]["curve_years"] == "2024"


def test_no_history_no_forecast(forecast_db):
    df = run_query(forecast_db, "project_forecast", year=2024, month=6)
    assert df["forecast_spend_yuan"].isna().all()
    assert not df["is_flagged"].any()
