"""The reports of the command line: `perfbudget report NAME` prints one, `perfbudget export
table NAME` writes it as a formatted .xlsx (perfbudget.export.commands). Both take the names,
columns and builders from REPORTS here, and open the database with open_read_only(), which
checks the request the same way for both.

Scripts rely on the names and columns: extend them (a new column goes at the END of its
report's list), never rename, remove or move one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from perfbudget import budget_review, db, flags
from perfbudget.scope import Scope


@dataclass(frozen=True)
class Report:
    columns: tuple[str, ...]
    # build(conn, year, month, scope=None): scope None = everything
    build: Callable[..., pd.DataFrame]
    description: str
    # the keyword options build takes besides the period and scope (the CLI's --level)
    options: tuple[str, ...] = ()


# --level of the pefa report: the heads, each judged over the heads one level down; the
# *_category levels are the functional view, the city or each district over its 项目类别
PEFA_LEVELS = ("city", "district", "department", "city_category", "district_category")


def _execution(conn, year, month, scope=None):
    scope = scope or Scope.everything()
    frame = db.run_query(conn, "project_execution", scope, year=year, month=month)
    # the project's light, as the dashboard and the briefing show it (flags.project_lights)
    lights = flags.project_lights(
        flags.warning_flags(conn, year, month, scope, messages=False), frame
    )
    frame["light"] = lights["light"].to_numpy()
    return frame


def _attainment(conn, year, month, scope=None):
    frame = db.run_query(
        conn, "indicator_attainment", scope or Scope.everything(), year=year, month=month
    )
    # a month is a whole number (6, not 6.0); empty with no actual up to the month
    frame["actual_month"] = pd.Series(
        [None if pd.isna(v) else int(v) for v in frame["actual_month"]],
        index=frame.index,
        dtype=object,
    )
    return frame


def _warnings(conn, year, month, scope=None):
    return flags.warning_flags(conn, year, month, scope or Scope.everything())


def _selfeval(conn, year, month, scope=None):
    return db.run_query(conn, "project_selfeval", scope or Scope.everything(), year=year)


def _forecast(conn, year, month, scope=None):
    return db.run_query(
        conn, "project_forecast", scope or Scope.everything(), year=year, month=month
    )


def _rectification(conn, year, month, scope=None):
    return db.run_query(
        conn, "rectification_items", scope or Scope.everything(), year=year, month=month
    )


def _disclosure(conn, year, month, scope=None):
    return db.run_query(conn, "department_disclosure", scope or Scope.everything(), year=year)


def _departments(conn, year, month, scope=None):
    return db.run_query(
        conn, "department_league", scope or Scope.everything(), year=year, month=month
    )


def _pefa(conn, year, month, scope=None, level="district"):
    # the last three completed years up to `year`: the as-of month plays no part
    return db.run_query(conn, "pefa_scores", scope or Scope.everything(), level=level, year=year)


def _costs(conn, year, month, scope=None):
    # every class: no class or unit picked, so no project is left out for another unit
    return db.run_query(
        conn,
        "project_cost_benchmark",
        scope or Scope.everything(),
        year=year,
        service_class=None,
        output_unit=None,
    )


def _budget_review(conn, year, month, scope=None):
    # --year is the requested year; its requests are judged against the year before it, so
    # the as-of month plays no part
    return budget_review.review(conn, year, scope)


def _cost_classes(conn, year, month, scope=None):
    # over every project of the year, whatever the scope: a benchmark does not move with the user
    return db.run_query(conn, "cost_class_summary", year=year)


REPORTS: dict[str, Report] = {
    "execution": Report(
        (
            "project_code",
            "project_name",
            "department",
            "adjusted_budget_yuan",
            "spent_yuan",
            "execution_rate",
            "time_progress",
            "pace",
            "gap_pp",
            "light",
        ),
        _execution,
        "每个项目的预算执行率与序时进度，及项目灯（绩效预警中最差的一个） / execution rate against "
        "time progress per project, and its light (the worst of its performance flags: red, "
        "yellow, green; grey when 未报送 or a zero budget without one)",
    ),
    "attainment": Report(
        (
            "project_code",
            "indicator",
            "level1",
            "level2",
            "operator",
            "target",
            "actual",
            "attainment",
            "progress",
            "light",
            "actual_month",
            "is_reported",
        ),
        _attainment,
        "每个绩效指标的完成率与序时进度（按截至该月最近一次填报的完成值） / attainment and in-year "
        "progress per indicator, on its latest actual at or before the month (actual_month)",
    ),
    "warnings": Report(
        ("project_code", "rule", "severity", "value", "threshold", "message"),
        _warnings,
        "预警清单 / warning flags with their figures, thresholds and sentences",
    ),
    "selfeval": Report(
        (
            "project_name",
            "department",
            "execution_rate",
            "execution_score",
            "indicator_score",
            "total_score",
            "grade",
            "claimed_total_score",
            "claimed_grade",
            "is_over_scored",
            "score_difference",
            "project_code",
            "status",
            "missing_indicator_count",
        ),
        _selfeval,
        "绩效自评得分与等级（仅自评完整的计分） / self-evaluation score, grade and the unit's "
        "claimed score (scored only when complete: status complete / incomplete / none)",
    ),
    "forecast": Report(
        (
            "project_code",
            "project_name",
            "department",
            "adjusted_budget_yuan",
            "spent_yuan",
            "execution_rate",
            "curve_source",
            "curve_years",
            "typical_share",
            "forecast_spend_yuan",
            "forecast_execution_rate",
            "forecast_balance_rate",
            "is_flagged",
        ),
        _forecast,
        "按历年支出曲线预测年末执行 / year-end forecast from earlier years' spending curves",
    ),
    "rectification": Report(
        (
            "project_code",
            "project_name",
            "department",
            "issue",
            "feedback_date",
            "due_date",
            "done_date",
            "status",
            "days_open",
            "days_overdue",
        ),
        _rectification,
        "整改事项及逾期天数 / rectification items, status and days overdue",
    ),
    "disclosure": Report(
        (
            "department_code",
            "department",
            "project_count",
            "large_project_count",
            "large_undisclosed_count",
            "disclosed_budget_yuan",
            "total_budget_yuan",
            "coverage",
            "meets_coverage",
        ),
        _disclosure,
        "部门绩效目标公开情况 / disclosure of targets per department",
    ),
    "costs": Report(
        (
            "project_code",
            "project_name",
            "department",
            "service_class",
            "output_unit",
            "total_cost_yuan",
            "output_quantity",
            "unit_cost_yuan",
            "reference_unit_cost_yuan",
            "reference_basis",
            "deviation",
            "is_outlier",
            "excluded_reason",
            "suggested_standard_yuan",
            "suggested_deviation",
        ),
        _costs,
        "每个项目的单位成本、参照（成本定额标准或同类中位数）与偏离、异常值，未参与比较的原因，及与"
        "建议成本标准的偏离 / "
        "unit cost per project against the cost_above_reference rule's reference "
        "(reference_basis standard | median | none), deviation, Tukey outlier, why a "
        "project is left out (excluded_reason no_class | no_output_quantity | inconsistent_rows), "
        "and its class's suggested standard (平均先进值, ≥ 5 peers) with the deviation from it",
    ),
    "cost_classes": Report(
        (
            "service_class",
            "output_unit",
            "project_count",
            "median_unit_cost_yuan",
            "p25_unit_cost_yuan",
            "p75_unit_cost_yuan",
            "standard_unit_cost_yuan",
            "suggested_standard_yuan",
            "meeting_suggested_count",
            "outlier_count",
            "previous_median_unit_cost_yuan",
        ),
        _cost_classes,
        "一类事成本统计：中位数、四分位、成本定额标准、建议成本标准（平均先进值）及同比 / per "
        "class and output unit: peers, median and quartiles of unit cost, the cost standard, "
        "the suggested standard (at least 5 projects) and how many meet it, outliers, and the "
        "previous year's median",
    ),
    "budget_review": Report(
        (
            "project_code",
            "project_name",
            "department",
            "requested_amount_yuan",
            "planned_output_quantity",
            "requested_unit_cost_yuan",
            "reference_unit_cost_yuan",
            "reference_basis",
            "cost_cap_yuan",
            "result_cap_yuan",
            "grade",
            "suggested_amount_yuan",
            "reasons",
            "department_code",
            "service_class",
            "output_unit",
            "is_new",
            "reference_year",
            "reference_deviation",
            "previous_project_code",
            "previous_spent_yuan",
            "previous_execution_rate",
            "previous_balance_rate",
            "reasons_en",
        ),
        _budget_review,
        "预算申请评审（--year 为申请年度）：申请单位成本与参照（标准/建议标准/中位数）、成本与结余"
        "核定上限、上年自评等级、建议安排金额及理由 / budget requests of --year (the requested "
        "year): requested and reference unit cost (reference_basis standard | suggested | "
        "median | none), the cost cap and the result cap (empty where they do not apply), last "
        "year's grade, the suggested amount (the lowest of the request and the caps) and the "
        "reasons",
    ),
    "pefa": Report(
        (
            "level",
            "code",
            "name",
            "year",
            "initial_budget_yuan",
            "outturn_yuan",
            "outturn_ratio",
            "pi1_score",
            "pi2_variance",
            "pi2_score",
            "pi1_year_grade",
            "pi2_year_grade",
            "deviation_yuan",
            "sub_head_count",
            "year_count",
            "project_count",
        ),
        _pefa,
        "财政可靠性（PEFA）：近三个完整年度的支出决算与年初预算之比（PI-1）及支出结构偏差（PI-2），"
        "评分A–D / PEFA fiscal reliability over the last three completed years up to --year: "
        "outturn ÷ initial budget (PI-1) and composition variance over the heads one level down "
        "(PI-2), scored A–D, '—' with fewer than three years (--level city|district|department; "
        "city_category|district_category: PI-2 over the 项目类别, the functional view)",
        options=("level",),
    ),
    "departments": Report(
        (
            "rank",
            "department_code",
            "department",
            "score",
            "execution_part",
            "targets_part",
            "selfeval_part",
            "rectification_part",
            "disclosure_part",
        ),
        _departments,
        "部门考核排名 / department league table",
    ),
}


def last_month(conn: duckdb.DuckDBPyConnection, year: int) -> int | None:
    """The last month of `year` with any spending reported (queries/spending_last_month.sql),
    None when it has none."""
    value = db.run_live(conn, "spending_last_month", year=year)["last_month"].iloc[0]
    return None if pd.isna(value) else int(value)


class RequestError(ValueError):
    """A report asked of a database that is not there, or for a month outside 1–12: the command
    prints the message and exits with ExitCode.USAGE (perfbudget.exit_codes)."""


def report_options(name: str, **given: object) -> dict[str, object]:
    """The options given on the command line (None = not given) that report `name` takes, as
    keywords for its build; RequestError for an option the report does not take."""
    report = REPORTS[name]
    refused = sorted(k for k, v in given.items() if v is not None and k not in report.options)
    if refused:
        takers = ", ".join(sorted(n for n, r in REPORTS.items() if refused[0] in r.options))
        raise RequestError(
            f"报表 {name} 不接受 --{refused[0]}（仅用于：{takers}） / report {name} "
            f"takes no --{refused[0]} (only: {takers})"
        )
    return {k: v for k, v in given.items() if v is not None}


def open_read_only(
    path: Path, year: int, month: int | None
) -> tuple[duckdb.DuckDBPyConnection, int]:
    """The database at `path` opened read-only, and the as-of month: `month` when given, else
    the last month of `year` with spending data, else 12. Raises RequestError (nothing opened)
    for a missing file or a month outside 1–12; db.DatabaseBusyError when another process holds
    the file. The caller closes the connection."""
    if not path.is_file():
        raise RequestError(
            f"数据库不存在 / no database at {path} "
            "(运行 / run: python -m perfbudget demo --db PATH)"
        )
    if month is not None and not 1 <= month <= 12:
        raise RequestError("月份须在 1–12 之间 / --month must be 1–12")
    conn = db.connect(path, read_only=True)
    try:
        return conn, month or last_month(conn, year) or 12
    except BaseException:
        conn.close()
        raise
