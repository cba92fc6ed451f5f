"""SRT and WebVTT: cue blocks with a timing line, `<v Speaker>` voices, NOTE blocks, rolling captions."""

from __future__ import annotations

import html
import re

from generator.transcript.fragments import Fragment, Parsed
from generator.transcript.metadata import looks_like_description
from generator.transcript.noise import has_words
from generator.transcript.speakers import Speakers
from generator.transcript.timestamps import CUE_TIMING, parse_ts

_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>")


def _cue_text(line: str) -> tuple[str, str | None]:
    """Strip cue markup; returns (text, speaker from a `<v Speaker>` tag)."""
    voice = _VOICE.search(line)
    speaker = voice["name"].strip() if voice else None
    text = html.unescape(_TAG.sub("", line)).replace("\u200b", "")
    return " ".join(text.split()), speaker


def parse_cues(text: str, fmt: str) -> Parsed:
    """SRT and WebVTT: blocks of (id, timing line, payload lines); NOTE blocks may hold a description."""
    parsed = Parsed(format=fmt)
    lines = text.splitlines()
    blocks: list[list[tuple[int, str]]] = [[]]
    for n, line in enumerate(lines, 1):
        if line.strip():
            blocks[-1].append((n, line.rstrip()))
        elif blocks[-1]:
            blocks.append([])
    cue_lines: list[tuple[int, float, float, list[str]]] = []
    notes: list[str] = []
    for block in blocks:
        if not block:
            continue
        timing_at = next((k for k, (_, line) in enumerate(block) if CUE_TIMING.match(line)), None)
        first_line = block[0][1].strip()
        if timing_at is None:
            if first_line.startswith("NOTE"):
                notes.append(
                    " ".join([first_line[4:].strip()] + [line.strip() for _, line in block[1:]]).strip()
                )
            elif not first_line.startswith(("WEBVTT", "STYLE", "REGION")):
                # Text before the first cue: a description or page header some tools keep.
                if not cue_lines:
                    notes.extend(line.strip() for _, line in block)
                parsed.noise += len(block)
            continue
        m = CUE_TIMING.match(block[timing_at][1])
        assert m is not None
        payload = [line for _, line in block[timing_at + 1 :]]
        cue_lines.append((block[timing_at][0], parse_ts(m["start"]), parse_ts(m["end"]), payload))
    descriptions = [n for n in notes if looks_like_description(n)]
    if descriptions:
        parsed.description = max(descriptions, key=len)

    raw_texts = [_cue_text(p)[0] for _, _, _, payload in cue_lines for p in payload]
    speakers = Speakers(raw_texts)
    previous_last: str | None = None
    for line_no, start, end, payload in cue_lines:
        cleaned = [(_cue_text(p), p) for p in payload]
        texts = [c for c in cleaned if c[0][0]]
        # Rolling captions (YouTube) repeat the previous cue's last line first: keep each words once.
        if texts and previous_last is not None and texts[0][0][0] == previous_last and len(texts) > 1:
            texts = texts[1:]
        elif texts and previous_last is not None and len(texts) == 1 and texts[0][0][0] == previous_last:
            parsed.noise += 1
            continue
        if texts:
            previous_last = texts[-1][0][0]
        kept = 0
        for (content, voice), _raw in texts:
            if voice:
                speakers.pending = voice != speakers.current
                speakers.current = voice
            body_text, speaker, new = speakers.apply(content)
            if not has_words(body_text):
                continue
            parsed.fragments.append(Fragment(body_text, start, line_no, end, speaker, new))
            kept += 1
        if not kept:
            parsed.noise += 1
    return parsed
