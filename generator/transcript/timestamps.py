"""Timestamps as transcripts write them: the line styles that carry one, and their value in seconds."""

from __future__ import annotations

import re
from collections import Counter

_TS = r"(?:\d{1,2}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?"
# Glued text may start with a digit (`01:2750 milliards`): seconds are exactly two digits.
GLUED = re.compile(r"^(?P<ts>(?:\d{1,2}:)?\d{1,3}:\d{2})\s*(?P<text>.*)$")
BRACKET = re.compile(rf"^[\[(](?P<ts>{_TS})[\])]\s*(?P<text>.*)$")
RANGE = re.compile(
    rf"^(?P<ts>{_TS}|\d+(?:[.,]\d+)?)\s*(?:-->|->|–|-)\s*(?P<end>{_TS}|\d+(?:[.,]\d+)?)(?:\s+(?P<text>.*))?$"
)
CUE_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(?P<settings>.*)$"
)


# YouTube's SBV captions: `0:00:00.599,0:00:04.160` on the line above the text.
SBV_TIMING = re.compile(r"^\s*(?P<start>\d{1,2}:\d{2}:\d{2}\.\d{3}),(?P<end>\d{1,2}:\d{2}:\d{2}\.\d{3})\s*$")


def parse_ts(value: str) -> float:
    """`MM:SS`, `H:MM:SS`, `HH:MM:SS,mmm` or plain seconds -> seconds."""
    value = value.strip().replace(",", ".")
    if ":" not in value:
        return float(value)
    parts = value.split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def line_styles(lines: list[str]) -> Counter[str]:
    """How many lines carry each timestamp style: `cue`, `bracket`, `range`, `glued`."""
    styles: Counter[str] = Counter()
    for line in lines:
        s = line.strip()
        if not s:
            continue
        if CUE_TIMING.match(s) or SBV_TIMING.match(s):
            styles["cue"] += 1
        elif BRACKET.match(s):
            styles["bracket"] += 1
        elif RANGE.match(s):
            styles["range"] += 1
        elif GLUED.match(s):
            styles["glued"] += 1
    return styles
