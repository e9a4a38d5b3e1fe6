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
        used |= set(
            re.findall(r"""\btr\(\s*["']([a-z0-9_]+)["']""", path.read_text(encoding="utf-8"))
        )
    missing = sorted(k for k in used if k not in TEXT["zh"])
    assert not missing, missing


# --- the catalogue: every key used, every used key in both languages --------------------------

SOURCES = [
    ROOT / "app.py",
    *ROOT.glob("pages/*.py"),
    *ROOT.glob("perfbudget/**/*.py"),
    *ROOT.glob("scripts/*.py"),
]
CALL = r"""\b(?:tr|t)\(\s*"""


def _code() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in SOURCES}


def _key_patterns() -> list[re.Pattern]:
    """A key built in a call, tr(f"rect_status_{s}_help"), as the keys it can name."""
    patterns = []
    for text in _code().values():
        templates = re.findall(CALL + r'f"([a-z][a-z0-9_]*\{[^"]*)"', text)
        templates += re.findall(CALL + r"f'([a-z][a-z0-9_]*\{[^']*)'", text)
        for template in templates:
            parts = re.split(r"\{[^}]*\}", template)
            patterns.append(re.compile("[a-z0-9_]+".join(map(re.escape, parts)) + r"\Z"))
    return patterns


def _vocabulary_keys() -> set[str]:
    from perfbudget import thresholds, vocab

    return (
        {vocab.light_key(x) for x in vocab.LIGHTS}
        | {vocab.severity_key(x) for x in vocab.SEVERITIES}
        | {vocab.quadrant_key(x) for x in vocab.QUADRANTS}
        | {vocab.grade_key(x) for x in vocab.GRADES}
        | {x.label_key for x in thresholds.THRESHOLDS}
        | {x.label_key + "_help" for x in thresholds.THRESHOLDS}
    )


def test_every_key_asked_for_exists_in_both_languages():
    asked = {
        k
        for text in _code().values()
        for k in re.findall(CALL + r"""["']([a-z][a-z0-9_]*)["']""", text)
    } | _vocabulary_keys()
    assert "kpi_budget" in asked and "quadrant_on_track" in asked  # the search finds calls
    for lang in ("zh", "en"):
        missing = sorted(k for k in asked if not TEXT[lang].get(k))
        assert not missing, (lang, missing)


def test_every_key_is_used_somewhere():
    # used: named in code (in a call, or as a literal handed to one: the page titles, the
    # preview's column keys), built by a call's f-string, or a vocabulary or threshold key
    literals = {
        k
        for path, text in _code().items()
        if path.name != "i18n.py"
        for k in re.findall(r"""["']([a-z][a-z0-9_]*)["']""", text)
    }
    literals |= set(
        re.findall(
            r"""\bt\(\s*["']([a-z][a-z0-9_]*)["']""",
            (ROOT / "perfbudget" / "i18n.py").read_text(encoding="utf-8"),
        )
    )
    patterns = _key_patterns()
    vocabulary = _vocabulary_keys()
    # a "_one" text is used wherever its key is (i18n.t picks it for n = 1)
    literals |= {k + "_one" for k in literals}
    unused = sorted(
        k
        for k in TEXT["zh"]
        if k not in literals and k not in vocabulary and not any(p.match(k) for p in patterns)
    )
    assert not unused, unused


def test_every_built_key_names_some_text():
    # a tr(f"…{x}…") whose pattern matches no key at all would show its key on screen
    dead = [p.pattern for p in _key_patterns() if not any(p.match(k) for k in TEXT["zh"])]
    assert not dead, dead


def test_both_languages_fill_the_same_placeholders():
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}

    differ = sorted(k for k in TEXT["zh"] if fields(TEXT["zh"][k]) != fields(TEXT["en"][k]))
    assert not differ, differ
