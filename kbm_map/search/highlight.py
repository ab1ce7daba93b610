"""Highlight matched words as safe HTML: the document's text escaped, only <mark> is markup."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from kbm_map.search.analysis import WORD

ELLIPSIS = "…"


def _window(text: str, first: int, size: int) -> tuple[int, int]:
    """Return a span of about size characters that shows position first, on word edges."""
    if len(text) <= size:
        return 0, len(text)
    start = max(0, min(first - size // 4, len(text) - size))
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def highlight(text: str, matches: Callable[[str], bool], size: int | None = None) -> Markup:
    """Return text with matching words in <mark>, cut to about size characters around them."""
    spans = [m.span() for m in WORD.finditer(text) if matches(m.group())]
    start, end = 0, len(text)
    if size is not None:
        start, end = _window(text, spans[0][0] if spans else 0, size)
    parts: list[str] = [ELLIPSIS] if start else []
    position = start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts.append(escape(text[position:s]))
        parts.append(Markup("<mark>%s</mark>") % text[s:e])
        position = e
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(ELLIPSIS)
    return Markup("").join(parts)
