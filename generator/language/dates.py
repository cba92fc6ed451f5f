"""French month and day names: for writing a date and for finding one in a description."""

from __future__ import annotations

import datetime as dt

from generator.language.lexicon import strip_accents

MONTHS: tuple[str, ...] = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
WEEKDAYS: tuple[str, ...] = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# Accent-free lower-case name -> month number (1-12) / weekday number (Monday 0), for parsing.
MONTH_NUMBERS: dict[str, int] = {strip_accents(name): i for i, name in enumerate(MONTHS, 1)}
WEEKDAY_NUMBERS: dict[str, int] = {name: i for i, name in enumerate(WEEKDAYS)}

# Regex alternatives matching each name with or without its accent ("fevrier", "aout").
MONTH_PATTERN = "|".join(
    "".join(f"[{c}{strip_accents(c)}]" if strip_accents(c) != c else c for c in name) for name in MONTHS
)
WEEKDAY_PATTERN = "|".join(WEEKDAYS)


def french_date(date: dt.date | None) -> str:
    """'lundi 10 mars 2025' (used as prompt input data); 'date inconnue' without a date."""
    if date is None:
        return "date inconnue"
    return f"{WEEKDAYS[date.weekday()]} {date.day} {MONTHS[date.month - 1]} {date.year}"
