"""The edition's title without a model: its two main subjects, then the count of the others (issue 22)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from generator.model import Section

__all__ = ["edition_title", "main_subjects", "number_words"]


def main_subjects(sections: Sequence[Section]) -> tuple[str, str]:
    """The titles of the two longest sections, in the edition's order ("" when missing).

    Untimed sections have no length: the first two then stand for the edition, as before.
    """

    def length(s: Section) -> float:
        return (s.end_s - s.start_s) if s.start_s is not None and s.end_s is not None else 0.0

    ranked = sorted(range(len(sections)), key=lambda i: (-length(sections[i]), i))[:2]
    titles = [sections[i].title for i in sorted(ranked)]
    return (titles + ["", ""])[0], (titles + ["", ""])[1]


def number_words(n: int, phrases: Mapping[str, Any]) -> str:
    """A count in French words ('trois'), digits beyond the phrases file's list."""
    words = phrases.get("numbers") or []
    return words[n] if 0 <= n < len(words) else str(n)


def edition_title(lead: str, more: int, phrases: Mapping[str, Any], second: str = "") -> str:
    """The two main sections' titles, then the count of the others, read as one French list.

    With `second` (issue 22, the edition names its two main subjects): 'A' + 'Les B' + 2 ->
    'A, les B et deux autres sujets'. Without: 'A et B' + 2 -> 'A, B et deux autres sujets';
    'Nom : A' + 2 -> 'Nom : A, et deux autres sujets' (the comma keeps the others out of the name's subject).
    """
    if more <= 0 or not lead:
        return lead
    if second:
        if _ARTICLE_START.match(second):
            second = second[:1].lower() + second[1:]
        if more == 1:
            return f"{lead} et {second}"
        # a comma before the count when a title already holds "et" or " : " ("A et B, C, et deux autres")
        glue = "," if any(" et " in t or " : " in t for t in (lead, second)) else ""
        lead, more = f"{lead}, {second}{glue}", more - 1
    elif " : " in lead:
        lead += ","
    elif " et " in lead:
        lead = ", ".join(lead.rsplit(" et ", 1))
    if more == 1:
        return phrases["one_more_title"].format(lead=lead)
    return phrases["more_titles"].format(lead=lead, count=number_words(more, phrases))


_ARTICLE_START = re.compile(r"(?:Les?|La|L['’]|Un|Une|Des|Du|Au|Aux)\b")
