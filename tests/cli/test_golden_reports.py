"""Golden files: every CLI report on the hand fixture (tests/hand_fixture.py) at July 2025, as
CSV, byte for byte against tests/cli/golden/<report>.csv. A report that changes a figure, a row, its
order or a column fails here with the diff.

The reports run through the command line (perfbudget.cli.main), as scripts run them, so these
tests do not depend on where the report builders live.

To regenerate after an intended change, review it, then:

    PERFBUDGET_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/cli/test_golden_reports.py

which rewrites the files and fails each test that wrote one (so a run with the variable set
never passes); check `git diff tests/cli/golden/` against the hand checks below, rerun without it.

Checked by hand against the fixture (figures as docs/figures.md defines them; time progress at
July = 7/12 = 0.583333…; exact ratios are truncated, not rounded, at 12 decimals):
- execution: P001 rate 560,000 ÷ 1,200,000 = 0.466666…, pace 0.8 exactly, gap
  (0.466667 − 0.583333) × 100 = −11.666… pp, light yellow (its indicator_behind flag; the
  data_quality flag is not part of a light). P003 rate 0.35, pace 0.6, gap −23.333… pp, red
  (the large-project gap and the mismatch). P005 rate 1.1 → over_budget yellow → yellow. P006
  zero budget: rate, pace and gap empty, grey. P009 nothing spent to July and last reported in
  May (未报送): rate 0, pace 0, gap −58.333… pp, grey (no pace flag when 未报送, only
  data_quality). P007 (sensitive department, shown: the CLI sees everything) pace 0.1 ÷ 7/12 =
  0.171428… → red. Rows by department, then project (D01, D02, D03).
- attainment: P001 维修校舍数 a = 35 ÷ 100 = 0.35, cumulative v = 35 ÷ (100 × 7/12) = 0.6 →
  yellow (0.6 is not < 0.6). P002 服务场次 a = 7 ÷ 12 = 0.583333…, v = 7 ÷ its 序时目标值 7 = 1
  → green. P002 节约家庭支出 130 ÷ 100 = 1.3 → blue (≥ 1.2). P002 学生课后安全 部分达成预期指标
  → 0.7 yellow. P003 单校造价 ≤90, actual 100 → 90 ÷ 100 = 0.9 green; 绿色建筑认证 不适用: empty,
  grey, not reported. P008 培训人次 a = 21 ÷ 120 = 0.175, v = 21 ÷ 70 = 0.3 → red.
- warnings: P003 slow_spending red, value −23.333… (the gap set the severity), threshold −20;
  P002 slow_spending yellow, value 0.6 (pace), threshold 0.8; P004 over_budget red 1.15 > 1.1;
  P005 over_budget yellow 1.1 (1.1 ≤ 1.1), threshold 1.0; P003 spend_output_mismatch red,
  d = 0.6 − 0.95 = −0.35 (|d| ≥ 0.35 exactly); P008 mismatch d = 6/7 − 0.3 = 0.557142…;
  P003 disclosure_gap red, initial budget 20,000,000 ≥ 5,000,000; department D01 coverage
  0 ÷ 23,000,000 (P001 + P002 + P003 + P008 initial budgets) < 0.5. No pace flag for P009.
  Red first, then the larger adjusted budget.
- disclosure: D01 four projects, one ≥ 500万元 (P003) undisclosed, total initial budget
  1,200,000 + 800,000 + 20,000,000 + 1,000,000 = 23,000,000; D02 500,000 + 500,000 + 0 +
  300,000 = 1,300,000; coverage 0; D03 (sensitive) left out.
- departments: weights execution 30, targets 30, disclosure 10 (no self-evaluation or
  rectification data: those parts are left out of the weights). D02 execution part
  min(R, 1) = 1 (spent 1,125,000 of 1,300,000), disclosure 0 → (30 × 1 + 10 × 0) ÷ 40 × 100 =
  75.0. D01 execution part R = (8,410,000 ÷ 23,200,000) ÷ 7/12 = 0.621428…; targets part
  Σ points × capped v ÷ Σ points = (12 + 10 + 10 + 20 + 14 + 10 + 10 + 9 + 10 + 9) ÷ 150 =
  114 ÷ 150 = 0.76; score (30 × 0.621428 + 30 × 0.76 + 10 × 0) ÷ 70 × 100 = 59.2. D03 execution
  0.171428 alone → 17.1.
- selfeval: no month-12 actual and no self-evaluation table: every status none, no score;
  execution_rate at December carries July forward (P001 0.466666…); P009 (社会保险基金预算)
  left out; missing_indicator_count = applicable indicators (P001 2, P002 5, P003 2: the 不适用
  row is not counted, P008 1).
- forecast: a single year, so no earlier-year curve: spent and rate as in execution, every
  forecast figure empty, nothing flagged.
- rectification: the fixture has no item: the header alone.
- costs (with seed_hand_costs): 绿化养护 平方米 peers P001 10, P002 10, P004 11 → median 10,
  P004 deviation 0.1 exactly; P006 环卫保洁 4 against the standard 5 → −0.2; P005 株 alone →
  basis none; left out P003 no_class (unit cost 5,000 still shown), P008 no_output_quantity,
  P009 inconsistent_rows. Rows by class, unit, unit cost (highest first), then code.
- cost_classes: 环卫保洁 平方米 n 1, median = P25 = P75 = 4, standard 5; 绿化养护 平方米 n 3,
  median 10, P25 10, P75 10 + 0.5 × (11 − 10) = 10.5, no outlier (fence 11.25), no suggestion
  (n < 5); 绿化养护 株 n 1 at 30. No 2024 costs: no previous median.
- budget_review (with seed_budget_review(conn, 2025)): the requests of 2025 against 2024,
  each figure worked out in tests/budget_request_fixture.py's docstring (Y = 2025): A1 both caps,
  650,000 the lower; A2 800,000 (结余率 exactly 20%); A3 none; Q 差; X2 500,000 (by name); N2
  650,000; N3 none; N4 715,000 (exactly 10%); N5 650,000; F1 50,000 (suggested 5); F2 median
  20, none; F3 basis none; F4 2,800,000 (2024's standard 2.80). Rows by department, then code.
- pefa (with seed_pefa_years: 2023 and 2024 added, December 2025 for P001; --level district,
  the default): 示例区 over D01–D03, each figure worked out in tests/pefa_fixture.py's
  docstring: 2023 24,400,000 of 24,400,000 → ratio 1, A, variance 0, A; 2024 21,960,000 → 0.9
  exactly, B (inclusive), A; 2025 10,185,000 → 0.417418…, D, variance 0.114355… (deviations
  1,164,713.11), C. Scores PI-1 B (A, B, D), PI-2 A (A, A, C).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from perfbudget import cli, db
from tests.budget_request_fixture import seed_budget_review
from tests.hand_fixture import seed_hand_costs, seed_hand_fixture
from tests.pefa_fixture import seed_pefa_years

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("PERFBUDGET_UPDATE_GOLDEN") == "1"
REPORTS = [
    "attainment",
    "budget_review",
    "cost_classes",
    "costs",
    "departments",
    "disclosure",
    "execution",
    "forecast",
    "pefa",
    "rectification",
    "selfeval",
    "warnings",
]
# reports over tables the hand fixture leaves empty run on it plus these rows
# (tests/hand_fixture.py: seed_hand_costs, whose comment gives each figure by hand)
SEEDED = {
    "costs": "hand_cost_file",
    "cost_classes": "hand_cost_file",
    "budget_review": "hand_request_file",
    "pefa": "hand_years_file",
}


@pytest.fixture(scope="module")
def hand_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    return path


@pytest.fixture(scope="module")
def hand_cost_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("golden_costs") / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    seed_hand_costs(conn)
    conn.close()
    return path


@pytest.fixture(scope="module")
def hand_request_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("golden_requests") / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    seed_budget_review(conn, 2025)
    conn.close()
    return path


@pytest.fixture(scope="module")
def hand_years_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("golden_years") / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    seed_pefa_years(conn)
    conn.close()
    return path


def test_every_report_has_a_golden_file():
    assert sorted(p.stem for p in GOLDEN_DIR.glob("*.csv")) == REPORTS


@pytest.mark.parametrize("name", REPORTS)
def test_report_on_the_hand_fixture_matches_its_golden_file(name, request, capsys):
    hand_file = request.getfixturevalue(SEEDED.get(name, "hand_file"))
    code = cli.main(
        [
            "report",
            name,
            "--db",
            str(hand_file),
            "--year",
            "2025",
            "--month",
            "7",
            "--format",
            "csv",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    golden = GOLDEN_DIR / f"{name}.csv"
    if UPDATE:
        golden.write_text(out, encoding="utf-8", newline="")
        pytest.fail(
            f"{golden.name} rewritten: review `git diff {golden}`, rerun without "
            "PERFBUDGET_UPDATE_GOLDEN"
        )
    expected = golden.read_text(encoding="utf-8")
    if out != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                out.splitlines(keepends=True),
                fromfile=f"tests/cli/golden/{name}.csv",
                tofile=f"report {name}",
            )
        )
        pytest.fail(f"report {name} differs from its golden file:\n{diff}")
