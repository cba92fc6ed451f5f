"""What a format reader returns: caption fragments as read, plus the description and noise it found."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from generator.model import Chapter

# A word, for the conservation count: a whitespace token with a letter, a digit or a symbol that carries
# meaning (`94 %`, `12 €`, `+`, `/`), that is not a timestamp. Punctuation alone is not a word.
_TIMESTAMP = re.compile(r"^[\[(]?\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?[\])]?$")
MEANINGFUL_SYMBOLS = frozenset("%‰€$£¥°+/&=§±×")


def is_word(token: str) -> bool:
    """A token the conservation count counts: letters, digits or a meaningful symbol, not a timestamp."""
    return any(c.isalnum() or c in MEANINGFUL_SYMBOLS for c in token) and not _TIMESTAMP.match(token)


def count_words(text: str) -> int:
    """Words of a text as the conservation count sees them (timestamps and punctuation are not words)."""
    return sum(1 for t in text.split() if is_word(t))


@dataclass
class Fragment:
    """A caption fragment as read, with the line it came from (for error messages)."""

    text: str
    start_s: float | None
    line: int
    end_s: float | None = None
    speaker: str | None = None
    new_speaker: bool = False
    pause_before: bool = (
        False  # a silence precedes this fragment (word or cue gap): a pseudo-sentence may end
    )
    heading: str | None = None  # a page heading stands just before this fragment (a topic cue)
    set_apart: bool = False  # the page sets this paragraph apart (a bold host question): a topic cue


@dataclass
class Parsed:
    """What a parser found: fragments, the description if any, and how many noise lines it dropped."""

    format: str
    fragments: list[Fragment] = field(default_factory=list)
    description: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # show/date/host from structured inputs
    noise: int = 0
    end_s: float | None = None  # end of the speech, when the file says it
    noise_words: Counter[str] = field(default_factory=Counter)  # words not kept as speech, by reason
    warnings: list[str] = field(default_factory=list)  # what the reader was unsure about
    chapters: list[Chapter] = field(default_factory=list)
    people: list[str] = field(default_factory=list)  # people a written source names (front matter)

    def drop(self, text: str, reason: str, lines: int = 1) -> None:
        """Count a line that is not speech: its lines as noise, its words under `reason`."""
        self.noise += lines
        words = count_words(text)
        if words:
            self.noise_words[reason] += words
