"""TTML (Apple Podcasts, DFXP): `<p begin end ttm:agent>` paragraphs, word `<span>`s, agents named in the head."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from generator.errors import InputError
from generator.i18n import _
from generator.transcript.fragments import Fragment, Parsed, count_words
from generator.transcript.layouts import unrecognised
from generator.transcript.timestamps import parse_ts
from generator.transcript.xml_input import parse_xml

_TTM = "{http://www.w3.org/ns/ttml#metadata}"
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_OFFSET = re.compile(r"^(?P<value>\d+(?:\.\d+)?)(?P<unit>h|m|s|ms|f|t)$")


def looks_like_ttml(head: str) -> bool:
    """An XML document whose root is `<tt>` (any prefix)."""
    return bool(re.match(r"^(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:\w+:)?tt[\s>]", head, re.DOTALL))


def _seconds(value: str | None, tick_rate: float) -> float | None:
    """A TTML time expression: clock time (`00:01:02.5`) or offset (`62.5s`, `62500ms`, ticks)."""
    if not value:
        return None
    value = value.strip()
    m = _OFFSET.match(value)
    if m:
        n = float(m["value"])
        return {"h": 3600 * n, "m": 60 * n, "s": n, "ms": n / 1000, "f": n / 30, "t": n / tick_rate}[
            m["unit"]
        ]
    if ":" in value and value.count(":") == 3:  # hh:mm:ss:frames
        value = value.rsplit(":", 1)[0]
    return parse_ts(value)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text_of(el: ET.Element) -> str:
    """The words of a paragraph: each span is a unit (word spans often have no space between them)."""
    parts = [el.text or ""]
    for child in el:
        parts.append(" " if _local(child.tag) == "br" else f" {_text_of(child)} ")
        parts.append(child.tail or "")
    text = " ".join("".join(parts).split())
    # Punctuation in a span of its own belongs to the word before it ("Bonjour" "," -> "Bonjour,").
    return re.sub(r" ([,.…)])(?= |$)", r"\1", text) if len(el) else text


def _agents(root: ET.Element) -> dict[str, str]:
    """`<ttm:agent xml:id="spk1"><ttm:name>Nom</ttm:name>` -> {"spk1": "Nom"}."""
    names = {}
    for agent in root.iter(f"{_TTM}agent"):
        ident = agent.get(_XML_ID)
        name = next((n.text.strip() for n in agent.iter(f"{_TTM}name") if n.text and n.text.strip()), None)
        if ident:
            names[ident] = name or ident
    return names


def parse_ttml(text: str, path: str) -> Parsed:
    """Every `<p>` of the body is a fragment; its agent (or its parent's) is the speaker."""
    root = parse_xml(text, path, name="TTML", malformed=_("TTML/XML mal formé"))
    if _local(root.tag) != "tt":
        raise InputError(unrecognised(f"XML document <{_local(root.tag)}> is not TTML"), path=path)
    tick_rate = float(root.get("{http://www.w3.org/ns/ttml#parameter}tickRate") or 10_000_000)
    agents = _agents(root)
    parsed = Parsed(format="ttml")
    title = next((t.text for t in root.iter() if _local(t.tag) == "title" and t.text), None)
    if title:
        parsed.meta["title"] = title.strip()
    _walk(root, None, agents, tick_rate, parsed)
    if not any(f.start_s is not None for f in parsed.fragments):
        parsed.warnings.append(_("les paragraphes TTML n'ont pas d'heure `begin`"))
    return parsed


def _walk(
    el: ET.Element, agent: str | None, agents: dict[str, str], tick_rate: float, parsed: Parsed
) -> None:
    """Depth-first over body/div/p, the agent inherited from the enclosing element."""
    agent = el.get(f"{_TTM}agent") or agent
    for child in el:
        name = _local(child.tag)
        if name == "head":
            continue
        if name != "p":
            _walk(child, agent, agents, tick_rate, parsed)
            continue
        p_agent = child.get(f"{_TTM}agent") or agent
        body = _text_of(child)
        if not count_words(body):
            parsed.drop(body, "no words")
            continue
        speaker = agents.get(p_agent, p_agent) if p_agent else None
        start = _seconds(child.get("begin"), tick_rate)
        end = _seconds(child.get("end"), tick_rate)
        if end is None and child.get("dur") and start is not None:
            end = start + (_seconds(child.get("dur"), tick_rate) or 0.0)
        previous = parsed.fragments[-1] if parsed.fragments else None
        pause = bool(
            previous and previous.end_s is not None and start is not None and start - previous.end_s >= 1.0
        )
        new = previous is None or previous.speaker != speaker
        parsed.fragments.append(Fragment(body, start, 0, end, speaker, new and speaker is not None, pause))
