"""Both languages carry every key, and every key a page or module asks for exists."""

from __future__ import annotations

import re
from pathlib import Path

from perfbudget.i18n import TEXT

ROOT = Path(__file__).resolve().parent.parent


def test_chinese_and_english_have_the_same_keys():
    assert set(TEXT["zh"]) == set(TEXT["en"])


def test_every_key_used_in_code_exists():
    used = set()
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("perfbudget/*.py")]:
        used |= set(re.findall(r"""\btr\(\s*["']([a-z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in TEXT["zh"])
    assert not missing, missing
