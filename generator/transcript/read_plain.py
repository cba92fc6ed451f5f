"""Plain text without timestamps: one fragment per line, page header and footer dropped."""

from __future__ import annotations

import re

from generator.transcript.fragments import Fragment, Parsed
from generator.transcript.metadata import looks_like_description
from generator.transcript.noise import has_words, is_chrome, is_footer
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
            parsed.noise += k + 1
            lines = lines[k + 1 :]
            break
    while lines and is_chrome(lines[0][1]):
        parsed.noise += 1
        lines = lines[1:]
    end = next((k for k, (_, line) in enumerate(lines) if is_footer(line)), len(lines))
    parsed.noise += len(lines) - end
    body = lines[:end]
    speakers = Speakers([line for _, line in body])
    for n, line in body:
        if speakers.alone(line):
            continue
        content, speaker, new = speakers.apply(line)
        if not has_words(content):
            parsed.noise += 1
            continue
        parsed.fragments.append(Fragment(content, None, n, None, speaker, new))
    return parsed
