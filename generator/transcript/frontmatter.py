"""Front matter of a Markdown page (YAML between `---` lines): the episode's metadata, never speech."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import yaml

from generator.transcript.fragments import count_words

# YAML between `---` lines (Jekyll, Eleventy, Astro...), or TOML between `+++` lines (Hugo).
_FENCE = re.compile(r"\A\ufeff?(?P<fence>---|\+\+\+)[ \t]*\r?\n")
_CLOSE = {
    "---": re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE),
    "+++": re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE),
}
MAX_FRONT_MATTER_LINES = 300

# Keys publishers use, by what they say (compared in lower case, `-` and `_` alike).
_KEYS = {
    "title": ("title", "titre", "name"),
    "show": ("show", "podcast", "series", "serie", "programme", "program", "emission", "émission"),
    "date": ("date", "published", "pubdate", "publishdate", "publish_date", "published_at", "datepublished"),
    "description": ("description", "summary", "resume", "résumé", "excerpt", "subtitle", "abstract"),
    "people": ("people", "guests", "guest", "invites", "invités", "invité", "invitées", "intervenants"),
    "host": ("host", "hosts", "animateur", "animatrice", "presenter", "presentateur", "présentateur"),
    "url": ("url", "link", "permalink", "audio_link", "audio", "enclosure", "audio_url", "mp3_url"),
}
# Audio hosts whose episode links read `/<account>/<episode>`: the account is the show's.
_ACCOUNT_HOSTS = ("soundcloud.com", "anchor.fm", "podcasters.spotify.com", "ausha.co", "podbean.com")


@dataclass
class FrontMatter:
    """What a page's front matter says, and how many words it held (none of them speech)."""

    title: str | None = None
    show: str | None = None
    date: str | None = None
    description: str | None = None
    people: list[str] = field(default_factory=list)
    host: str | None = None
    url: str | None = None
    words: int = 0


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(the YAML between the opening and closing `---` lines, the rest) or (None, text)."""
    m = _FENCE.match(text)
    if not m:
        return None, text
    close = _CLOSE[m["fence"]].search(text, m.end())
    if close is None or text.count("\n", m.end(), close.start()) > MAX_FRONT_MATTER_LINES:
        return None, text
    # TOML is marked so that `_load` knows it: a YAML document never starts with this line.
    raw = text[m.end() : close.start()]
    return (_TOML_MARK + raw if m["fence"] == "+++" else raw), text[close.end() :]


def has_front_matter(text: str) -> bool:
    """The text opens with a YAML mapping between `---` lines."""
    raw, _ = split_front_matter(text)
    return raw is not None and isinstance(_load(raw), dict)


_TOML_MARK = "#toml\n"


def _load(raw: str) -> Any:
    if raw.startswith(_TOML_MARK):
        try:
            return tomllib.loads(raw[len(_TOML_MARK) :])
        except tomllib.TOMLDecodeError:
            return None
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return None


def _pick(doc: dict[str, Any], what: str) -> Any:
    keys = {str(k).lower().replace("-", "_"): v for k, v in doc.items()}
    for key in _KEYS[what]:
        if keys.get(key) not in (None, "", []):
            return keys[key]
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return " ".join(str(value).split()) or None
    return None


def _people(value: Any) -> list[str]:
    """`"A"`, `"A, B et C"`, `[A, B]` or `[{name: A, role: ...}]` -> names."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("nom")
        text = _text(item)
        if not text:
            continue
        names.extend(p.strip() for p in re.split(r"\s*(?:,|;|\bet\b|&)\s*", text) if p.strip())
    return list(dict.fromkeys(names))


def _show_from_url(url: str | None) -> str | None:
    """`https://soundcloud.com/techno-show/12-episode` -> `Techno show` (the publishing account)."""
    if not url:
        return None
    parsed = urlparse(url)
    host = (parsed.hostname or "").removeprefix("www.")
    parts = [p for p in parsed.path.split("/") if p]
    if host not in _ACCOUNT_HOSTS or len(parts) < 2:
        return None
    name = parts[0].replace("-", " ").replace("_", " ").strip()
    return name[:1].upper() + name[1:] if name else None


def read_front_matter(raw: str) -> FrontMatter:
    """The metadata of a front matter; unknown keys are ignored."""
    doc = _load(raw)
    front = FrontMatter(words=count_words(raw))
    if not isinstance(doc, dict):
        return front
    front.title = _text(_pick(doc, "title"))
    front.show = _text(_pick(doc, "show"))
    front.date = _text(_pick(doc, "date"))
    front.description = _text(_pick(doc, "description"))
    front.people = _people(_pick(doc, "people"))
    hosts = _people(_pick(doc, "host"))
    front.host = hosts[0] if hosts else None
    front.url = _text(_pick(doc, "url"))
    front.show = front.show or _show_from_url(front.url)
    return front
