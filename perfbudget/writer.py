"""The one writer: every write of the dashboard process (an upload, a rollback, a restore, a
follow-up, a setting, a job from the inbox) holds WRITE_LOCK, so writes run one after the
other, in the order they asked, each in its own transaction.

Why a lock and not DuckDB alone: the dashboard's cursors are separate DuckDB connections to
one database, and two transactions writing the same tables at once end in a write-write
conflict ("Current transaction is aborted", a refused commit) for one of them. Queued, the
second write simply starts after the first has committed and sees its rows.

    with writer.writing(on_wait=lambda: show("another import is running; queued…")):
        ...  # one transaction

The lock is first come, first served (a plain threading.Lock wakes any waiter) and
re-entrant within a thread. No streamlit here: the inbox worker uses it too."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class WriteQueue:
    """A re-entrant lock that hands itself on in arrival order."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()
        self._owner: int | None = None
        self._depth = 0

    @property
    def waiting(self) -> int:
        """How many threads wait for the lock (not counting its holder)."""
        with self._cond:
            return len(self._queue)

    @property
    def held(self) -> bool:
        with self._cond:
            return self._owner is not None

    def acquire(self, on_wait: Callable[[], None] | None = None) -> None:
        """Take the lock; when someone holds it or waits before us, call on_wait() once (to
        say so) and wait for our turn."""
        me = threading.get_ident()
        token = object()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return
            self._queue.append(token)
            must_wait = self._owner is not None or self._queue[0] is not token
        try:
            if must_wait and on_wait is not None:
                on_wait()  # outside the condition: it may draw on a page
            with self._cond:
                while self._owner is not None or self._queue[0] is not token:
                    self._cond.wait()
                self._queue.popleft()
                self._owner, self._depth = me, 1
        except BaseException:
            with self._cond:
                if token in self._queue:  # gave up before our turn: let the next one on
                    self._queue.remove(token)
                    self._cond.notify_all()
            raise

    def release(self) -> None:
        with self._cond:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a write lock this thread does not hold")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._cond.notify_all()


WRITE_LOCK = WriteQueue()


@contextmanager
def writing(on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the process-wide write lock for the block (see the module docstring)."""
    WRITE_LOCK.acquire(on_wait)
    try:
        yield
    finally:
        WRITE_LOCK.release()
