"""Metadata beside a caption file, as downloaders write it: `<name>.description`, `<name>.info.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.model import Chapter
from generator.transcript.decode import decode_bytes


@dataclass
class Sidecar:
    """What the files beside a transcript say: description text, show/date/url keys, chapters."""

    description: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    chapters: list[Chapter] = field(default_factory=list)


def _stems(path: Path) -> list[str]:
    """`ep.fr.vtt` -> [`ep.fr`, `ep`]: the names a downloader gives the files of the same video."""
    stems = []
    name = path.name
    while "." in name:
        name = name.rsplit(".", 1)[0]
        stems.append(name)
    return stems


def _chapters(doc: dict[str, Any]) -> list[Chapter]:
    """yt-dlp `chapters`: [{start_time, end_time, title}], kept in time order."""
    out = []
    for item in doc.get("chapters") or []:
        if isinstance(item, dict) and isinstance(item.get("title"), str):
            start = item.get("start_time")
            if isinstance(start, (int, float)) and not isinstance(start, bool) and start >= 0:
                out.append(Chapter(title=item["title"].strip(), start_s=float(start)))
    return sorted(out, key=lambda c: c.start_s)


def _info(doc: dict[str, Any], found: Sidecar) -> None:
    """Title, channel or series, upload date, page URL, description and chapters of an info.json."""
    meta = found.meta
    if isinstance(doc.get("upload_date"), str) and len(doc["upload_date"]) == 8:
        d = doc["upload_date"]
        meta.setdefault("date", f"{d[:4]}-{d[4:6]}-{d[6:]}")
    for key in ("series", "channel", "uploader"):
        if isinstance(doc.get(key), str) and doc[key].strip():
            meta.setdefault("show", doc[key].strip())
    if isinstance(doc.get("title"), str):
        meta.setdefault("title", doc["title"].strip())
    url = doc.get("webpage_url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        meta.setdefault("source_url", url)
    if found.description is None and isinstance(doc.get("description"), str) and doc["description"].strip():
        found.description = doc["description"].strip()
    found.chapters = found.chapters or _chapters(doc)


def read_sidecars(path: Path) -> Sidecar:
    """The description and info.json beside `path` (either, both or none); unreadable ones are skipped."""
    found = Sidecar()
    for stem in _stems(path):
        desc = path.with_name(f"{stem}.description")
        if found.description is None and desc.is_file():
            try:
                text, _ = decode_bytes(desc.read_bytes()[:100_000], str(desc))
                found.description = text.strip() or None
            except (OSError, InputError):
                pass
        doc = _info_doc(path, stem)
        if doc is not None:
            _info(doc, found)
    return found


ORIGIN_KEYS = ("feed_url", "guid", "transcript_url", "audio_url", "transcription")


def origin_of(path: Path) -> dict[str, Any]:
    """Where a transcript came from when a source delivered it: feed, item GUID, transcript or audio URL
    (keys of its info.json); {} for a file someone dropped in by hand."""
    for stem in _stems(path):
        doc = _info_doc(path, stem)
        if doc is not None:
            return {k: doc[k] for k in ORIGIN_KEYS if k in doc}
    return {}


def _info_doc(path: Path, stem: str) -> dict[str, Any] | None:
    """The `<stem>.info.json` beside `path` (written by a source), or None when absent or unreadable."""
    info = path.with_name(f"{stem}.info.json")
    if not info.is_file():
        return None
    try:
        doc = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
