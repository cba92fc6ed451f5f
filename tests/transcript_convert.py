"""Test helpers: rewrite a scraped-page transcript in the other formats users bring."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_LINE = re.compile(r"^(\d{1,2}):(\d{2})(.*)$")
_FOOTERS = ("Recommandations", "Commentaires", "Écris le tout premier commentaire")


@dataclass
class Scraped:
    """A scraped page split naively: description, (seconds, text) speech lines."""

    description: str
    speech: list[tuple[int, str]]


def split_scraped(text: str) -> Scraped:
    """An independent, simple reading of the corpus format (header, `MM:SS` lines, footer)."""
    description = ""
    speech: list[tuple[int, str]] = []
    for line in text.splitlines():
        if line.strip() in _FOOTERS:
            break
        m = _LINE.match(line)
        if m:
            words = m.group(3).strip()
            if any(c.isalpha() for c in words):
                speech.append((int(m.group(1)) * 60 + int(m.group(2)), words))
        elif not speech and ("reçoit" in line or "a reçu" in line):
            description = line.strip()
    return Scraped(description, speech)


def _ts(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _ends(speech: list[tuple[int, str]]) -> list[float]:
    starts = [s for s, _ in speech]
    return [
        max(starts[i + 1], starts[i]) if i + 1 < len(starts) else starts[i] + 3 for i in range(len(starts))
    ]


def to_srt(src: Path, dest: Path) -> Path:
    """SRT cues; the description goes to a yt-dlp style `<stem>.description` sidecar."""
    page = split_scraped(src.read_text(encoding="utf-8"))
    blocks = []
    for k, ((start, words), end) in enumerate(zip(page.speech, _ends(page.speech), strict=True), 1):
        blocks.append(f"{k}\n{_ts(start, ',')} --> {_ts(end, ',')}\n{words}\n")
    out = dest / (src.stem + ".fr.srt")
    out.write_text("\n".join(blocks), encoding="utf-8")
    (dest / (src.stem + ".description")).write_text(page.description + "\n", encoding="utf-8")
    return out


def to_webvtt(src: Path, dest: Path) -> Path:
    """WebVTT with a NOTE holding the description, cue ids and cue settings."""
    page = split_scraped(src.read_text(encoding="utf-8"))
    parts = ["WEBVTT\nKind: captions\nLanguage: fr\n", f"NOTE\n{page.description}\n"]
    for k, ((start, words), end) in enumerate(zip(page.speech, _ends(page.speech), strict=True), 1):
        parts.append(f"c{k}\n{_ts(start, '.')} --> {_ts(end, '.')} align:start position:0%\n{words}\n")
    out = dest / (src.stem + ".vtt")
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def to_whisper(src: Path, dest: Path) -> Path:
    """Whisper JSON (`segments` with `start`, `end`, `text`) plus a `description` key."""
    page = split_scraped(src.read_text(encoding="utf-8"))
    segments = [
        {"id": k, "start": float(start), "end": float(end), "text": " " + words}
        for k, ((start, words), end) in enumerate(zip(page.speech, _ends(page.speech), strict=True))
    ]
    doc = {"text": " ".join(w for _, w in page.speech), "language": "fr", "description": page.description}
    doc["segments"] = segments
    out = dest / (src.stem + ".json")
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def to_hms(src: Path, dest: Path) -> Path:
    """Every `MM:SS` at the start of a line written `H:MM:SS`."""
    text = src.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\d{2}):(\d{2})", lambda m: f"0:{m.group(1)}:{m.group(2)}", text)
    out = dest / (src.stem + ".hms.txt")
    out.write_text(text, encoding="utf-8")
    return out


def to_bytes(src: Path, dest: Path, kind: str) -> Path:
    """The same page with CRLF line ends, in Windows-1252, or in UTF-16 (with BOM)."""
    text = src.read_text(encoding="utf-8")
    if kind == "crlf":
        data = text.replace("\n", "\r\n").encode("utf-8")
    elif kind == "cp1252":
        data = text.encode("cp1252", errors="replace")  # the emoji line becomes "?"
    elif kind == "utf16":
        data = text.encode("utf-16")
    else:
        raise ValueError(kind)
    out = dest / f"{src.stem}.{kind}.txt"
    out.write_bytes(data)
    return out


CONVERSIONS = {
    "srt": to_srt,
    "webvtt": to_webvtt,
    "whisper_json": to_whisper,
    "hms": to_hms,
    "crlf": lambda s, d: to_bytes(s, d, "crlf"),
    "cp1252": lambda s, d: to_bytes(s, d, "cp1252"),
    "utf16": lambda s, d: to_bytes(s, d, "utf16"),
}
