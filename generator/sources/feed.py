"""RSS 2.0 and Atom feeds -> items with their transcripts, audio and chapters, parsed with defusedxml.

Every `<podcast:transcript>` of an item is kept, under both namespace URIs the Podcasting 2.0 spec
names (feedparser keeps only the last tag, podcastparser knows one URI). Entity declarations and
DTDs are refused (billion laughs, external entities).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from generator.errors import SourceError
from generator.i18n import _

# The spec's namespace, and the GitHub URI early adopters used (both are in the wild).
PODCAST_NS = (
    "https://podcastindex.org/namespace/1.0",
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
)
ATOM_NS = "http://www.w3.org/2005/Atom"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"

# Transcript MIME types (and file extensions) -> the format family; timed ones first in preference.
TRANSCRIPT_TYPES = {
    "text/vtt": "vtt",
    "text/webvtt": "vtt",
    "application/x-subrip": "srt",
    "application/srt": "srt",
    "text/srt": "srt",
    "application/x-srt": "srt",
    "text/x-srt": "srt",
    "application/json": "json",
    "text/json": "json",
    "text/html": "html",
    "text/plain": "txt",
}
EXTENSIONS = {"vtt": "vtt", "srt": "srt", "json": "json", "html": "html", "htm": "html", "txt": "txt"}
FORMAT_RANK = {"vtt": 0, "srt": 0, "json": 1, "html": 2, "txt": 3}  # timed formats first


@dataclass(frozen=True)
class TranscriptLink:
    """One `<podcast:transcript>`: where, which format family, which language, whether captions."""

    url: str
    type: str
    format: str  # vtt | srt | json | html | txt | "" (unknown)
    language: str | None
    captions: bool


@dataclass(frozen=True)
class Enclosure:
    url: str
    type: str
    length: int | None


@dataclass(frozen=True)
class FeedItem:
    """One episode of a feed."""

    guid: str | None
    title: str
    published: dt.datetime | None
    description: str
    link: str | None
    enclosure: Enclosure | None
    transcripts: tuple[TranscriptLink, ...]
    chapters_url: str | None
    duration_s: float | None

    @property
    def key(self) -> str:
        """How the item is known: its GUID, else its enclosure URL, else its link or title."""
        if self.guid:
            return self.guid
        if self.enclosure is not None:
            return self.enclosure.url
        return self.link or self.title


@dataclass(frozen=True)
class Feed:
    kind: str  # rss | atom
    title: str
    language: str | None
    link: str | None
    items: tuple[FeedItem, ...]  # newest first


def _local(tag: str) -> tuple[str, str]:
    """`{ns}name` -> (ns, name)."""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _is_podcast_ns(ns: str) -> bool:
    return ns.rstrip("/").lower() in {u.lower() for u in PODCAST_NS}


def _text(el: Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _child(parent: Element, name: str, ns: str = "") -> Element | None:
    return parent.find(f"{{{ns}}}{name}" if ns else name)


def parse_date(text: str) -> dt.datetime | None:
    """RFC 822 (RSS) or ISO 8601 (Atom) dates; None when unreadable."""
    text = text.strip()
    if not text:
        return None
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def parse_duration(text: str) -> float | None:
    """itunes:duration: seconds, MM:SS or HH:MM:SS."""
    parts = text.strip().split(":")
    try:
        numbers = [float(p) for p in parts if p != ""]
    except ValueError:
        return None
    if not numbers or len(numbers) > 3:
        return None
    total = 0.0
    for n in numbers:
        total = total * 60 + n
    return total


def transcript_format(mime: str, url: str) -> str:
    """The format family of a transcript from its type, else its URL's extension; "" when unknown."""
    family = TRANSCRIPT_TYPES.get(mime.split(";")[0].strip().lower())
    if family:
        return family
    ext = re.search(r"\.([A-Za-z0-9]+)(?:[?#]|$)", url)
    return EXTENSIONS.get(ext.group(1).lower(), "") if ext else ""


def _transcripts(item: Element) -> tuple[TranscriptLink, ...]:
    found = []
    for el in item.iter():
        ns, name = _local(el.tag)
        if name == "transcript" and _is_podcast_ns(ns):
            url = (el.get("url") or "").strip()
            if not url:
                continue
            mime = (el.get("type") or "").strip()
            lang = (el.get("language") or "").strip() or None
            rel = (el.get("rel") or "").strip().lower()
            found.append(TranscriptLink(url, mime, transcript_format(mime, url), lang, rel == "captions"))
    return tuple(found)


def _chapters_url(item: Element) -> str | None:
    for el in item.iter():
        ns, name = _local(el.tag)
        if name == "chapters" and _is_podcast_ns(ns) and el.get("url"):
            return el.get("url", "").strip() or None
    return None


def is_french(language: str | None) -> bool:
    return bool(language) and re.split(r"[-_]", language.strip().lower())[0] in ("fr", "fra", "fre")


def choose_transcript(
    links: tuple[TranscriptLink, ...], feed_language: str | None = None
) -> TranscriptLink | None:
    """French before other languages (a link without language takes the feed's), timed before HTML/text."""

    def rank(link: TranscriptLink) -> tuple[int, int, int]:
        lang = link.language or feed_language
        lang_rank = 0 if is_french(lang) else (1 if not lang else 2)
        return (lang_rank, FORMAT_RANK.get(link.format, 9), 0 if link.captions else 1)

    usable = [link for link in links if link.format]
    return min(usable, key=rank) if usable else None


def _rss_item(item: Element) -> FeedItem:
    guid = _text(_child(item, "guid")) or None
    enclosure = None
    enc = _child(item, "enclosure")
    if enc is not None and enc.get("url"):
        length = enc.get("length") or ""
        enclosure = Enclosure(
            enc.get("url", "").strip(), enc.get("type") or "", int(length) if length.isdigit() else None
        )
    description = _text(_child(item, "description")) or _text(_child(item, "encoded", CONTENT_NS))
    description = description or _text(_child(item, "summary", ITUNES_NS))
    return FeedItem(
        guid=guid,
        title=_text(_child(item, "title")),
        published=parse_date(_text(_child(item, "pubDate"))),
        description=description,
        link=_text(_child(item, "link")) or None,
        enclosure=enclosure,
        transcripts=_transcripts(item),
        chapters_url=_chapters_url(item),
        duration_s=parse_duration(_text(_child(item, "duration", ITUNES_NS))),
    )


def _atom_entry(entry: Element) -> FeedItem:
    a = ATOM_NS
    link, enclosure = None, None
    for el in entry.findall(f"{{{a}}}link"):
        rel = el.get("rel", "alternate")
        if rel == "enclosure" and el.get("href") and enclosure is None:
            length = el.get("length") or ""
            enclosure = Enclosure(
                el.get("href", ""), el.get("type") or "", int(length) if length.isdigit() else None
            )
        elif rel == "alternate" and el.get("href") and link is None:
            link = el.get("href")
    published = _text(_child(entry, "published", a)) or _text(_child(entry, "updated", a))
    return FeedItem(
        guid=_text(_child(entry, "id", a)) or None,
        title=_text(_child(entry, "title", a)),
        published=parse_date(published),
        description=_text(_child(entry, "summary", a)) or _text(_child(entry, "content", a)),
        link=link,
        enclosure=enclosure,
        transcripts=_transcripts(entry),
        chapters_url=_chapters_url(entry),
        duration_s=parse_duration(_text(_child(entry, "duration", ITUNES_NS))),
    )


def _newest_first(items: list[FeedItem]) -> tuple[FeedItem, ...]:
    """Newest first by date; undated items keep their feed order after the dated ones."""
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    order = sorted(enumerate(items), key=lambda p: (p[1].published or epoch, -p[0]), reverse=True)
    return tuple(item for _, item in order)


def _xml_position(exc: Exception) -> str:
    """Where the XML stops being readable, in the message's language (never the parser's English text).

    ElementTree's ParseError has `.position` (line, column); expat's ExpatError `.lineno`/`.offset`.
    """
    line, column = getattr(exc, "position", None) or (
        getattr(exc, "lineno", None),
        getattr(exc, "offset", None),
    )
    if line is None:
        return _("XML illisible")
    if column is None:
        return _("XML illisible ligne {line}", line=line)
    return _("XML illisible ligne {line}, colonne {column}", line=line, column=column)


def parse_feed(data: bytes, url: str = "") -> Feed:
    """A feed document -> Feed; SourceError (in the process's language) when not well-formed RSS or Atom."""
    try:
        root = fromstring(data)  # entity declarations and external references refused
    except DefusedXmlException as exc:
        raise SourceError(
            _("flux refusé : entités XML interdites ({error})", error=type(exc).__name__), path=url
        ) from None
    except ParseError as exc:
        raise SourceError(_("flux mal formé ({where})", where=_xml_position(exc)), path=url) from None
    ns, name = _local(root.tag)
    if name == "rss" and not ns:
        channel = _child(root, "channel")
        if channel is None:
            raise SourceError(_("flux RSS sans <channel>"), path=url)
        items = [_rss_item(el) for el in channel.findall("item")]
        return Feed(
            "rss",
            _text(_child(channel, "title")),
            _text(_child(channel, "language")) or None,
            _text(_child(channel, "link")) or None,
            _newest_first(items),
        )
    if name == "feed" and ns == ATOM_NS:
        items = [_atom_entry(el) for el in root.findall(f"{{{ATOM_NS}}}entry")]
        lang = root.get("{http://www.w3.org/XML/1998/namespace}lang")
        link = next(
            (
                el.get("href")
                for el in root.findall(f"{{{ATOM_NS}}}link")
                if el.get("rel", "alternate") == "alternate"
            ),
            None,
        )
        return Feed("atom", _text(_child(root, "title", ATOM_NS)), lang, link, _newest_first(items))
    raise SourceError(_("ce n'est pas un flux RSS ou Atom (élément racine <{name}>)", name=name), path=url)
