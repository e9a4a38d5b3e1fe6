"""Measure the spreadsheet readers the importer could use, on this machine.

    .venv/bin/python scripts/measure_readers.py [--rows 100000] [--keep DIR]

Writes a 100,000-row × 12-column execution sheet (.xlsx) and a self-evaluation table with
merged cells (.xlsx and .xls), then, each in a fresh process so memory is its own:
  - openpyxl read_only, iterating values
  - python-calamine, to_python()
  - fastexcel, every column as text into Arrow (what perfbudget.importer.readers does)
and the whole import (perfbudget.importer.import_files into an in-memory database).
Prints seconds and peak RSS per reader, and what each gives for the merged cells of the
self-evaluation table (the level-1 cell "产出指标(50分)" merged over three rows)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READERS = {
    "openpyxl read_only": """
import openpyxl
wb = openpyxl.load_workbook(PATH, read_only=True, data_only=True)
rows = [tuple("" if v is None else str(v) for v in r) for r in wb.worksheets[0].iter_rows(values_only=True)]
""",
    "python-calamine": """
import python_calamine
wb = python_calamine.CalamineWorkbook.from_path(PATH)
rows = [tuple(str(v) for v in r) for r in wb.get_sheet_by_index(0).to_python()]
""",
    "fastexcel (as the importer)": """
import fastexcel
sheet = fastexcel.read_excel(PATH).load_sheet(0, header_row=None, dtypes="string", dtype_coercion="coerce")
cols = [c.to_pylist() for c in sheet.to_arrow().columns]
rows = [tuple("" if v is None else v for v in r) for r in zip(*cols)]
""",
    "import_files (whole import)": """
import sys
sys.path.insert(0, ROOT)
from perfbudget import db
from perfbudget.importer import import_files
conn = db.connect()
conn.execute("insert into projects (year, project_code, project_name, department_code, adjusted_budget_yuan) select 2025, 'P' || lpad(i::varchar, 5, '0'), 'x', 'D', 1000000 from range(10000) t(i)")
result = import_files(conn, [PATH])
rows = [None] * result.row_count
""",
}

PROBE = """
import json, resource, time
PATH, ROOT = {path!r}, {root!r}
t0 = time.perf_counter()
{code}
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mib": peak, "rows": len(rows),
                  "sample": [list(r) for r in rows[:16]] if rows and rows[0] is not None else []}}))
"""


def write_big(path: Path, n: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("执行")
    ws.append(["年度", "月份", "项目编码", "资金来源", "经济分类", "本期支出", "全年预计执行数",
               "备注1", "备注2", "备注3", "备注4", "备注5"])  # fmt: skip
    for i in range(n):
        code = f"P{i % 10000:05d}"
        month = i // 10000 % 12 + 1
        ws.append([2025, month, code, f"来源{i // 120000}", f"{30000 + i // 1200000}", 1234.56,
                   99999.5, "说明", i, "x", "y", "z"])  # fmt: skip
    wb.save(path)


def write_forms(folder: Path) -> tuple[Path, Path]:
    sys.path.insert(0, str(ROOT))
    from tests.form_helpers import selfeval_grid, xls, xlsx

    grid = selfeval_grid()
    a, b = folder / "selfeval.xlsx", folder / "selfeval.xls"
    a.write_bytes(xlsx(("自评表", grid)))
    b.write_bytes(xls(("自评表", grid)))
    return a, b


def run(path: Path, code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(path=str(path), root=str(ROOT), code=code)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="write the files here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="measure_readers_"))
    folder.mkdir(parents=True, exist_ok=True)
    big = folder / f"execution_{args.rows}.xlsx"
    t0 = time.perf_counter()
    write_big(big, args.rows)
    print(
        f"wrote {big.name}: {big.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s"
    )
    print(f"\n{args.rows:,} rows × 12 columns (fresh process each)")
    print(f"{'reader':32} {'seconds':>8} {'peak MiB':>9} {'rows':>8}")
    for name, code in READERS.items():
        res = run(big, code)
        if "error" in res:
            print(f"{name:32} error: {res['error']}")
            continue
        print(f"{name:32} {res['seconds']:8.2f} {res['peak_mib']:9.0f} {res['rows']:8,}")

    xlsx_path, xls_path = write_forms(folder)
    print("\nself-evaluation table, merged level-1 cell 产出指标(50分) over rows 12–14 (column B):")
    for path in (xlsx_path, xls_path):
        for name, code in READERS.items():
            if name.startswith("import_files"):
                continue
            if name.startswith("openpyxl") and path.suffix == ".xls":
                print(f"  {path.suffix:5} {name:30} cannot read .xls")
                continue
            res = run(path, code)
            if "error" in res:
                print(f"  {path.suffix:5} {name:30} error: {res['error']}")
                continue
            column_b = [row[1] if len(row) > 1 else "" for row in res["sample"][11:16]]
            print(f"  {path.suffix:5} {name:30} rows 12–16, column B: {column_b}")
    print(
        "\nAll three give the merged value in the top-left cell only; the importer carries "
        "level cells down itself (forms.py), so any of them reads the layouts correctly."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
