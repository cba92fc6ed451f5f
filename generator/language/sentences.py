"""The one French sentence splitter: every stage cuts text into sentences here.

A sentence ends with . ! ? … (or several, "?!", "..."), then any closing quotes or brackets (French
puts a space before »), then white space. Not an end: a decimal or version ("3,5", "3.5", "v1.2": no
space after the point) and the point of a French abbreviation before a name ("M. Dupont", "Mme",
"Dr", "p. 12").
"""

from __future__ import annotations

import functools
import re

_END = r"[.!?…]+"
_CLOSERS = r"(?:[ \u00a0\u202f]?[»\"”)\]])*"
# What may open a sentence when `before_capital` asks for one: a capital, a digit or an opening quote.
_OPENING = r"[«\"A-ZÀ-ÖØ-Þ0-9]"
# Abbreviations whose point ends no sentence (compared as written: "M." is one, "m." is not).
ABBREVIATIONS = frozenset(
    ["M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Pr", "Me", "Mgr", "St", "Ste", "cf", "p", "pp"]
)
_LAST_WORD = re.compile(r"(\w+)$")


@functools.cache
def _boundary(before_capital: bool, at_line_breaks: bool) -> re.Pattern[str]:
    gap = rf"\s+(?={_OPENING})" if before_capital else r"(?:\s+|$)"
    pattern = rf"(?P<end>{_END}{_CLOSERS}){gap}"
    if at_line_breaks:
        pattern += r"|(?P<line>\n+)"
    return re.compile(pattern)


def split_sentences(text: str, *, before_capital: bool = False, at_line_breaks: bool = False) -> list[str]:
    """The sentences of `text`, end punctuation and closing quotes kept, stripped, empty ones dropped.

    `before_capital`: cut only where the next sentence opens with a capital, a digit or « / " (prose
    and transcripts, where "etc. et puis" goes on). `at_line_breaks`: every line break ends a sentence
    too (model answers written as lists).
    """
    pieces, start = [], 0
    for match in _boundary(before_capital, at_line_breaks).finditer(text):
        end = match.end("end") if match["end"] is not None else match.start()
        # Abbreviations are 5 letters at most: a 6-character window sees the whole of any of them.
        word = _LAST_WORD.search(text, max(0, match.start() - 6), match.start())
        if match["end"] == "." and word and word.group(1) in ABBREVIATIONS:
            continue
        pieces.append(text[start:end])
        start = match.end()
    pieces.append(text[start:])
    return [s for s in (p.strip() for p in pieces) if s]
