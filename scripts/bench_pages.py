"""The page timings of `python -m perfbudget benchmark`, in a process of its own (its peak
memory is a server's that opened every page): every page under AppTest, cold (caches empty,
as after an import) then warm. Prints one JSON line. Usage: bench_pages.py DATABASE [PAGE ...]"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perfbudget.benchmark import PAGES, peak_rss_mib

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _pages_child(path: str, pages: tuple[str, ...] = PAGES) -> None:
    import logging

    from streamlit.testing.v1 import AppTest

    from perfbudget import data

    logging.disable(logging.WARNING)
    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    timings: dict[str, list[float]] = {}
    for page in pages:
        data.clear_caches()  # cold: as after an import, which clears every cached figure
        at.switch_page(f"pages/{page}.py")
        cold = _seconds(at.run)
        warm = _seconds(at.run)
        failed = [str(e.value)[:200] for e in at.exception]
        timings[page] = [cold, warm, *failed]
    print(json.dumps({"pages": timings, "peak_rss_mib": peak_rss_mib()}))


if __name__ == "__main__":
    _pages_child(sys.argv[1], tuple(sys.argv[2:]) or PAGES)
