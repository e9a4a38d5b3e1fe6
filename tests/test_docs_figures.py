"""docs/figures.md is where a comment's reference leads: every `docs/figures.md#section` cited
in the code, the SQL or the tests names a section (a heading or an `<a id>`) that exists, and
nothing cites the domain brief (domain.md), which is not in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "docs" / "figures.md"
SOURCES = sorted(
    p
    for pattern in (
        "perfbudget/**/*.py",
        "perfbudget/**/*.sql",
        "queries/**/*.sql",
        "pages/*.py",
        "tests/**/*.py",
        "app.py",
        "scripts/*.py",
        "scripts/*.sh",
    )
    for p in ROOT.glob(pattern)
    if p.name != "test_docs_figures.py"  # its own examples are not references
)


def anchors(markdown: str) -> set[str]:
    """GitHub's anchors: each heading lower-cased, punctuation dropped, spaces to hyphens; and
    every explicit <a id="…">."""
    found = set(re.findall(r'<a id="([^"]+)"></a>', markdown))
    for heading in re.findall(r"^#{1,6} (.+)$", markdown, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def cited(text: str) -> list[str]:
    """The sections a text cites: docs/figures.md#a, and the #b of "(docs/figures.md#a, #b)"."""
    out = []
    for match in re.finditer(r"docs/figures\.md((?:#[\w\-]+(?:,\s*)?)+)", text):
        out += re.findall(r"#([\w\-]+)", match.group(1))
    return out


def test_anchor_slugs_are_githubs():
    assert anchors("## Execution rate, pace and gap\n### slow_spending\n") == {
        "execution-rate-pace-and-gap",
        "slow_spending",
    }
    assert cited("x (docs/figures.md#lights, #in-year-progress) y docs/figures.md#a") == [
        "lights",
        "in-year-progress",
        "a",
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cited_section_exists(path):
    known = anchors(FIGURES.read_text(encoding="utf-8"))
    missing = [a for a in cited(path.read_text(encoding="utf-8")) if a not in known]
    assert not missing, f"{path.relative_to(ROOT)} cites sections docs/figures.md lacks: {missing}"


def test_nothing_cites_the_domain_brief():
    citing = {
        str(p.relative_to(ROOT)) for p in SOURCES if "domain.md" in p.read_text(encoding="utf-8")
    }
    assert not citing, sorted(citing)


def test_the_code_does_cite_the_figures():
    assert sum(len(cited(p.read_text(encoding="utf-8"))) for p in SOURCES) >= 30
