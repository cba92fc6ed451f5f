"""The transcript layouts this project reads, named in the error for a file it cannot read."""

from __future__ import annotations

from generator.i18n import _

KNOWN_LAYOUTS = (
    "SRT",
    "SBV",
    "WebVTT (including automatic captions)",
    "Apple/TTML",
    "Podcasting 2.0 JSON",
    "Whisper JSON",
    "YouTube JSON or timed text XML",
    "transcription service JSON (Gladia, AssemblyAI, Deepgram, Rev, Speechmatics, OpenAI)",
    "Markdown or HTML page",
    "speaker-turn text",
    "CSV/TSV with start and text columns",
    "timestamped page",
    "plain text",
)


def unrecognised(what: str) -> str:
    """One line: what the file looks like, and the layouts this project knows."""
    return _("{what} ; formats connus : {known}", what=what, known=", ".join(KNOWN_LAYOUTS))
