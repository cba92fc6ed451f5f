"""Figures in French text: digits and number words, with their units, for comparing generated text and source."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

UNITS = {
    "cent": 100,
    "cents": 100,
    "mille": 1_000,
    "milles": 1_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "milliard": 1_000_000_000,
    "milliards": 1_000_000_000,
    "billion": 1_000_000_000_000,
    "billions": 1_000_000_000_000,
}
_SCALE_WORDS = {"mille", "milles", "million", "millions", "milliard", "milliards", "billion", "billions"}
NUMBER_WORDS = {
    "zéro": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "vingts": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "septante": 70,
    "huitante": 80,
    "octante": 80,
    "nonante": 90,
}
# Words that make a spelled-out number a figure worth checking ("trois milliards", "dix pour cent").
_FIGURE_UNITS = _SCALE_WORDS | {
    "pour",
    "%",
    "pourcent",
    "euros",
    "euro",
    "dollars",
    "dollar",
    "gigawatts",
    "mégawatts",
    "térawatts",
    "kilomètres",
    "km",
    "ans",
    "mois",
    "jours",
    "heures",
    "minutes",
    "secondes",
    "salariés",
    "employés",
    "utilisateurs",
    "personnes",
    "degrés",
    "go",
    "to",
    "tonnes",
}

_DIGITS = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:[,.](\d+))?(?![\w])"
    r"(\s*(?:%|pour\s?cent|milliards?|millions?|mille|billions?)\b|\s*%)?",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\w+|%", re.UNICODE)


@dataclass(frozen=True)
class Figure:
    """A number said in a text: as written, its value, and whether a scale word multiplied it."""

    text: str
    value: float
    scaled: bool
    percent: bool
    raw: float = 0.0  # the number before its scale word: 500 for "500 milliards"


def _round(x: float) -> float:
    return round(x, 6)


def _parse_digits(match: re.Match[str]) -> Figure:
    whole = re.sub(r"[ \u00a0\u202f.]", "", match.group(1))
    value = float(whole + ("." + match.group(2) if match.group(2) else ""))
    suffix = (match.group(3) or "").strip().lower()
    percent = suffix.startswith("%") or suffix.startswith("pour")
    raw = value
    scaled = False
    if suffix and not percent:
        value *= UNITS[suffix]
        scaled = True
    return Figure(match.group(0).strip(), _round(value), scaled, percent, _round(raw))


def _word_figures(text: str) -> list[Figure]:
    """Spelled-out numbers followed by a scale or a unit ("cinq cents milliards", "trois pour cent")."""
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    figures: list[Figure] = []
    i = 0
    while i < len(tokens):
        word = tokens[i][0].lower()
        if word not in NUMBER_WORDS and word not in ("cent", "cents", "mille"):
            i += 1
            continue
        j = i
        total = 0
        current = 0
        raw = 0
        scaled = False
        while j < len(tokens):
            w = tokens[j][0].lower()
            if j > i and text[tokens[j - 1][2] : tokens[j][1]].strip(" \u00a0\u202f-"):
                break  # punctuation ends a spelled-out number
            if w in ("vingt", "vingts") and current % 100 == 4:
                current += 76  # "quatre-vingts" is 80, not 4 + 20
            elif w in NUMBER_WORDS:
                current += NUMBER_WORDS[w]
            elif w in ("cent", "cents"):
                current = max(current, 1) * 100
            elif w in _SCALE_WORDS:
                raw = max(current, 1)
                total += raw * UNITS[w]
                current = 0
                scaled = True
            elif w == "et" and j + 1 < len(tokens) and tokens[j + 1][0].lower() in ("un", "une", "onze"):
                pass  # "vingt et un"
            else:
                break
            j += 1
        value = total + current
        nxt = tokens[j][0].lower() if j < len(tokens) else ""
        percent = nxt in ("%", "pourcent") or (
            nxt == "pour" and j + 1 < len(tokens) and tokens[j + 1][0].lower() == "cent"
        )
        # "un", "une" are articles far more often than numbers: only "un milliard" counts.
        if j > i and (scaled or nxt in _FIGURE_UNITS or percent) and (value > 1 or scaled):
            last = j - 1
            if percent or (nxt in _FIGURE_UNITS and nxt not in _SCALE_WORDS):
                last = min(len(tokens) - 1, j + (1 if nxt == "pour" else 0))
            figures.append(
                Figure(
                    text[tokens[i][1] : tokens[last][2]],
                    _round(float(value)),
                    scaled,
                    percent,
                    _round(float(raw if scaled else value)),
                )
            )
        i = max(j, i + 1)
    return figures


def figures(text: str) -> list[Figure]:
    """Every figure of a French text: digits (with scale words or %) and spelled-out amounts."""
    found = [_parse_digits(m) for m in _DIGITS.finditer(text)]
    return found + _word_figures(text)


def unsupported_figures(summary: str, source: str, extra: Iterable[str] = ()) -> list[str]:
    """Figures of `summary` that `source` (or the `extra` texts, e.g. metadata) never states."""
    said = figures(source)
    for more in extra:
        said += figures(more)
    scaled_values = {f.value for f in said}
    # "500 milliards" in the source also supports a bare "500", never "500 millions".
    raw_values = scaled_values | {f.raw for f in said}
    missing = []
    for f in figures(summary):
        ok = f.value in scaled_values if f.scaled else f.value in raw_values
        if not ok and f.text not in missing:
            missing.append(f.text)
    return missing
