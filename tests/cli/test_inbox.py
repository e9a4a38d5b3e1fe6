"""Scheduled loads beside a running dashboard (issue 9, item 5): while the dashboard holds the
database, `python -m perfbudget import|rollback|restore|report|batches|export …` is handed to
it through `<db folder>/inbox/` (perfbudget.inbox) and prints and exits as a direct run does.
Without a dashboard, a command finding the file held by another command waits for it, then
exits 3 with the plain message.

The dashboard here is an inbox Worker in a thread of the test process holding a read-write
connection to a temporary database (as perfbudget.data._connection does), so no second
process can open the file. Each command is run the same way on a twin of the database that
nothing holds: the answers must be the same, word for word, apart from the line saying the
command was handed over. Figures (tests/hand_fixture.py): P001's cumulative spending at July
is 560,000 元; nothing for August."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from perfbudget import db, inbox
from tests.hand_fixture import seed_hand_fixture

ROOT = Path(__file__).resolve().parents[2]
HANDED = inbox.HANDED + "\n"


def perfbudget(*args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "perfbudget", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@dataclass
class Served:
    db: Path  # held by the "dashboard"
    twin: Path  # the same database, held by nobody
    conn: object
    worker: inbox.Worker

    def both(self, *args) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
        """The command beside the dashboard, then directly on the twin (`DB` is the database)."""
        served = perfbudget(*[self.db if a == "DB" else a for a in args])
        direct = perfbudget(*[self.twin if a == "DB" else a for a in args])
        return served, direct

    def scalar(self, sql: str):
        with self.conn.cursor() as cur:
            return cur.execute(sql).fetchall()[0][0]


@pytest.fixture
def served(tmp_path):
    path = tmp_path / "served" / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    twin = tmp_path / "direct" / "hand.duckdb"
    twin.parent.mkdir()
    # copied before the "dashboard" opens it: closing any file handle of the process on the
    # file would drop the process's lock (POSIX record locks), and the file would not be held
    shutil.copyfile(path, twin)
    conn = db.connect(path)
    worker = inbox.Worker(path, conn).start()
    yield Served(path, twin, conn, worker)
    worker.stop()
    conn.close()


def csv_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_import_beside_the_running_dashboard_is_handed_to_it(served, tmp_path):
    sheet = csv_file(tmp_path, "execution.csv", "年度,月份,项目编码,累计支出\n2025,8,P001,600000\n")
    held, direct = served.both("import", sheet, "--db", "DB")
    assert (held.returncode, direct.returncode) == (0, 0), held.stderr
    assert held.stdout == direct.stdout
    assert "'execution.csv' (batch 1): imported execution 1 rows" in held.stdout
    assert held.stderr == HANDED + direct.stderr
    assert str(served.scalar("select cumulative_yuan from spending where project_code = 'P001' "
                             "and month = 8")) == "600000.00"  # fmt: skip
    # recorded as the one who ran the command, not as the dashboard's account
    assert (
        served.scalar("select imported_by from import_batches where batch_id = 1")
        == getpass.getuser()
    )
    # the job folder is gone; the heartbeat stays while the dashboard runs
    assert [p.name for p in (served.db.parent / "inbox").iterdir()] == [
        "heartbeat-hand.duckdb.json"
    ]


def test_a_refused_file_exits_2_with_the_same_message_and_nothing_written(served, tmp_path):
    before = served.scalar("select count(*) from spending")
    bad = csv_file(tmp_path, "bad.csv", "年度,月份,项目编码,累计支出\n2025,9,P001,约30万\n")
    held, direct = served.both("import", "--db", "DB", bad)
    assert (held.returncode, direct.returncode) == (2, 2)
    assert held.stderr == HANDED + direct.stderr
    assert "导入被拒绝，数据库未做任何改动" in held.stderr and "bad.csv" in held.stderr
    assert "Traceback" not in held.stderr
    assert served.scalar("select count(*) from spending") == before


@pytest.mark.parametrize(
    "args",
    [
        ("report", "execution", "--db", "DB", "--year", "2025", "--month", "7"),
        ("report", "warnings", "--db", "DB", "--year", "2025", "--format", "json"),
        ("batches", "--db", "DB", "--format", "csv"),
    ],
    ids=["execution_csv", "warnings_json", "batches"],
)
def test_reports_through_the_dashboard_are_the_direct_ones(served, args):
    held, direct = served.both(*args)
    assert (held.returncode, direct.returncode) == (0, 0), held.stderr
    assert held.stdout == direct.stdout
    assert held.stderr == HANDED
    if args[1] == "execution":
        assert held.stdout.splitlines()[0].startswith("project_code,project_name,department,")
        assert len(held.stdout.splitlines()) == 10  # the header and the nine projects


def test_an_export_through_the_dashboard_writes_the_file_asked_for(served, tmp_path):
    out = tmp_path / "exports" / "execution.xlsx"
    twin_out = tmp_path / "exports" / "execution_direct.xlsx"
    held = perfbudget(
        "export",
        "table",
        "execution",
        "--db",
        served.db,
        "--year",
        2025,
        "--month",
        7,
        "--out",
        out,
    )
    direct = perfbudget(
        "export",
        "table",
        "execution",
        "--db",
        served.twin,
        "--year",
        2025,
        "--month",
        7,
        "--out",
        twin_out,
    )
    assert (held.returncode, direct.returncode) == (0, 0), held.stderr
    assert held.stdout == direct.stdout.replace(str(twin_out), str(out))
    assert str(out) in held.stdout and "inbox" not in held.stdout

    def cells(path: Path) -> list[list]:
        book = openpyxl.load_workbook(path)
        return [[[c.value for c in row] for row in sheet.iter_rows()] for sheet in book]

    assert cells(out) == cells(twin_out)


def test_rollback_and_restore_through_the_dashboard(served, tmp_path):
    sheet = csv_file(tmp_path, "execution.csv", "年度,月份,项目编码,累计支出\n2025,8,P001,600000\n")
    steps = [
        ("import", sheet, "--db", "DB"),
        ("rollback", "1", "--db", "DB"),
        ("rollback", "1", "--db", "DB"),
        ("restore", "1", "--db", "DB"),
    ]
    codes = []
    for step in steps:
        held, direct = served.both(*step)
        assert held.returncode == direct.returncode
        assert held.stdout == direct.stdout
        assert held.stderr == HANDED + direct.stderr.replace(str(served.twin), str(served.db))
        codes.append(held.returncode)
    assert codes == [0, 0, 2, 0]  # the second rollback is refused: already rolled back
    assert str(served.scalar("select cumulative_yuan from spending where project_code = 'P001' "
                             "and month = 8")) == "600000.00"  # fmt: skip


# --- no dashboard, the file held by another command ------------------------------------------


def hold(path: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the database read-write (a command-line import, say)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, time
            conn = duckdb.connect({str(path)!r})
            print("ready", flush=True)
            time.sleep({seconds})
            conn.close()
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


@pytest.fixture
def hand_file(tmp_path) -> Path:
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    return path


def test_held_by_another_command_it_waits_then_exits_3(hand_file, tmp_path):
    sheet = csv_file(tmp_path, "execution.csv", "年度,月份,项目编码,累计支出\n2025,8,P001,1\n")
    holder = hold(hand_file, 60)
    try:
        started = time.monotonic()
        result = perfbudget("import", "--db", hand_file, sheet, env={"PERFBUDGET_BUSY_WAIT": "2"})
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3
    assert took >= 2
    assert "等待其释放（最多2秒）" in result.stderr and "waiting up to 2 s" in result.stderr
    assert "等待2秒后数据库仍被占用" in result.stderr and "still held after 2 s" in result.stderr
    assert "正被另一个进程" in result.stderr and "Traceback" not in result.stderr
    assert "handed" not in result.stderr


def test_a_command_queues_behind_another_command_and_then_runs(hand_file, tmp_path):
    sheet = csv_file(tmp_path, "execution.csv", "年度,月份,项目编码,累计支出\n2025,8,P001,600000\n")
    holder = hold(hand_file, 2)
    try:
        result = perfbudget("import", "--db", hand_file, sheet, "--timeout", 60)
    finally:
        holder.wait(30)
    assert result.returncode == 0, result.stderr
    assert "waiting up to 60 s" in result.stderr
    assert "'execution.csv' (batch 1): imported execution 1 rows" in result.stdout
    conn = db.connect(hand_file, read_only=True)
    assert str(conn.execute("select cumulative_yuan from spending where project_code = 'P001' "
                            "and month = 8").fetchall()[0][0]) == "600000.00"  # fmt: skip
    conn.close()


def test_a_job_no_dashboard_takes_is_withdrawn_after_the_timeout(hand_file, tmp_path):
    """A heartbeat that looks alive (this test process's) over a worker that never takes the job."""
    conn = db.connect(hand_file)  # held: the command cannot open the file
    try:
        folder = inbox.inbox_dir(hand_file)
        folder.mkdir()
        inbox.heartbeat_file(hand_file).write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": __import__("socket").gethostname(),
                    "time": time.time() + 3600,
                    "db": str(hand_file.resolve()),
                }
            ),
            encoding="utf-8",
        )
        result = perfbudget(
            "report", "execution", "--db", hand_file, "--year", 2025, "--timeout", 1
        )
    finally:
        conn.close()
    assert result.returncode == 3
    assert result.stderr.startswith(HANDED)
    assert "withdrawn, nothing was done" in result.stderr and "已撤回" in result.stderr
    assert result.stdout == ""
    assert [p.name for p in folder.iterdir()] == ["heartbeat-hand.duckdb.json"]


def test_the_worker_refuses_a_job_that_reaches_outside_its_folder(served, tmp_path):
    outside = csv_file(tmp_path, "execution.csv", "年度,月份,项目编码,累计支出\n2025,8,P001,1\n")
    job = served.db.parent / "inbox" / "00000000000000000001-1-abcdef"
    job.mkdir()
    (job / "request.json").write_text(
        json.dumps(
            {
                "argv": ["import", str(outside), "--db", str(served.db.resolve())],
                "db": str(served.db.resolve()),
            }
        ),
        encoding="utf-8",
    )
    deadline = time.monotonic() + 10
    while not (job / "result.json").exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    result = json.loads((job / "result.json").read_text(encoding="utf-8"))
    assert result["exit_code"] == 1
    assert "a job's paths must lie in its folder" in result["stderr"]
    assert served.scalar("select count(*) from import_batches") == 0


def test_when_the_dashboard_dies_before_taking_the_job_the_command_runs_itself(hand_file, tmp_path):
    """A "dashboard" (another process) holds the file and shows a heartbeat but takes no job;
    it is killed while the command waits: the command withdraws its job and runs directly."""
    sheet = csv_file(tmp_path, "execution.csv", "年度,月份,项目编码,累计支出\n2025,8,P001,600000\n")
    beat = inbox.heartbeat_file(hand_file)
    dashboard = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, json, os, pathlib, socket, time
            conn = duckdb.connect({str(hand_file)!r})
            beat = pathlib.Path({str(beat)!r})
            beat.parent.mkdir(exist_ok=True)
            beat.write_text(json.dumps({{"pid": os.getpid(), "host": socket.gethostname(),
                                         "time": time.time() + 3600,
                                         "db": {str(hand_file.resolve())!r}}}))
            print("ready", flush=True)
            time.sleep(120)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert dashboard.stdout.readline().strip() == "ready"
        command = subprocess.Popen(
            [sys.executable, "-m", "perfbudget", "import", str(sheet), "--db", str(hand_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while not [p for p in beat.parent.iterdir() if p.is_dir() and not p.name.startswith(".")]:
            assert time.monotonic() < deadline, "no job was submitted"
            time.sleep(0.05)
    finally:
        dashboard.kill()
        dashboard.wait()
    out, err = command.communicate(timeout=60)
    assert command.returncode == 0, err
    assert err.startswith(HANDED)
    assert "'execution.csv' (batch 1): imported execution 1 rows" in out
    conn = db.connect(hand_file, read_only=True)
    assert conn.execute("select count(*) from import_batches").fetchall() == [(1,)]
    conn.close()
    assert [p.name for p in beat.parent.iterdir() if p.is_dir()] == []  # withdrawn job removed
