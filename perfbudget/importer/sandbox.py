"""Read an uploaded file in a child process with a memory and a time limit.

The native spreadsheet readers (calamine under fastexcel) abort the whole process when an
allocation fails — a hostile 1.8 KB .xlsx is enough — and the dashboard serves every user
from one process. So the bytes are parsed elsewhere: a small reading server
(`python -m perfbudget.importer.sandbox`, started once per process, single-threaded, with the
readers already imported) forks one child per file; the child caps its address space at what
it starts with plus Limits.memory_bytes and its time at Limits.parse_seconds, reads, and
writes the result to a pipe. Whatever happens to the child — an abort, the memory cap, the
alarm — the server answers, and the parent gets either the sheets or a plain refusal. A
fork costs ~10 ms; the server's start ~0.4 s, once.

(multiprocessing's forkserver would do the forking too, but it re-runs the parent's main
script in every child, which breaks for any script without a __main__ guard.)

Only data crosses back — a JSON header and one Arrow IPC stream per sheet, never a pickle —
so a child that misbehaved cannot make the parent run anything.

Where fork is missing (Windows), or PERFBUDGET_READ_IN_PROCESS=1, the file is read in this
process, after the same checks of importer/xlsx_guard.py."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import struct
import subprocess
import sys
import threading
from typing import IO, BinaryIO

import pyarrow as pa

from perfbudget.importer.limits import Limits, size_text
from perfbudget.importer.readers import Issue, Sheet, Workbook, read_raw

_LEN = struct.Struct("<Q")
_COUNTS = "__field_counts"
_lock = threading.Lock()
_server: subprocess.Popen | None = None


def isolation_available() -> bool:
    return hasattr(os, "fork") and os.environ.get("PERFBUDGET_READ_IN_PROCESS") != "1"


def read_isolated(
    file_name: str, content: bytes, limits: Limits
) -> tuple[Workbook | None, list[Issue]]:
    """read_raw in a child process under the limits (in this process where unavailable)."""
    if not isolation_available():
        return read_raw(file_name, content, limits)
    request = json.dumps({"file_name": file_name, "limits": dataclasses.asdict(limits)}).encode()
    with _lock:  # one file at a time through the server; imports queue anyway
        for attempt in (1, 2):
            server = _running_server()
            try:
                assert server.stdin is not None and server.stdout is not None
                _write_frame(server.stdin, request)
                _write_frame(server.stdin, content)
                server.stdin.flush()
                status = json.loads(_read_frame(server.stdout))
                payload = _read_frame(server.stdout)
                break
            except (OSError, EOFError, ValueError):
                _stop_server()  # a dead or confused server: start a fresh one, once
                if attempt == 2:
                    return None, [_died(None, limits)]
    if status["outcome"] == "timeout":
        return None, [_timeout(limits)]
    if status["outcome"] == "error":
        return None, [(None, None, None,
                       "读取文件时发生内部错误（详情已写入服务器日志），未导入任何数据；请把文件发给管理员",
                       "an internal error occurred while reading the file (the details are in "
                       "the server log); nothing was imported: send the file to the administrator")]  # fmt: skip
    if status["outcome"] != "ok":
        spreadsheet = content.startswith((b"PK", b"\xd0\xcf\x11\xe0"))
        return None, [_died(status.get("detail"), limits, csv=not spreadsheet)]
    book, issues = decode(payload)
    if book is not None:
        book.content = content
    return book, issues


def _running_server() -> subprocess.Popen:
    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen(
            [sys.executable, "-m", "perfbudget.importer.sandbox"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )  # fmt: skip
    return _server


def _stop_server() -> None:
    global _server
    if _server is not None:
        _server.kill()
        _server.wait()
    _server = None


def _timeout(limits: Limits) -> Issue:
    seconds = f"{limits.parse_seconds:g}"
    return (None, None, None,
            f"读取文件超过{seconds}秒的时间上限，已停止（文件过大或结构异常：请拆分后分别导入）",
            f"reading the file took longer than the limit of {seconds} s and was stopped (too "
            "large or oddly built: split it and import the parts)")  # fmt: skip


def _died(detail: object, limits: Limits, csv: bool = False) -> Issue:
    memory = size_text(limits.memory_bytes)
    if csv:
        return (None, None, None,
                f"读取该CSV文件所需的内存超过上限（{memory}），已停止：行数或内容过多，请拆分后分别导入",
                f"reading the CSV file needed more memory than the limit ({memory}) and was "
                "stopped: too many rows or too much text; split it and import the parts"
                + (f" ({detail})" if detail else ""))  # fmt: skip
    return (None, None, None,
            f"读取该文件所需的内存超过上限（{memory}），已停止：文件可能声明了极大的区域（如整张表"
            "A1:XFD1048576）或内容过多；请删除表格以外的内容、拆分后分别导入，或另存为 CSV",
            f"reading the file needed more memory than the limit ({memory}) and was stopped: it "
            "may declare a huge range (such as A1:XFD1048576) or hold too much; delete what "
            "lies outside the table, split it, or save it as CSV"
            + (f" ({detail})" if detail else ""))  # fmt: skip


# --- the server and its children ------------------------------------------------------------


def _write_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(_LEN.pack(len(data)))
    stream.write(data)


def _read_exact(stream: IO[bytes], n: int) -> bytes:
    parts, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the reading server closed its pipe")
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _read_frame(stream: IO[bytes]) -> bytes:
    (size,) = _LEN.unpack(_read_exact(stream, _LEN.size))
    return _read_exact(stream, size)


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """The reading server: for each request, fork a child that reads under the limits."""
    while True:
        try:
            request = json.loads(_read_frame(stdin))
            content = _read_frame(stdin)
        except EOFError:
            return
        _import_readers(content)
        limits = Limits(**request["limits"])
        status, payload = _read_in_child(request["file_name"], content, limits)
        _write_frame(stdout, json.dumps(status).encode())
        _write_frame(stdout, payload)
        stdout.flush()


def _import_readers(content: bytes) -> None:
    """Import the reader a file needs here, in the server, the first time one is needed:
    every child forked after inherits it instead of importing it again (~0.3 s each for
    fastexcel). Not at the server's start, which would delay a first CSV import."""
    # imported here, in the server, and only when needed: that is the point of the function
    if content.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        import fastexcel  # noqa: F401
    else:  # as above
        import perfbudget.importer.csv_text  # noqa: F401


def _read_in_child(file_name: str, content: bytes, limits: Limits) -> tuple[dict, bytes]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: cap, read, answer, exit without cleanup
        os.close(read_end)
        code = 0
        try:
            _cap(limits)
            try:
                book, issues = read_raw(file_name, content, limits)
                payload = encode(book, issues)
            except MemoryError:
                payload, code = b"", 3
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        except BaseException:
            import traceback  # only when a child fails

            traceback.print_exc()  # to the server's stderr: the dashboard's log
            code = 4
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as result:
        payload = result.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        outcome = "timeout" if sig in (signal.SIGALRM, signal.SIGXCPU) else "died"
        return {"outcome": outcome, "detail": f"signal {sig}"}, b""
    code = os.WEXITSTATUS(status)
    if code == 4:
        return {"outcome": "error"}, b""
    if code != 0 or not payload:
        return {"outcome": "died", "detail": f"exit {code}"}, b""
    return {"outcome": "ok"}, payload


def _cap(limits: Limits) -> None:
    import resource  # POSIX only: this runs only where fork does

    with open("/proc/self/statm") as f:
        virtual = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = virtual + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    seconds = max(1, int(limits.parse_seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    signal.setitimer(signal.ITIMER_REAL, limits.parse_seconds)  # SIGALRM ends the child


# --- the wire format: JSON header, then one Arrow IPC stream per sheet ---------------------


def encode(book: Workbook | None, issues: list[Issue]) -> bytes:
    head: dict[str, object] = {"issues": [list(i) for i in issues], "book": None}
    streams: list[bytes] = []
    if book is not None:
        head["book"] = {"file_name": book.file_name, "format": book.format,
                        "encoding": book.encoding, "notes": book.notes, "sheets": []}  # fmt: skip
        for sheet in book.sheets:
            head["book"]["sheets"].append({  # type: ignore[index]
                "name": sheet.name, "n_rows": sheet.n_rows, "col_offset": sheet.col_offset,
                "width": len(sheet.columns),
                "marks": [[r, c, text] for (r, c), text in sheet.marks.items()],
            })  # fmt: skip
            arrays = {}
            for j, col in enumerate(sheet.columns):
                arrays[f"c{j}"] = pa.array(col, pa.string())
                sheet.columns[j] = []  # the list's strings go as soon as Arrow holds them
            if sheet.field_counts is not None:
                arrays[_COUNTS] = pa.array(sheet.field_counts, pa.int32())
            table = pa.table(arrays) if arrays else pa.table({})
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            streams.append(sink.getvalue().to_pybytes())
    header = json.dumps(head, ensure_ascii=False).encode()
    parts = [_LEN.pack(len(header)), header]
    for stream in streams:
        parts += [_LEN.pack(len(stream)), stream]
    return b"".join(parts)


def decode(payload: bytes) -> tuple[Workbook | None, list[Issue]]:
    (size,) = _LEN.unpack_from(payload, 0)
    at = _LEN.size
    head = json.loads(payload[at : at + size])
    at += size
    issues: list[Issue] = [tuple(i) for i in head["issues"]]
    meta = head["book"]
    if meta is None:
        return None, issues
    sheets = []
    for info in meta["sheets"]:
        (size,) = _LEN.unpack_from(payload, at)
        at += _LEN.size
        table = pa.ipc.open_stream(pa.py_buffer(payload[at : at + size])).read_all()
        at += size
        columns = [table.column(f"c{j}").to_pylist() for j in range(info["width"])]
        counts = table.column(_COUNTS).to_pylist() if _COUNTS in table.column_names else None
        marks = {(r, c): text for r, c, text in info["marks"]}
        sheets.append(Sheet(info["name"], columns, info["n_rows"], info["col_offset"], marks,
                            counts))  # fmt: skip
    book = Workbook(meta["file_name"], b"", meta["format"], sheets, meta["encoding"], meta["notes"])
    return book, issues


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
