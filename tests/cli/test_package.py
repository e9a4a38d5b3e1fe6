"""The package as `pip install .` makes it: the wheel carries every subpackage, schema.sql and
the SQL of queries/ (installed as perfbudget.queries), and the `perfbudget` command it installs
runs every report from a clean virtual environment, far from the checkout."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from perfbudget import cli, db
from perfbudget.reports import REPORTS
from tests.hand_fixture import seed_hand_fixture

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]


def test_every_subpackage_and_the_queries_are_listed_for_the_wheel():
    # The packages are listed in pyproject.toml (a find cannot map queries/ into the
    # package): a subpackage left off the list would be missing from every install.
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "perfbudget").rglob("__init__.py")
    }
    config = _setuptools()
    assert set(config["packages"]) == on_disk | {"perfbudget.queries"}
    assert config["package-dir"] == {"perfbudget.queries": "queries"}
    assert "*.sql" in config["package-data"]["perfbudget.queries"]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_the_wheel_depends_on_every_runtime_requirement():
    # `pip install .` installs the wheel's dependencies, not requirements.txt: a package pinned
    # there but missing here (python-pptx and kaleido were) breaks a command after that install
    pinned = {
        _name(line)
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert pinned == {_name(r) for r in project["dependencies"]}


def test_the_checkout_reads_the_sql_of_the_top_level_queries_folder():
    assert db.QUERIES_DIR == ROOT / "queries"
    assert db.query_names() == sorted(p.stem for p in (ROOT / "queries").glob("*.sql"))
    assert "project_execution" in db.query_names()


def _build_wheel(tmp_path: Path) -> Path:
    """The wheel of a copy of what the build reads (the checkout stays free of build/), built
    as `pip install .` builds it: in an isolated environment with setuptools from the index."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("perfbudget", "queries"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = out.glob("perfbudget-*.whl")
    return wheel


@pytest.mark.slow
def test_the_wheel_installs_a_perfbudget_command_whose_every_report_works(tmp_path, capsys):
    """Builds the wheel, installs it into a new virtual environment and runs its `perfbudget`
    command there, in a folder outside the checkout: every report on the hand fixture prints
    what the checkout prints, and a report exports as .xlsx.

    How the clean environment gets its dependencies: the wheel is installed with --no-deps
    and a .pth file then puts this test run's site-packages (the project's .venv) on its path,
    so streamlit, pandas, duckdb… come from there instead of a 45-second install. Only the
    dependencies are borrowed: perfbudget itself is imported from the new environment (asserted
    below; the checkout's editable install needs its own .pth, which is not processed from a
    directory a .pth adds). The database is the hand fixture, seeded by this process (the demo
    computes its stored results for minutes on this machine)."""
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    expected_sql = {f"perfbudget/queries/{name}.sql" for name in db.query_names()}
    assert expected_sql - names == set(), "queries missing from the wheel"
    assert "perfbudget/schema.sql" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    scripts, exe = ("Scripts", ".exe") if os.name == "nt" else ("bin", "")
    python = env_dir / scripts / f"python{exe}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    # after the install, so pip never sees (nor touches) the borrowed site-packages
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "elsewhere"
    work.mkdir()
    hand = work / "hand.duckdb"
    conn = db.connect(hand)
    seed_hand_fixture(conn)
    conn.close()
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PERFBUDGET_DB")}
    environ["PERFBUDGET_INBOX"] = "0"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            cwd=work,
            env=environ,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    where = run(
        str(python), "-c", "import perfbudget.db as d; print(d.__file__); print(d.QUERIES_DIR)"
    )
    assert where.returncode == 0, where.stderr
    module, queries = (Path(line) for line in where.stdout.split())
    assert module.is_relative_to(site) and queries == site / "perfbudget" / "queries"

    command = str(env_dir / scripts / f"perfbudget{exe}")
    for name, report in REPORTS.items():
        args = ["report", name, "--db", str(hand), "--year", "2025", "--month", "7"]
        done = run(command, *args)
        assert done.returncode == 0, f"{name}: {done.stderr}"
        assert cli.main(args) == 0
        assert done.stdout == capsys.readouterr().out, name
        assert next(csv.reader(io.StringIO(done.stdout))) == list(report.columns), name
    assert done.stdout.count("\n") > 1  # the last report (departments) has rows
    table = run(
        command,
        "export",
        "table",
        "execution",
        "--db",
        str(hand),
        "--year",
        "2025",
        "--out",
        "execution.xlsx",
    )
    assert table.returncode == 0, table.stderr
    assert zipfile.is_zipfile(work / "execution.xlsx")
