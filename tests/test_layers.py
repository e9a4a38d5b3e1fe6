"""The layers point one way: pages → perfbudget.data (and ui) → perfbudget.db → queries/.
Pages never open the database or hold SQL; the package below the UI never imports streamlit
(ruff's banned-api rule says the same for streamlit; this test covers the rest)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))
# the UI layer: perfbudget/data.py and the perfbudget/ui/ package
UI_MODULES = {ROOT / "perfbudget" / "data.py", *(ROOT / "perfbudget" / "ui").glob("*.py")}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_do_not_open_the_database_or_hold_sql(page):
    modules = imported_modules(page)
    assert not {m for m in modules if m == "duckdb" or m.startswith("perfbudget.db")}
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"\bselect\b[\s\S]{0,200}\bfrom\b", text, re.IGNORECASE)


@pytest.mark.parametrize(
    "module",
    [p for p in (ROOT / "perfbudget").rglob("*.py") if p not in UI_MODULES],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_package_below_the_ui_never_imports_streamlit(module):
    assert not {m for m in imported_modules(module) if m.split(".")[0] == "streamlit"}


def test_only_db_opens_duckdb_connections():
    offenders = []
    for path in (ROOT / "perfbudget").rglob("*.py"):
        if path.name != "db.py" and "duckdb.connect(" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


# Files whose deferred imports are not yet explained (none: keep it so).
DEFERRED_IMPORTS_PENDING: tuple[str, ...] = ()


def _deferred_imports_without_a_reason(path: Path) -> list[str]:
    """Imports inside a function with no comment on their lines or on the comment lines just
    above them (one comment may cover a run of imports)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    missing = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            own = lines[node.lineno - 1 : node.end_lineno]
            above = node.lineno - 2
            while (
                above >= 0
                and "#" not in lines[above]
                and re.match(r"\s*((from \S+ )?import |$)", lines[above])
            ):
                above -= 1  # the run of imports (and blank lines) this one belongs to
            reason = above >= 0 and lines[above].lstrip().startswith("#")
            if not reason and not any("#" in line for line in own):
                missing.append(f"{path.relative_to(ROOT)}: {own[0].strip()}  (line {node.lineno})")
    return missing


def test_every_import_inside_a_function_says_why_it_is_deferred():
    """A function-level import hides a dependency from a reader (lint-imports still sees it):
    each says why it is not at the top (a cycle, a slow or optional package, ...)."""
    files = [*sorted((ROOT / "perfbudget").rglob("*.py")), *PAGES, ROOT / "app.py"]
    missing = [
        line
        for path in files
        for line in _deferred_imports_without_a_reason(path)
        if not line.startswith(DEFERRED_IMPORTS_PENDING)
    ]
    assert not missing, "\n".join(missing)
