"""What a format reader returns: caption fragments as read, plus the description and noise it found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fragment:
    """A caption fragment as read, with the line it came from (for error messages)."""

    text: str
    start_s: float | None
    line: int
    end_s: float | None = None
    speaker: str | None = None
    new_speaker: bool = False


@dataclass
class Parsed:
    """What a parser found: fragments, the description if any, and how many noise lines it dropped."""

    format: str
    fragments: list[Fragment] = field(default_factory=list)
    description: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # show/date/host from structured inputs
    noise: int = 0
    end_s: float | None = None  # end of the speech, when the file says it
