"""Transcript formats: detection by content, then the reader of that format family, text -> raw fragments.

`FORMATS` is the registry of the families `detect()` can name, tried in the order they were added: a new
family is one reader module `read_<family>.py` plus one `FORMATS.add` line below.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from generator.errors import InputError
from generator.i18n import N_, _
from generator.registry import Registry
from generator.transcript.fragments import Parsed
from generator.transcript.frontmatter import has_front_matter
from generator.transcript.layouts import unrecognised
from generator.transcript.read_cues import parse_cues
from generator.transcript.read_json import parse_json
from generator.transcript.read_page import looks_like_page, parse_page
from generator.transcript.read_plain import parse_plain
from generator.transcript.read_scraped import parse_scraped
from generator.transcript.read_table import looks_like_table, parse_table
from generator.transcript.read_timedtext import looks_like_timedtext, parse_timedtext
from generator.transcript.read_ttml import looks_like_ttml, parse_ttml
from generator.transcript.read_turns import count_turn_headers, parse_turns
from generator.transcript.timestamps import BRACKET, line_styles

# "[Musique]" or "[0:06]" open text files too: JSON arrays hold objects, strings, numbers or arrays.
_JSON_START = re.compile(r"^\s*(?:\{|\[\s*(?:[{\[\]\"\d-]|true|false|null))")
_MARKUP = re.compile(r"^<(?:\?xml|!DOCTYPE|!--|[A-Za-z][\w:-]*[\s>/])", re.IGNORECASE)


@dataclass(frozen=True)
class Sample:
    """A decoded transcript as the detectors look at it; the line counts are computed once, when asked."""

    text: str

    @cached_property
    def head(self) -> str:
        return self.text.lstrip("\ufeff \t\r\n")

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def styles(self) -> Counter[str]:
        """Lines per timestamp style (`cue`, `bracket`, `range`, `glued`)."""
        return line_styles(self.lines)


@dataclass(frozen=True)
class Format:
    """A format family: how to recognise it by content, and its reader (text, path, name) -> Parsed."""

    looks_like: Callable[[Sample], bool]
    read: Callable[[str, str, str], Parsed]


def _markup(s: Sample) -> bool:
    return bool(_MARKUP.match(s.head))


def _reject_markup(_text: str, path: str, _name: str) -> Parsed:
    raise InputError(unrecognised(_("un document XML/HTML qui n'est pas une transcription TTML")), path=path)


def _json(s: Sample) -> bool:
    return bool(_JSON_START.match(s.head)) and not BRACKET.match(s.head.splitlines()[0].strip())


def _cues(s: Sample) -> bool:
    return s.styles["cue"] >= 1 and s.styles["cue"] >= s.styles["glued"] / 4


def _turns(s: Sample) -> bool:
    headers = count_turn_headers(s.lines)
    return headers >= 2 and 2 * headers >= s.styles["glued"] + s.styles["range"]


def _scraped(s: Sample) -> bool:
    return s.styles["glued"] + s.styles["bracket"] + s.styles["range"] >= 2


def _page(s: Sample) -> bool:
    """A Markdown page (front matter, headings, links) or an HTML page of paragraphs."""
    if s.head.startswith(("---", "+++")) and has_front_matter(s.text.lstrip("\ufeff")):
        return True
    if _markup(s):
        return looks_like_page(s.head)
    if _json(s) or _cues(s) or looks_like_table(s.head) or _scraped(s):
        return False
    return looks_like_page(s.head)


# Order matters: the first family whose test passes wins; `plain` takes whatever is left.
FORMATS: Registry[Format] = Registry(N_("format"))
FORMATS.add("webvtt", Format(lambda s: s.head.startswith("WEBVTT"), lambda t, _p, n: parse_cues(t, n)))
FORMATS.add("ttml", Format(lambda s: looks_like_ttml(s.head[:5000]), lambda t, p, _n: parse_ttml(t, p)))
FORMATS.add(
    "timedtext",
    Format(lambda s: looks_like_timedtext(s.head[:500]), lambda t, p, _n: parse_timedtext(t, p)),
)
FORMATS.add("page", Format(_page, lambda t, p, _n: parse_page(t.lstrip("\ufeff"), p)))
FORMATS.add("markup", Format(_markup, _reject_markup))
FORMATS.add("table", Format(lambda s: looks_like_table(s.head), lambda t, _p, _n: parse_table(t)))
FORMATS.add("json", Format(_json, lambda t, p, _n: parse_json(t, p)))
FORMATS.add("srt", Format(_cues, lambda t, _p, n: parse_cues(t, n)))
FORMATS.add("turns", Format(_turns, lambda t, _p, _n: parse_turns(t)))
FORMATS.add("scraped", Format(_scraped, lambda t, _p, _n: parse_scraped(t)))
FORMATS.add("plain", Format(lambda _s: True, lambda t, _p, _n: parse_plain(t)))


def detect(text: str) -> str:
    """The format family of a decoded transcript, by content: one of `FORMATS.names()`."""
    sample = Sample(text)
    return next(name for name in FORMATS if FORMATS.get(name).looks_like(sample))


def parse(text: str, path: str) -> Parsed:
    """Detect the format and parse."""
    name = detect(text)
    return FORMATS.get(name).read(text, path, name)
