"""XML transcripts (TTML, timed text) parsed safely: no DOCTYPE or entities, one clear error."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from generator.errors import InputError
from generator.i18n import _


def parse_xml(text: str, path: str, *, name: str, malformed: str) -> ET.Element:
    """The document's root; a DOCTYPE or entity (billion laughs, external entities) is refused."""
    if "<!DOCTYPE" in text[:2000] or "<!ENTITY" in text:
        raise InputError(_("{name} avec DOCTYPE ou entités refusé (XML dangereux)", name=name), path=path)
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(f"{malformed}: {exc}", path=path) from None
