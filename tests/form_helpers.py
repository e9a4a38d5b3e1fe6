"""Forms written in test code as departments publish them: the 项目支出绩效自评表 and the
绩效目标执行监控表, with merged cells, as .xlsx (openpyxl) or old .xls (xlwt).

A form is a dict {(row, col): value} (1-based, as Excel numbers them) and a list of merged
ranges (r1, c1, r2, c2); the value of a merged range sits in its top-left cell only."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field

import openpyxl


@dataclass
class Grid:
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def put(self, row: int, col: int, value: object, *, to_row: int | None = None,
            to_col: int | None = None) -> None:  # fmt: skip
        if value is not None:
            self.cells[(row, col)] = value
        if to_row is not None or to_col is not None:
            self.merges.append((row, col, to_row or row, to_col or col))

    def line(self, row: int, values: list[object], start: int = 1) -> None:
        for k, value in enumerate(values):
            if value is not None:
                self.cells[(row, start + k)] = value


def xlsx(*sheets: tuple[str, Grid], percent: dict[tuple[str, str], str] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in sheets:
        ws = wb.create_sheet(name)
        for (r, c), value in grid.cells.items():
            ws.cell(row=r, column=c, value=value)
        for r1, c1, r2, c2 in grid.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    for (sheet, ref), fmt in (percent or {}).items():
        wb[sheet][ref].number_format = fmt
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xls(*sheets: tuple[str, Grid]) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for name, grid in sheets:
        ws = wb.add_sheet(name)
        covered = set()
        for r1, c1, r2, c2 in grid.merges:
            ws.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, grid.cells.get((r1, c1), ""))
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for (r, c), value in grid.cells.items():
            if (r, c) not in covered:
                ws.write(r - 1, c - 1, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the self-evaluation table ------------------------------------------------------------------

# The indicators of the worked example (see tests/importer/test_import_selfeval.py for the figures):
# level 1, level 2, name, target, actual, points, claimed score, reason
SELFEVAL_INDICATORS = [
    ("产出指标(50分)", "数量指标", "养护面积", "375万平方米", "360万平方米", 20, 19.2, "部分绿地移交"),
    (None, "质量指标", "养护达标率", "≥100百分比", 98, 20, 20, None),
    (None, "成本指标", "养护成本", "≤90万元", "100万元", 10, 10, "人工成本上涨"),
    ("效益指标(30分)", "社会效益指标", "市容环境改善", "效果明显", "部分达成预期指标", 30, 22,
     "个别路段仍有脏乱"),
    ("满意度指标(10分)", "服务对象满意度指标", "市民满意度", "≥90%", "92%", 10, 10, None),
]  # fmt: skip


def selfeval_grid(
    *,
    title: str | list[str] = "2024年度项目支出绩效自评表",
    project: str = "城市绿化养护",
    department: str = "上海市示例区绿化和市容管理局",
    unit: str = "123001-示例区绿化管理所",
    funding_label: str = "项目资金（万元）",
    total: tuple = (120.5, "125.1250", "112.6125", 10, "90.00%", 9),
    parts: list[tuple] | None = None,
    indicators: list[tuple] | None = None,
    total_score: object = 90.2,
    grade: str | None = "优",
    code_row: str | None = None,
    top: int = 1,
) -> Grid:
    """The published layout, from row `top`: title, header block, funding block (rows
    年度资金总额 and the 其中 rows), goals, indicators with merged level cells, 总分, 等级."""
    g = Grid()
    r = top
    for line in [title] if isinstance(title, str) else title:
        g.put(r, 1, line, to_col=9)
        r += 1
    if code_row is not None:
        g.line(r, ["项目编码", code_row])
        r += 1
    g.put(r, 1, "项目名称")
    g.put(r, 2, project, to_col=9)
    r += 1
    g.put(r, 1, "主管部门")
    g.put(r, 2, department, to_col=4)
    g.put(r, 5, "实施单位")
    g.put(r, 6, unit, to_col=9)
    r += 1
    parts = parts if parts is not None else [
        ("其中：当年财政拨款", 100, "100.1250", "90.1125", "—", "—", "—"),
        ("上年结转资金", 20.5, 25, 22.5, "—", "—", "—"),
        ("其他资金", None, None, None, None, None, None),
    ]  # fmt: skip
    g.put(r, 1, funding_label, to_row=r + 1 + len(parts))
    g.line(r, ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], start=4)
    g.put(r, 2, None, to_col=3)
    r += 1
    g.put(r, 2, "年度资金总额", to_col=3)
    g.line(r, list(total), start=4)
    r += 1
    for label, *values in parts:
        g.put(r, 2, label, to_col=3)
        g.line(r, values, start=4)
        r += 1
    g.put(r, 1, "年度总体目标", to_row=r + 1)
    g.put(r, 2, "预期目标", to_col=5)
    g.put(r, 6, "实际完成情况", to_col=9)
    g.put(r + 1, 2, "完成全区375万平方米绿地养护", to_col=5)
    g.put(r + 1, 6, "完成360万平方米，达标率98%", to_col=9)
    r += 2
    rows = indicators if indicators is not None else SELFEVAL_INDICATORS
    g.put(r, 1, "绩效指标", to_row=r + len(rows))
    g.line(r, ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
               "偏差原因分析及改进措施"], start=2)  # fmt: skip
    r += 1
    # level-1 cells merged down over their indicators
    starts = [k for k, row in enumerate(rows) if row[0] is not None] + [len(rows)]
    for a, b in itertools.pairwise(starts):
        g.put(r + a, 2, rows[a][0], to_row=r + b - 1 if b - 1 > a else None)
    for k, (_l1, l2, name, target, actual, points, score, reason) in enumerate(rows):
        g.line(r + k, [l2, name, target, actual, points, score, reason], start=3)
    r += len(rows)
    g.put(r, 1, "总分", to_col=6)
    g.line(r, [100, total_score], start=7)
    r += 1
    if grade is not None:
        g.line(r, ["自评等级", grade])
    return g


# --- the monitoring table -------------------------------------------------------------------------

# level 1, level 2, name, target, value to date, full-year forecast, reason category, reason,
# likelihood
MONITORING_INDICATORS = [
    ("产出指标", "数量指标", "养护面积", "375万平方米", "150万平方米", "370万平方米", "其他",
     "部分绿地尚未移交", "有可能"),
    (None, "质量指标", "养护达标率", "≥100百分比", 97, 99, None, None, "确定能"),
    ("满意度指标", "服务对象满意度指标", "市民满意度", "≥90%", "—", "92%", None, None, "确定能"),
]  # fmt: skip


def monitoring_grid(
    *,
    title: list[str] | None = None,
    project: str = "城市绿化养护",
    department: str = "上海市示例区绿化和市容管理局",
    unit: str = "123001-示例区绿化管理所",
    spent_header: str = "预算执行数",
    total: tuple = (120.5, 125.125, "62.5625", "50%", "112.6125"),
    indicators: list[tuple] | None = None,
    ticks: bool = False,
) -> Grid:
    """The monitoring layout: funding 年初预算数 | 调整后预算数 | 预算执行数 | 执行率 |
    全年预计执行数; indicators with 当前完成值, 全年预计完成值, 偏差原因类别 and 偏差原因,
    完成目标可能性 — or, with ticks=True, the ticked sub-columns of the Ministry's form."""
    g = Grid()
    r = 1
    for line in title or ["项目支出绩效目标执行监控表", "（2024年1-6月）"]:
        g.put(r, 1, line, to_col=10)
        r += 1
    g.line(r, ["单位：万元"])
    r += 1
    g.put(r, 1, "项目名称")
    g.put(r, 2, project, to_col=10)
    r += 1
    g.line(r, ["主管部门", department, None, None, "实施单位", unit])
    r += 1
    g.put(r, 1, "项目资金", to_row=r + 3)
    g.line(r, ["年初预算数", "调整后预算数", spent_header, "执行率", "全年预计执行数"], start=3)
    r += 1
    g.line(r, [None, "年度资金总额", *total])
    g.line(r + 1, [None, "其中：当年财政拨款", *total])
    g.line(r + 2, [None, "其他资金"])
    r += 3
    rows = indicators if indicators is not None else MONITORING_INDICATORS
    if not ticks:
        g.line(r, ["一级指标", "二级指标", "三级指标", "年度指标值", "当前完成值",
                   "全年预计完成值", "偏差原因类别", "偏差原因", "完成目标可能性"], start=2)  # fmt: skip
        r += 1
        for k, (l1, l2, name, target, now, year_end, cat, reason, likely) in enumerate(rows):
            g.line(r + k, [l1, l2, name, target, now, year_end, cat, reason, likely], start=2)
        return g
    # the Ministry's form: 偏差原因分析 and 完成目标可能性 over ticked sub-columns
    g.line(r, ["一级指标", "二级指标", "三级指标", "年度指标值", "1-6月执行情况",
               "全年预计完成情况"], start=2)  # fmt: skip
    g.put(r, 8, "偏差原因分析", to_col=12)
    g.put(r, 13, "完成目标可能性", to_col=15)
    g.put(r, 16, "原因说明")
    g.line(r + 1, ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他", "确定能", "有可能",
                   "完全不可能"], start=8)  # fmt: skip
    r += 2
    categories = ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"]
    likelihoods = ["确定能", "有可能", "完全不可能"]
    for k, (l1, l2, name, target, now, year_end, cat, reason, likely) in enumerate(rows):
        g.line(r + k, [l1, l2, name, target, now, year_end], start=2)
        if cat:
            g.put(r + k, 8 + categories.index(cat), "√")
        if likely:
            g.put(r + k, 13 + likelihoods.index(likely), "√")
        if reason:
            g.put(r + k, 16, reason)
    return g
