"""Files that leave the dashboard: formatted Excel tables (xlsx), chart images (PNG/SVG), the
briefing deck (PPTX, PDF). Nothing here imports streamlit.

Every export is marked 内部 (internal: may hold sensitive projects) or 公开 (public: built
with Scope.public(), never a sensitive project) on every page, slide and sheet and in its file
name."""

from __future__ import annotations

import re

INTERNAL, PUBLIC = "内部", "公开"
MARKINGS_EN = {INTERNAL: "Internal", PUBLIC: "Public"}


def marking(public: bool) -> str:
    return PUBLIC if public else INTERNAL


def file_stem(text: str, limit: int = 60) -> str:
    """A file name part from a title: no path separators, spaces or characters Windows
    refuses."""
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", str(text)).strip("._")
    return stem[:limit] or "export"
