"""Plain text without timestamps: one fragment per line, page header and footer dropped."""

from __future__ import annotations

import re

from generator.transcript.fragments import Fragment, Parsed
from generator.transcript.metadata import looks_like_description
from generator.transcript.noise import has_speech, is_chrome, is_footer
from generator.transcript.speakers import Speakers


def parse_plain(text: str) -> Parsed:
    """Text without timestamps: one fragment per line; a leading description line is metadata."""
    parsed = Parsed(format="plain")
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    # Page header lines before a description, and the description itself, are metadata.
    for k, (_, line) in enumerate(lines[:6]):
        if re.search(r"\s(?:reçoit|a reçu|accueille)\s", line) and looks_like_description(line):
            parsed.description = line
            for _, dropped in lines[: k + 1]:
                parsed.drop(dropped, "header")
            lines = lines[k + 1 :]
            break
    while lines and is_chrome(lines[0][1]):
        parsed.drop(lines[0][1], "header")
        lines = lines[1:]
    end = next((k for k, (_, line) in enumerate(lines) if is_footer(line)), len(lines))
    for _, dropped in lines[end:]:
        parsed.drop(dropped, "footer")
    body = lines[:end]
    speakers = Speakers([line for _, line in body])
    for n, line in body:
        if speakers.alone(line):
            continue
        content, speaker, new = speakers.apply(line)
        if not has_speech(content):
            parsed.drop(content, "no words")
            continue
        parsed.fragments.append(Fragment(content, None, n, None, speaker, new))
    parsed.noise_words["speaker label"] += speakers.label_words
    return parsed
