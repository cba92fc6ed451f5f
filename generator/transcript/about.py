"""What an episode is: show, date, host, guests, chapters, from the file, its sidecars and its first words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.i18n import _
from generator.model import Chapter, Guest
from generator.transcript.fragments import Parsed
from generator.transcript.metadata import parse_date, parse_description
from generator.transcript.showinfo import chapters_in, show_in, without_chapters
from generator.transcript.sidecar import read_sidecars

# The first words of the speech often name the show ("Bonjour et bienvenue dans X").
OPENING_WORDS = 60


@dataclass
class About:
    """The episode's metadata, wherever it was found, and what was unsure."""

    show: str | None = None
    date: dt.date | None = None
    host: str | None = None
    guests: tuple[Guest, ...] = ()
    description: str | None = None
    source_url: str | None = None
    chapters: tuple[Chapter, ...] = ()
    warnings: list[str] = field(default_factory=list)

    @property
    def known_names(self) -> list[str]:
        return [n for n in [self.host, *(g.name for g in self.guests)] if n]


def _opening(parsed: Parsed) -> str:
    """The first words of the speech, for a show named on air."""
    words: list[str] = []
    for frag in parsed.fragments:
        words.extend(frag.text.split())
        if len(words) >= OPENING_WORDS:
            break
    return " ".join(words[:OPENING_WORDS])


def describe(parsed: Parsed, path: Path, today: dt.date) -> About:
    """Metadata from the file's own description, else its sidecars; the show from any usual phrasing."""
    about = About()
    sidecar = read_sidecars(Path(path))
    meta = {**sidecar.meta, **{k: v for k, v in parsed.meta.items() if isinstance(v, str)}}
    full = parsed.description or sidecar.description
    chapters = sidecar.chapters or (chapters_in(full) if full else []) or parsed.chapters
    about.chapters = tuple(sorted(chapters, key=lambda c: c.start_s))
    if full:
        prose = without_chapters(full) if "\n" in full else full
        about.description = prose or None
        if prose:
            info = parse_description(prose, today)
            about.show, about.date, about.host, about.guests = info.show, info.date, info.host, info.guests
            about.warnings.extend(info.warnings)
            # "Luc Favre reçoit ..." with no show named: a speaker of the file is a person, not the show.
            if about.host is None and about.show in {f.speaker for f in parsed.fragments}:
                about.host, about.show = about.show, None
    about.show = about.show or meta.get("show") or None
    if about.show is None and (said := show_in(_opening(parsed))):
        about.show = said
        about.warnings.append(_("nom de l'émission tiré des premiers mots prononcés : {said}", said=said))
    about.host = about.host or meta.get("host") or None
    if about.date is None and meta.get("date"):
        about.date, warning = parse_date(meta["date"], today)
        if warning:
            about.warnings.append(warning)
    about.source_url = meta.get("source_url")
    if full is None and not meta:
        about.warnings.append(_("aucune description de l'épisode : émission, date et invités inconnus"))
    return about
