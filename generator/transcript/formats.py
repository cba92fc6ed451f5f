"""Transcript formats: detection by content, then the reader of that format family, text -> raw fragments."""

from __future__ import annotations

import re

from generator.errors import InputError
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

FORMATS = (
    "scraped",
    "srt",
    "sbv",
    "webvtt",
    "webvtt_auto",
    "ttml",
    "timedtext",
    "turns",
    "table",
    "whisper_json",
    "podcast_json",
    "youtube_json",
    "service_json",
    "markdown_page",
    "html_page",
    "plain",
)

# "[Musique]" or "[0:06]" open text files too: JSON arrays hold objects, strings, numbers or arrays.
_JSON_START = re.compile(r"^\s*(?:\{|\[\s*(?:[{\[\]\"\d-]|true|false|null))")
_MARKUP = re.compile(r"^<(?:\?xml|!DOCTYPE|!--|[A-Za-z][\w:-]*[\s>/])", re.IGNORECASE)


def detect(text: str) -> str:
    """The format of a decoded transcript, by content."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("---") and has_front_matter(text.lstrip("\ufeff")):
        return "page"
    if head.startswith("WEBVTT"):
        return "webvtt"
    if looks_like_ttml(head[:5000]):
        return "ttml"
    if looks_like_timedtext(head[:500]):
        return "timedtext"
    if _MARKUP.match(head):
        return "page" if looks_like_page(head) else "markup"
    lines = text.splitlines()
    if looks_like_table(head):
        return "table"
    if _JSON_START.match(head) and not BRACKET.match(head.splitlines()[0].strip()):
        return "json"
    styles = line_styles(lines)
    if styles["cue"] >= 1 and styles["cue"] >= styles["glued"] / 4:
        return "srt"
    if looks_like_page(head) and styles["glued"] + styles["bracket"] + styles["range"] < 2:
        return "page"
    headers = count_turn_headers(lines)
    if headers >= 2 and 2 * headers >= styles["glued"] + styles["range"]:
        return "turns"
    stamped = styles["glued"] + styles["bracket"] + styles["range"]
    if stamped >= 2:
        return "scraped"
    return "plain"


def parse(text: str, path: str) -> Parsed:
    """Detect the format and parse."""
    fmt = detect(text)
    if fmt == "markup":
        raise InputError(unrecognised("an XML/HTML document that is not a TTML transcript"), path=path)
    if fmt == "page":
        return parse_page(text.lstrip("\ufeff"), path)
    if fmt == "json":
        return parse_json(text, path)
    if fmt == "ttml":
        return parse_ttml(text, path)
    if fmt == "timedtext":
        return parse_timedtext(text, path)
    if fmt in ("srt", "webvtt"):
        return parse_cues(text, fmt)
    if fmt == "turns":
        return parse_turns(text)
    if fmt == "table":
        return parse_table(text)
    if fmt == "scraped":
        return parse_scraped(text)
    return parse_plain(text)
