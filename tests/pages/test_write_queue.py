"""Imports queue (issue 9, item 4): every write of the dashboard holds one process-wide lock
(perfbudget.writer), first come first served. Two uploads pressing 开始导入 at once run one
after the other, each all or nothing, each with its own plain result; the one that waits is
told so. Before the lock, two imports of the same row from two threads ended, for one of
them, in DuckDB's own words ("TransactionContext Error: Failed to commit: … duplicate key").

Figures by hand (tests/hand_fixture.py): P001's cumulative spending at July is 560,000 元;
nothing for August. Each file below gives P001 an August figure. To make the two imports
overlap for certain, the progress callback sleeps 0.3 s while a batch is being written (it is
called inside the import's transaction)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import data, db, writer
from perfbudget.importer import ImportRejected, RollbackRefused
from tests.hand_fixture import seed_hand_fixture
from tests.pages.test_pages_upload import APP, EXEC_CSV, PAGE, _choose, _import, _texts

RAW_DUCKDB = ("Current transaction is aborted", "TransactionContext", "Constraint Error",
              "duplicate key", "Error:")  # fmt: skip


def august(amount: int) -> list[tuple[str, bytes]]:
    return [(f"P001_{amount}.csv", f"年度,月份,项目编码,累计支出\n2025,8,P001,{amount}\n".encode())]


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    """The dashboard's database: a file holding the hand fixture, no inbox worker."""
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    monkeypatch.setenv("PERFBUDGET_INBOX", "0")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()


def p001_august() -> Decimal | None:
    with data.cursor() as cur:
        rows = cur.execute("select cumulative_yuan from spending where project_code = 'P001' "
                           "and year = 2025 and month = 8").fetchall()  # fmt: skip
    assert len(rows) <= 1
    return rows[0][0] if rows else None


class Upload(threading.Thread):
    """One session's 开始导入 (or another write) in its own thread, as Streamlit runs it."""

    def __init__(self, write):
        super().__init__()
        self.write, self.labels, self.result, self.error = write, [], None, None

    def progress(self, fraction: float, label: str) -> None:
        self.labels.append(label)
        if label.startswith("写入"):  # inside the transaction: hold it open a while
            time.sleep(0.3)

    def run(self) -> None:
        try:
            self.result = self.write(self)
        except Exception as exc:
            self.error = exc

    @property
    def was_queued(self) -> bool:
        return any("已排队" in label and "queued" in label for label in self.labels)


def importing(files):
    return lambda upload: data.import_files(files, "tester", upload.progress)


def wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_two_imports_of_the_same_row_at_once_both_land_one_after_the_other(app_db):
    data.cursor().close()  # open the connection first, as a running dashboard has
    uploads = [Upload(importing(august(600_000))), Upload(importing(august(400_000)))]
    for upload in uploads:
        upload.start()
    for upload in uploads:
        upload.join(30)
    assert [u.error for u in uploads] == [None, None]
    first, second = sorted(uploads, key=lambda u: u.result.files[0].batch_id)
    assert [first.result.files[0].batch_id, second.result.files[0].batch_id] == [1, 2]
    # the second replaced the first's August row, and was told it waited
    assert first.result.files[0].replaced_count == 0
    assert second.result.files[0].replaced_count == 1
    assert second.was_queued and not first.was_queued
    expected = Decimal(second.result.files[0].file_name.removeprefix("P001_").removesuffix(".csv"))
    assert p001_august() == expected


def test_queued_imports_run_in_the_order_they_asked(app_db):
    data.cursor().close()
    uploads = [Upload(importing(august(amount))) for amount in (100_000, 200_000, 300_000)]
    writer.WRITE_LOCK.acquire()  # someone else is writing
    try:
        for n, upload in enumerate(uploads, start=1):
            upload.start()
            wait_until(lambda n=n: writer.WRITE_LOCK.waiting == n)
        assert p001_august() is None  # nothing written while they wait
    finally:
        writer.WRITE_LOCK.release()
    for upload in uploads:
        upload.join(30)
    assert [u.error for u in uploads] == [None, None, None]
    assert [u.result.files[0].batch_id for u in uploads] == [1, 2, 3]
    assert all(u.was_queued for u in uploads)
    assert p001_august() == Decimal("300000.00")  # the last one asked, the last one written


def test_a_write_that_conflicts_gets_its_own_plain_refusal(app_db):
    data.import_files(august(600_000), "tester")  # batch 1
    later = Upload(importing(august(650_000)))  # batch 2 replaces batch 1's row
    rollback = Upload(lambda upload: data.rollback_batch(1, "tester"))
    broken = Upload(
        lambda upload: data.import_files(
            [("broken.csv", "年度,月份,项目编码,累计支出\n2025,8,P404,1\n".encode())], "tester"
        )
    )
    writer.WRITE_LOCK.acquire()
    try:
        for n, upload in enumerate((later, rollback, broken), start=1):
            upload.start()
            wait_until(lambda n=n: writer.WRITE_LOCK.waiting == n)
    finally:
        writer.WRITE_LOCK.release()
    for upload in (later, rollback, broken):
        upload.join(30)
    assert later.error is None and later.result.files[0].batch_id == 2
    # the rollback came after batch 2 had replaced batch 1's row: refused, in plain words
    assert isinstance(rollback.error, RollbackRefused)
    assert "later batch(es) 2" in rollback.error.message_en
    assert "批次2" in rollback.error.message_zh
    # the broken file is refused for its own reason, at its own row
    assert isinstance(broken.error, ImportRejected)
    assert [(i.file, i.row) for i in broken.error.issues] == [("broken.csv", 2)]
    assert "P404" in broken.error.issues[0].message_en
    for error in (rollback.error, broken.error):
        assert not any(raw in str(error) for raw in RAW_DUCKDB), str(error)
    assert p001_august() == Decimal("650000.00")


def test_settings_and_follow_ups_wait_for_an_import_too(app_db):
    data.cursor().close()
    save = Upload(lambda upload: data.save_settings({}))
    writer.WRITE_LOCK.acquire()
    try:
        save.start()
        wait_until(lambda: writer.WRITE_LOCK.waiting == 1)
        time.sleep(0.2)
        assert save.is_alive()  # still waiting for the lock
    finally:
        writer.WRITE_LOCK.release()
    save.join(30)
    assert save.error is None and save.result == 0


# --- the lock itself ------------------------------------------------------------------------


def test_the_write_lock_is_first_come_first_served_and_re_entrant():
    lock = writer.WriteQueue()
    order: list[int] = []
    told: list[int] = []

    def worker(n: int) -> None:
        lock.acquire(on_wait=lambda: told.append(n))
        try:
            with writer.writing():  # the module lock, unrelated: no deadlock
                pass
            lock.acquire()  # re-entrant in the same thread
            order.append(n)
            lock.release()
        finally:
            lock.release()

    lock.acquire()
    threads = []
    for n in range(6):
        thread = threading.Thread(target=worker, args=(n,))
        thread.start()
        threads.append(thread)
        wait_until(lambda n=n: lock.waiting == n + 1)
    lock.release()
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3, 4, 5]
    assert sorted(told) == [0, 1, 2, 3, 4, 5]
    assert not lock.held and lock.waiting == 0


def test_a_waiter_that_gives_up_does_not_block_the_queue():
    lock = writer.WriteQueue()
    lock.acquire()

    def impatient() -> None:
        raise KeyboardInterrupt  # e.g. the run stopped while it was told to wait

    outcome: list[str] = []
    thread = threading.Thread(target=lambda: outcome.append(_attempt(lock, impatient)))
    thread.start()
    thread.join(10)
    assert outcome == ["gave up"] and lock.waiting == 0
    lock.release()
    thread = threading.Thread(target=lambda: outcome.append(_attempt(lock, None)))
    thread.start()
    thread.join(10)
    assert outcome == ["gave up", "got it"]
    with pytest.raises(RuntimeError):
        lock.release()  # not held by this thread


def _attempt(lock: writer.WriteQueue, on_wait) -> str:
    try:
        lock.acquire(on_wait)
    except KeyboardInterrupt:
        return "gave up"
    lock.release()
    return "got it"


# --- the upload page, queued behind another session's import -------------------------------


def test_the_upload_page_waits_its_turn_and_then_imports(app_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    at.run()
    at = _choose(at, "exec.csv", EXEC_CSV, "text/csv")
    seen_waiting = threading.Event()

    def another_session_importing() -> None:
        with writer.writing():
            held.set()
            wait_until(lambda: writer.WRITE_LOCK.waiting == 1, seconds=30)
            seen_waiting.set()  # the page is queued behind us
            time.sleep(0.5)

    held = threading.Event()
    other = threading.Thread(target=another_session_importing)
    other.start()
    assert held.wait(10)
    at = _import(at)
    other.join(30)
    assert seen_waiting.is_set()
    assert any(s.value == "导入完成。" for s in at.success)
    assert "「exec.csv」（批次1）：导入预算执行2行" in _texts(at)


def test_an_import_started_from_the_page_goes_on_when_the_page_stops_watching(app_db):
    # start_import returns at once; nobody waits on the job, as after a click that reran the
    # page in the middle: the import still lands, whole, and the job says so
    job = data.start_import(august(610000), user="分析员")
    assert job.done.wait(60)
    assert job.rejected is None and not job.failed
    assert [f.row_counts for f in job.result.files] == [{"execution": 1}]
    assert p001_august() == Decimal("610000.00")


def test_a_refused_background_import_reports_its_issues_and_writes_nothing(app_db):
    job = data.start_import([("bad.csv", "年度,月份,项目编码,累计支出\n2025,8,P001,约30万\n".encode())],
                            user="分析员")  # fmt: skip
    assert job.done.wait(60)
    assert job.rejected is not None and "约30万" in str(job.rejected)
    assert p001_august() is None


def test_the_page_picks_up_a_job_that_ended_while_nobody_watched(app_db):
    job = data.start_import(august(620000), user="分析员")
    assert job.done.wait(60)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["upload_job"] = job
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "upload_job" not in at.session_state
    assert "导入完成" in _texts(at) and "620000.csv" in _texts(at)  # its summary line
