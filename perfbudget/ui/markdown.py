"""Values from data (names, notes, file names, messages) made safe to put into anything
Streamlit renders as Markdown: they show as the text they are."""

from __future__ import annotations

import re

# What Markdown (and Streamlit's directives :red[…], :material/…:, $math$) or HTML would act
# on. CommonMark lets any ASCII punctuation be backslash-escaped, and the escape shows as the
# character itself.
_MD_SPECIAL = re.compile(r"[\\`*_\[\]()#<>|~$:&@!]")


_MD_BADGE_SPECIAL = re.compile(r"[\\`*_()#<>|~$:&@!]")  # st.badge escapes [ ] itself


# U+2060 WORD JOINER: invisible, but it breaks what the renderer turns into links and icons
# after parsing, where a backslash no longer counts: http://…, www.…, a@b.c, :material/x:.
_JOINER = "\u2060"


def md_text(value: object, *, badge: bool = False) -> str:
    """A value from data (a project, department or unit name, a note, a file or sheet name, a
    URL parameter, an import message) made safe to put into anything Streamlit renders as
    Markdown — st.markdown, st.caption, st.write, alerts, headings, metric and widget labels,
    page links, tabs: it shows as the text it is, never as a link, image, HTML, colour or
    formula. Line breaks become spaces. badge=True for st.badge, which escapes [ ] itself."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = re.sub(r"[\r\n]+", " ", str(value))
    text = (_MD_BADGE_SPECIAL if badge else _MD_SPECIAL).sub(lambda m: "\\" + m.group(), text)
    # a list item or a rule (- x, + x, ---) and a numbered item (1. x) at the start
    text = re.sub(r"^(\s*)([-+])(?=\s|-|$)", lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    text = re.sub(r"^(\s*\d+)\.(?=\s|$)", lambda m: f"{m.group(1)}\\.", text)
    text = re.sub(r"\\:(?=\S)", lambda m: m.group() + _JOINER, text)  # http://, :material/…:
    text = text.replace("\\@", _JOINER + "\\@")  # a@b.c
    return re.sub(r"(?i)www(?=\.)", lambda m: m.group() + _JOINER, text)  # www.example
