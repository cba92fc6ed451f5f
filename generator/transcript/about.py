"""What an episode is: show, date, host, guests, chapters, from the file, its sidecars and its first words."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.i18n import _
from generator.model import Chapter, Guest
from generator.transcript.fragments import Parsed
from generator.transcript.metadata import fold, is_name_like, parse_date, parse_description
from generator.transcript.onair import OPENING_WORDS as ON_AIR_WORDS
from generator.transcript.onair import read_on_air
from generator.transcript.read_page import PAGE_FORMATS
from generator.transcript.showinfo import chapters_in, show_in, without_chapters
from generator.transcript.sidecar import read_sidecars
from generator.transcript.speakers import GENERIC

# The first words of the speech often name the show ("Bonjour et bienvenue dans X").
OPENING_WORDS = 60
FRONT_MATTER = "front matter"
ROLE_MAX_WORDS = 8
SPEECH = "speech"


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
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # field -> where it was found

    @property
    def known_names(self) -> list[str]:
        return [n for n in [self.host, *(g.name for g in self.guests)] if n]


def _opening(parsed: Parsed, count: int) -> str:
    """The first words of the speech, for a show named on air."""
    words: list[str] = []
    for frag in parsed.fragments:
        words.extend(frag.text.split())
        if len(words) >= count:
            break
    return " ".join(words[:count])


def describe(parsed: Parsed, path: Path, today: dt.date) -> About:
    """Metadata from the file's own description, else its sidecars; the show from any usual phrasing.

    A page's front matter is the publisher's own record: its date, title and show come before what a
    description's prose suggests. What no written source says is looked for in the opening speech.
    """
    about = About()
    sidecar = read_sidecars(Path(path))
    own = {k: v for k, v in parsed.meta.items() if isinstance(v, str)}
    meta = {**sidecar.meta, **own}
    written = FRONT_MATTER if parsed.format in PAGE_FORMATS else "file"
    origin_of = {k: (written if k in own else "sidecar") for k in meta}
    full = parsed.description or sidecar.description
    chapters = sidecar.chapters or (chapters_in(full) if full else []) or parsed.chapters
    about.chapters = tuple(sorted(chapters, key=lambda c: c.start_s))
    if written == FRONT_MATTER:
        for key in ("show", "date", "title"):
            if key in own:
                _set_meta(about, key, own[key], written, today)
    if full:
        _from_description(about, full, parsed, today)
    for key in ("show", "host", "date", "title"):
        if meta.get(key) and about.origins.get(key) is None:
            _set_meta(about, key, meta[key], origin_of[key], today)
    about.source_url = meta.get("source_url")
    _add_people(about, parsed.people, written)
    _from_speech(about, parsed)
    if full is None and not meta:
        about.warnings.append(_("aucune description de l'épisode : émission, date et invités inconnus"))
    return about


def _set_meta(about: About, key: str, value: str, origin: str, today: dt.date) -> None:
    if key == "date":
        about.date, warning = parse_date(value, today)
        if warning:
            about.warnings.append(warning)
        if about.date is None:
            return
    else:
        setattr(about, key, value)
    about.origins[key] = origin


def _from_description(about: About, full: str, parsed: Parsed, today: dt.date) -> None:
    """Show, date, host and guests of the description, where nothing more authoritative said them."""
    prose = without_chapters(full) if "\n" in full else full
    about.description = prose or None
    if not prose:
        return
    info = parse_description(prose, today)
    show, host = info.show, info.host
    # "Luc Favre reçoit ..." with no show named: a speaker of the file is a person, not the show.
    if host is None and show in {f.speaker for f in parsed.fragments}:
        host, show = show, None
    found = {"show": show, "date": info.date, "host": host}
    for key, value in found.items():
        if value is not None and about.origins.get(key) is None:
            setattr(about, key, value)
            about.origins[key] = "description"
    if info.guests:
        about.guests = info.guests
        about.origins["guests"] = "description"
    about.warnings.extend(info.warnings)


def _role_in(description: str | None, name: str) -> str | None:
    """ "X, experte en architecture, ..." or "X est designer et ...": the role a description gives X."""
    if not description:
        return None
    m = re.search(rf"{re.escape(name)}\s*(?:,|\s(?:est|sont)\s)\s*(?P<role>[^,.;:()]+)", description)
    if not m:
        return None
    role = re.split(r"\s+(?:et|qui|pour|avec|dans)\s+", m["role"].strip(), maxsplit=1)[0]
    words = role.split()
    return role if 1 <= len(words) <= ROLE_MAX_WORDS and words[0][:1].islower() else None


def _add_people(about: About, people: list[str], origin: str) -> None:
    """The people a front matter lists are guests (the host excepted), after the description's; their
    role, when the description gives one."""
    known = {fold(n) for n in about.known_names}
    added = tuple(
        Guest(name=p, role=_role_in(about.description, p))
        for p in people
        if fold(p) not in known and is_name_like(p)
    )
    if added:
        about.guests = about.guests + added
        about.origins.setdefault("guests", origin)


def _from_speech(about: About, parsed: Parsed) -> None:
    """What the opening says on air: the show, the host, the guests greeted by name."""
    heard = read_on_air(_opening(parsed, ON_AIR_WORDS))
    if about.show is None:
        said = heard.show or show_in(_opening(parsed, OPENING_WORDS))
        if said:
            about.show = said
            about.origins["show"] = SPEECH
            about.warnings.append(_("nom de l'émission tiré des premiers mots prononcés : {said}", said=said))
    known = {fold(n) for n in about.known_names}
    if about.host is None and heard.host and fold(heard.host) not in known:
        about.host = heard.host
        about.origins["host"] = SPEECH
    if not about.guests and heard.guests:
        about.guests = tuple(Guest(name=n) for n in heard.guests if n != about.host)
        about.origins["guests"] = SPEECH
    if about.host is None and about.guests:
        # One labelled speaker who is not a guest, beside the guests: the host, as the labels name them.
        guests = {fold(g.name) for g in about.guests} | {fold(g.name.split()[0]) for g in about.guests}
        others = {f.speaker for f in parsed.fragments if f.speaker and fold(f.speaker) not in guests}
        others = {o for o in others if not GENERIC.match(o)}
        if len(others) == 1:
            about.host = others.pop()
            about.origins["host"] = "speaker label"
