"""The inbox: command-line runs beside a running dashboard.

DuckDB lets one process hold a file read-write and then no other process can open it at all.
The dashboard holds it while it runs, so it is also the one writer for the command line:

- The dashboard process (perfbudget.data._connection) starts a Worker once. It watches
  `<db folder>/inbox/` (data/inbox/ for the default database), keeps a heartbeat file there
  (pid, host, time) and takes job folders in the order they were written. It runs each job's
  command in-process through its own connection (db.lent), a write under writer.WRITE_LOCK
  (queued with the uploads of the web page), drops the dashboard's caches after a write and
  writes result.json (exit code, stdout, stderr).
- The command line (cli.main), finding the database busy, looks for a live heartbeat. With
  one it writes a job folder (request.json: argv with --db resolved and --user filled in, the
  input files copied in, --out pointed into the folder), written under a temporary name and
  renamed, waits for result.json, copies the outputs back, prints stdout and stderr and exits
  with the job's exit code: the same as a direct run. Without one (another command-line run
  holds the file) it waits and retries opening the file, then exits 3 with the plain message.

A job folder: request.json, files/<n>/<name> (inputs), out/ (outputs), claim (written once,
with O_EXCL, by the worker taking the job or by the command line withdrawing it: whoever
comes first wins), result.json. No streamlit here."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from perfbudget import db, writer
from perfbudget.exit_codes import ExitCode

INBOX = "inbox"
# Commands that only read (run outside the write lock; no cache to drop afterwards).
READ_ONLY_COMMANDS = frozenset({"report", "batches", "export", "audit"})
# Commands never run inside the dashboard: benchmark measures a fresh process of its own;
# users reads a password from the terminal or stdin, which a job cannot carry.
NOT_FORWARDED = frozenset({"benchmark", "users"})
HEARTBEAT_EVERY = 2.0  # seconds between heartbeats
HEARTBEAT_STALE = 15.0  # a heartbeat older than this is a dashboard that stopped
POLL = 0.25  # seconds between looks at the inbox (worker) or at result.json (command line)
DEFAULT_TIMEOUT = 1800.0  # the longest wait for a running dashboard's result
DEFAULT_BUSY_WAIT = 15.0  # the longest wait for another process to let go of the file
BUSY_WAIT_ENV = "PERFBUDGET_BUSY_WAIT"  # seconds, overrides DEFAULT_BUSY_WAIT
KEEP_FINISHED = 24 * 3600.0  # a finished job its command line never collected is swept after this

HANDED = "已提交给正在运行的看板，等待结果… / handed to the running dashboard, waiting…"


def inbox_dir(db_path: str | Path) -> Path:
    return Path(db_path).resolve().parent / INBOX


def heartbeat_file(db_path: str | Path) -> Path:
    return inbox_dir(db_path) / f"heartbeat-{Path(db_path).name}.json"


def _write_json(path: Path, value: object) -> None:
    """Write a JSON file whole or not at all: a temporary name, then a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would end the process there: trust the heartbeat's age
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return False
    return True


def live_worker(db_path: str | Path) -> dict | None:
    """The heartbeat of a dashboard serving this database's inbox, if one is running: fresh,
    for this very file, and (on this host) from a process that exists."""
    beat = _read_json(heartbeat_file(db_path))
    if beat is None or beat.get("db") != str(Path(db_path).resolve()):
        return None
    try:
        age = time.time() - float(beat.get("time", 0))
        pid = int(beat.get("pid", 0))
    except (TypeError, ValueError):
        return None
    if age > HEARTBEAT_STALE:
        return None
    if beat.get("host") == socket.gethostname() and not _pid_alive(pid):
        return None
    return beat


def _claim(job: Path, text: str) -> bool:
    """Write the job's claim file if nobody has: True for the one who did."""
    try:
        fd = os.open(job / "claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except (FileExistsError, FileNotFoundError):
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return True


# --- the command line's side -----------------------------------------------------------------


def busy_wait_seconds(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    try:
        return float(os.environ.get(BUSY_WAIT_ENV, DEFAULT_BUSY_WAIT))
    except ValueError:
        return DEFAULT_BUSY_WAIT


def when_busy(argv: Sequence[str], args, error: Exception, retry: Callable[[], int]) -> int:
    """cli.main found the database held by another process. Hand the command to the running
    dashboard when there is one; else wait for the file, retrying, and give up with the
    plain message (exit 3) after the wait."""
    db_path = getattr(args, "db", None)
    if db_path is None or args.command in NOT_FORWARDED:
        print(str(error), file=sys.stderr)
        return ExitCode.BUSY
    timeout = getattr(args, "timeout", None)
    wait = busy_wait_seconds(timeout)
    deadline = time.monotonic() + wait
    said = False
    while True:
        if live_worker(db_path) is not None:
            code = forward(argv, args, DEFAULT_TIMEOUT if timeout is None else timeout)
            if code is not None:
                return code
            # the dashboard stopped before it took the job (withdrawn): try the file again
        left = deadline - time.monotonic()
        if left <= 0:
            break
        if not said:
            print(
                f"数据库正被另一个进程占用，等待其释放（最多{wait:g}秒）… / The database is held "
                f"by another process; waiting up to {wait:g} s for it…",
                file=sys.stderr,
            )
            said = True
        time.sleep(min(1.0, left))
        try:
            return retry()
        except db.DatabaseBusyError as exc:
            error = exc
    if wait > 0:
        print(
            f"等待{wait:g}秒后数据库仍被占用 / The database was still held after {wait:g} s.",
            file=sys.stderr,
        )
    print(str(error), file=sys.stderr)
    return ExitCode.BUSY


@dataclass
class Job:
    folder: Path
    # (path in the job folder, what the user wrote): to print the user's paths back
    paths: list[tuple[str, str]]
    # the user's --out and where the job writes it: (user path, job path, is a folder)
    out: tuple[Path, Path, bool] | None


def _path_values(args) -> dict[str, list[Path]]:
    values: dict[str, list[Path]] = {}
    for name, value in vars(args).items():
        if isinstance(value, Path):
            values[name] = [value]
        elif isinstance(value, list) and value and all(isinstance(v, Path) for v in value):
            values[name] = list(value)
    return values


def submit(argv: Sequence[str], args) -> Job:
    """Write a job folder for this command into the inbox of its database (atomically)."""
    # cli imports this module (cli.main hands a command to the inbox): importing cli when the
    # function runs keeps the two from loading each other
    from perfbudget.cli import _os_user

    db_path = Path(args.db).resolve()
    folder = inbox_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    job_id = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(3)}"
    tmp, final = folder / f".tmp-{job_id}", folder / job_id
    tmp.mkdir()
    replace: dict[Path, str] = {}  # a path value as parsed -> its text in the job
    paths: list[tuple[str, str]] = []
    out = None
    n = 0
    for name, values in _path_values(args).items():
        if name == "db":
            continue
        for value in values:
            if name == "out":
                is_folder = value.is_dir() or value.suffix == ""
                (tmp / "out").mkdir(exist_ok=True)
                inside = final / "out" / ("folder" if is_folder else value.name)
                out = (value, inside, is_folder)
            elif value.is_file():
                n += 1
                (tmp / "files" / str(n)).mkdir(parents=True)
                shutil.copyfile(value, tmp / "files" / str(n) / value.name)
                inside = final / "files" / str(n) / value.name
            else:
                continue
            replace[value] = str(inside)
            paths.append((str(inside), str(value)))
    job_argv: list[str] = []
    saw_db = False
    for token in argv:
        token = str(token)
        prefix, eq, rest = token.partition("=") if token.startswith("--") else ("", "", token)
        target = Path(rest)
        if rest and target == Path(args.db):
            job_argv.append(f"{prefix}{eq}{db_path}")
            saw_db = True
        elif rest and target in replace:
            job_argv.append(f"{prefix}{eq}{replace[target]}")
        else:
            job_argv.append(token)
    if not saw_db:
        job_argv += ["--db", str(db_path)]
    if hasattr(args, "user") and args.user is None:
        job_argv += ["--user", _os_user()]  # who ran the command, not the dashboard's account
    _write_json(tmp / "request.json", {
        "argv": job_argv, "db": str(db_path), "user": _os_user(), "pid": os.getpid(),
        "host": socket.gethostname(), "cwd": os.getcwd(), "submitted_at": time.time(),
    })  # fmt: skip
    os.rename(tmp, final)
    return Job(final, paths, out)


def forward(argv: Sequence[str], args, timeout: float) -> int | None:
    """Run the command through the running dashboard: submit, wait, print, the exit code.
    None when the dashboard went away before taking the job (withdrawn, nothing done)."""
    job = submit(argv, args)
    print(HANDED, file=sys.stderr)
    deadline = time.monotonic() + timeout
    while True:
        result = _read_json(job.folder / "result.json")
        if result is not None:
            break
        timed_out = time.monotonic() > deadline
        if timed_out or live_worker(args.db) is None:
            if _claim(job.folder, f"withdrawn {os.getpid()}"):
                shutil.rmtree(job.folder, ignore_errors=True)
                if not timed_out:
                    return None
                print(
                    f"看板在{timeout:g}秒内未开始执行，已撤回，未做任何改动 / The dashboard did not "
                    f"start the command within {timeout:g} s; withdrawn, nothing was done.",
                    file=sys.stderr,
                )
                return ExitCode.BUSY
            result = _read_json(job.folder / "result.json")
            if result is not None:
                break
            if timed_out:
                print(
                    f"看板仍在执行，{timeout:g}秒内未完成；结果稍后见 {job.folder / 'result.json'}，"
                    f"也可用 perfbudget batches 查看 / The dashboard is still running the command "
                    f"after {timeout:g} s; its result will be in {job.folder / 'result.json'} "
                    "(or see perfbudget batches).",
                    file=sys.stderr,
                )
                return ExitCode.BUSY
            print(
                "看板在执行期间停止了，结果未知：请用 perfbudget batches 查看后再运行 / The "
                "dashboard stopped while running the command; its outcome is unknown: check "
                "perfbudget batches, then run it again.",
                file=sys.stderr,
            )
            return ExitCode.BUSY
        time.sleep(POLL)
    if job.out is not None:
        _copy_out(*job.out)
    sys.stdout.write(_user_paths(str(result.get("stdout", "")), job))
    sys.stderr.write(_user_paths(str(result.get("stderr", "")), job))
    sys.stdout.flush()
    shutil.rmtree(job.folder, ignore_errors=True)
    return int(result.get("exit_code", ExitCode.BUSY))


def _copy_out(user: Path, inside: Path, is_folder: bool) -> None:
    if is_folder:
        if inside.is_dir():
            user.mkdir(parents=True, exist_ok=True)
            for item in inside.iterdir():
                if item.is_file():
                    shutil.copyfile(item, user / item.name)
    elif inside.is_file():
        user.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(inside, user)


def _user_paths(text: str, job: Job) -> str:
    pairs = list(job.paths)
    if job.out is not None:
        pairs.append((str(job.out[1]), str(job.out[0])))
    for inside, user in sorted(pairs, key=lambda p: -len(p[0])):
        text = text.replace(inside, user)
    return text


# --- the dashboard's side --------------------------------------------------------------------


class _ThreadStream:
    """sys.stdout / sys.stderr while a job runs: the job's thread writes into its buffer,
    every other thread of the server where it wrote before."""

    def __init__(self, fallback, thread: int, buffer: list[str]):
        self._fallback, self._thread, self._buffer = fallback, thread, buffer

    def write(self, text: str) -> int:
        if threading.get_ident() == self._thread:
            self._buffer.append(text)
            return len(text)
        return self._fallback.write(text)

    def flush(self) -> None:
        if threading.get_ident() != self._thread:
            self._fallback.flush()

    def reconfigure(self, **_kwargs) -> None:  # cli.main asks; the buffer takes any text
        pass

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"


@contextlib.contextmanager
def _captured() -> Iterator[tuple[list[str], list[str]]]:
    out: list[str] = []
    err: list[str] = []
    me = threading.get_ident()
    saved = sys.stdout, sys.stderr
    streams = _ThreadStream(saved[0], me, out), _ThreadStream(saved[1], me, err)
    sys.stdout, sys.stderr = streams
    try:
        yield out, err
    finally:
        if sys.stdout is streams[0]:
            sys.stdout = saved[0]
        if sys.stderr is streams[1]:
            sys.stderr = saved[1]


class Worker:
    """Takes the jobs of one database's inbox, in order, and runs them through `conn` (held
    weakly: the worker stops when the dashboard drops its connection)."""

    def __init__(self, db_path: str | Path, conn, on_write: Callable[[], None] | None = None):
        self.db_path = Path(db_path).resolve()
        self.folder = inbox_dir(self.db_path)
        self.on_write = on_write
        self._conn = weakref.ref(conn)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def attach(self, conn, on_write: Callable[[], None] | None = None) -> None:
        self._conn = weakref.ref(conn)
        if on_write is not None:
            self.on_write = on_write

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads) and not self._stop.is_set()

    def start(self) -> Worker:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._recover()
        self._beat()
        for target, name in ((self._beat_loop, "heartbeat"), (self._job_loop, "jobs")):
            thread = threading.Thread(target=target, name=f"perfbudget-inbox-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        beat = _read_json(heartbeat_file(self.db_path))
        if beat is not None and beat.get("pid") == os.getpid():
            with contextlib.suppress(OSError):
                heartbeat_file(self.db_path).unlink()

    def _beat(self) -> None:
        _write_json(heartbeat_file(self.db_path), {
            "pid": os.getpid(), "host": socket.gethostname(), "time": time.time(),
            "db": str(self.db_path),
        })  # fmt: skip

    def _beat_loop(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY):
            if self._conn() is None:  # the dashboard let its connection go
                self._stop.set()
                with contextlib.suppress(OSError):
                    heartbeat_file(self.db_path).unlink()
                return
            with contextlib.suppress(OSError):
                self._beat()

    def _job_loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_pending()
            except Exception:  # never let one bad folder end the worker
                traceback.print_exc()
                ran = 0
            if not ran:
                self._stop.wait(POLL)

    def pending(self) -> list[Path]:
        """Job folders not yet taken, oldest first."""
        try:
            entries = sorted(self.folder.iterdir())
        except OSError:
            return []
        return [e for e in entries if not e.name.startswith(".") and e.is_dir()
                and (e / "request.json").is_file() and not (e / "claim").exists()]  # fmt: skip

    def run_pending(self) -> int:
        """Run every job waiting now, in order; how many ran."""
        ran = 0
        for job in self.pending():
            if self._stop.is_set():
                break
            request = _read_json(job / "request.json")
            if request is None or request.get("db") != str(self.db_path):
                continue  # another database's job in the same folder
            if not _claim(job, f"taken {os.getpid()} {socket.gethostname()}"):
                continue  # withdrawn by its command line a moment ago
            started = time.monotonic()
            code, out, err = self.run(job, request)
            _write_json(job / "result.json", {
                "exit_code": code, "stdout": out, "stderr": err,
                "seconds": round(time.monotonic() - started, 3), "finished_at": time.time(),
            })  # fmt: skip
            ran += 1
        self._sweep()
        return ran

    def run(self, job: Path, request: dict) -> tuple[int, str, str]:
        """One job's command, in this thread, through the dashboard's connection."""
        # cli imports this module (see submit): imported when a job runs, not at load
        from perfbudget import cli

        argv = [str(a) for a in request.get("argv", [])]
        conn = self._conn()
        if conn is None:
            return ExitCode.BUSY, "", "看板正在关闭 / the dashboard is shutting down\n"
        write = False
        code: int  # an ExitCode, or what cli.main or argparse returned
        with _captured() as (out, err):
            try:
                args = cli._parser().parse_args(argv)
                refusal = self._refusal(job, args)
                write = args.command not in READ_ONLY_COMMANDS
                if refusal:
                    print(refusal, file=sys.stderr)
                    code = ExitCode.USAGE
                else:
                    lock = writer.writing() if write else contextlib.nullcontext()
                    with lock, db.lent(self.db_path, conn):
                        code = cli.main(argv)
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else ExitCode.USAGE
            except Exception:  # what a direct run would show: the traceback, exit 1
                traceback.print_exc(file=sys.stderr)
                code = ExitCode.USAGE
        if write and self.on_write is not None:
            try:
                self.on_write()
            except Exception:
                traceback.print_exc()
        return int(code), "".join(out), "".join(err)

    def _refusal(self, job: Path, args) -> str | None:
        if args.command is None or args.command in NOT_FORWARDED:
            return f"看板不代为执行此命令 / the dashboard does not run '{args.command}'"
        if Path(args.db).resolve() != self.db_path:
            return f"此收件箱只服务 {self.db_path} / this inbox serves {self.db_path} only"
        inside = job.resolve()
        for name, values in _path_values(args).items():
            if name == "db":
                continue
            for value in values:
                if not value.resolve().is_relative_to(inside):
                    return (
                        f"任务中的路径须在任务文件夹内：{value} / a job's paths must lie in "
                        f"its folder: {value}"
                    )
        return None

    def _recover(self) -> None:
        """Jobs a previous dashboard took and never finished: say so in their result."""
        for job in sorted(p for p in self.folder.iterdir() if p.is_dir()):
            claim = job / "claim"
            if (
                not claim.is_file()
                or (job / "result.json").exists()
                or not claim.read_text(encoding="utf-8").startswith("taken")
            ):
                continue
            _write_json(job / "result.json", {
                "exit_code": ExitCode.BUSY, "stdout": "",
                "stderr": "看板在执行此命令期间停止了，结果未知：请用 perfbudget batches 查看后再运行\n"
                          "The dashboard stopped while running this command; its outcome is "
                          "unknown: check perfbudget batches, then run it again.\n",
            })  # fmt: skip

    def _sweep(self) -> None:
        """Finished jobs nobody collected, and half-written ones, after a day."""
        now = time.time()
        for entry in self.folder.iterdir():
            if not entry.is_dir():
                continue
            # a half-written folder by its own age; a job by its result or its withdrawal
            marker = (
                entry
                if entry.name.startswith(".")
                else next((m for m in (entry / "result.json", entry / "claim") if m.exists()), None)
            )
            if marker is None:
                continue
            try:
                old = now - marker.stat().st_mtime > KEEP_FINISHED
            except OSError:
                continue
            if old:
                shutil.rmtree(entry, ignore_errors=True)


_workers: dict[Path, Worker] = {}
_workers_lock = threading.Lock()


def start_worker(db_path: str | Path, conn, on_write: Callable[[], None] | None = None) -> Worker:
    """The inbox worker of this database in this process: started once, later calls hand it
    the current connection (the dashboard's caches may have been cleared)."""
    key = Path(db_path).resolve()
    with _workers_lock:
        worker = _workers.get(key)
        if worker is not None and worker.running:
            worker.attach(conn, on_write)
            return worker
        worker = _workers[key] = Worker(key, conn, on_write).start()
        return worker
