"""YouTube timed text XML: `<transcript><text start dur>` (srv1) and `<timedtext><body><p t d>` (srv3)."""

from __future__ import annotations

import html
import re

from generator.i18n import _
from generator.transcript.fragments import Fragment, Parsed, count_words
from generator.transcript.xml_input import parse_xml

_ROOT = re.compile(r"^(?:<\?xml[^>]*\?>\s*)?<(?P<root>transcript|timedtext)[\s>]")


def looks_like_timedtext(head: str) -> bool:
    """A `<transcript>` or `<timedtext>` XML document."""
    return bool(_ROOT.match(head))


def _float(value: str | None, scale: float = 1.0) -> float | None:
    try:
        return float(value) / scale if value is not None else None
    except ValueError:
        return None


def parse_timedtext(text: str, path: str) -> Parsed:
    """One fragment per `<text>` / `<p>`; srv3 times are milliseconds, srv1 times seconds."""
    root = parse_xml(
        text, path, name="timed text XML", malformed=_("XML de sous-titres (timed text) mal formé")
    )
    parsed = Parsed(format="timedtext")
    srv3 = root.tag == "timedtext"
    items = root.iter("p") if srv3 else root.iter("text")
    for k, item in enumerate(items):
        body = " ".join(html.unescape(" ".join(item.itertext())).split())
        if srv3:
            start, dur = _float(item.get("t"), 1000), _float(item.get("d"), 1000)
        else:
            start, dur = _float(item.get("start")), _float(item.get("dur"))
        if not count_words(body):
            parsed.drop(body, "no words")
            continue
        end = start + dur if start is not None and dur is not None else None
        parsed.fragments.append(Fragment(body, start, k + 1, end))
    return parsed
