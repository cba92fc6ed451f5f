"""Show name and chapters from a description phrased any usual way, or from the first caption line."""

from __future__ import annotations

import re

from generator.model import Chapter
from generator.transcript.timestamps import parse_ts

# `00:00 Intro`, `12:05 - Le budget`, `(1:02:03) Questions`: a publisher's chapter list.
_CHAPTER = re.compile(r"^[\[(]?(?P<ts>(?:\d{1,2}:)?\d{1,2}:\d{2})[\])]?\s*[-–—:|]?\s*(?P<title>\S.{0,120})$")
# A show's name: capitalised words, small French joiners between them, or a name in quotes.
_WORD = r"[A-ZÀ-Þ0-9][\w'’&-]*(?:\.[\w'’&-]+)*"
_NAME = rf"(?:«\s*[^»]{{2,60}}?\s*»|“[^”]{{2,60}}”|\"[^\"]{{2,60}}\"|{_WORD}(?:\s+(?:(?:de|du|des|la|le|les|l'|et|à|en|sur|dans|au|aux|d')\s+)?{_WORD}){{0,5}})"
_SHOW_PHRASES = [
    re.compile(
        rf"(?i:\b(?:dans|de|sur|pour)\s+(?:l['’]émission|le podcast|la chronique|le magazine|la quotidienne|l['’]hebdo))\s+(?P<show>{_NAME})"
    ),
    re.compile(rf"(?i:\bbienvenue\s+(?:à\s+tous\s+)?(?:dans|sur|à))\s+(?P<show>{_NAME})"),
    re.compile(rf"(?:^|[.!?]\s+)(?P<show>{_NAME})\s+(?i:(?:vous\s+)?présente)\b"),
    re.compile(
        rf"(?i:\b(?:cet|ce|un|le|nouvel|nouveau)\s+(?:épisode|numéro|volet)\s+de)\s+(?P<show>{_NAME})"
    ),
    re.compile(
        rf"(?:^|[.!?]\s+)(?i:le podcast|l['’]émission|un podcast|une émission)\s+(?:(?:de|d['’])\s*)?(?P<show>{_NAME})"
    ),
    re.compile(
        rf"^(?P<show>{_NAME}),\s+(?i:(?:le|la|un|une|votre)\s+(?:podcast|émission|quotidienne|hebdo|magazine|rendez-vous))"
    ),
    re.compile(rf"(?i:\bvous\s+écoutez)\s+(?P<show>{_NAME})"),  # not "ici X": hosts say "ici Nadia Roche"
]


def chapters_in(text: str) -> list[Chapter]:
    """Lines `00:00 Intro` of a description: chapter marks, only when at least two are listed in order."""
    found = []
    for line in text.splitlines():
        m = _CHAPTER.match(line.strip())
        if m and any(c.isalpha() for c in m["title"]):
            found.append(Chapter(title=m["title"].strip(), start_s=parse_ts(m["ts"])))
    starts = [c.start_s for c in found]
    if len(found) < 2 or starts != sorted(starts):
        return []
    return found


def without_chapters(text: str) -> str:
    """The description's prose: chapter lines, links and hashtags left out, lines joined by spaces."""
    kept = []
    for line in text.splitlines():
        s = line.strip()
        if not s or _CHAPTER.match(s) or s.startswith(("http://", "https://", "#")):
            continue
        kept.append(s)
    return " ".join(kept)


def _tidy(show: str) -> str:
    show = show.strip(' ,.;:!?-–«»“”"')
    # "Bienvenue dans Le Grand Atelier, ..." : a trailing article or joiner is not part of the name.
    return re.sub(r"\s+(?:de|du|des|la|le|l'|et|à|en)$", "", show)


def show_in(text: str) -> str | None:
    """The show a text names ("dans l'émission X", "X présente", "Bienvenue dans X"), if any."""
    from generator.transcript.onair import take_name  # onair reads metadata, which reads this module

    for pattern in _SHOW_PHRASES:
        m = pattern.search(text)
        if m:
            show = _tidy(m["show"])
            # Taken whole: "Le Code a changé", "C dans l'air", "Rock & Tech, le mag".
            whole = take_name(text[m.start("show") :])
            if whole and len(whole) > len(show) and whole.startswith(show):
                show = whole
            if show and show.lower() not in {"cette", "notre", "votre", "la", "le"}:
                return show
    return None
