"""Marking what matched in a Chinese item name."""

from __future__ import annotations

import html

from . import text as tx


def highlight(name: str, matched: set[str]) -> str:
    """The name with every matched word or bigram wrapped in <em>…</em>."""
    marks = [False] * len(name)
    for piece in matched:
        if not piece or not tx.is_han(piece):
            continue
        start = name.find(piece)
        if start == -1 and len(piece) >= 3:  # matched through pinyin or a keyword: mark its characters
            for k, ch in enumerate(name):
                if ch in piece:
                    marks[k] = True
        while start != -1:
            for k in range(start, start + len(piece)):
                marks[k] = True
            start = name.find(piece, start + 1)
    out, open_ = [], False
    for ch, mark in zip(name, marks):
        if mark and not open_:
            out.append("<em>")
            open_ = True
        if not mark and open_:
            out.append("</em>")
            open_ = False
        out.append(html.escape(ch))
    if open_:
        out.append("</em>")
    return "".join(out)
