"""Our own labelled French shows (tests/fixtures/unseen/*.show), rendered in three input shapes.

A `.show` file is a script: `key: value` header lines, then parts opened by `== kind | title`, each
holding `Speaker: text` turns. Times come from a speech rate, so every shape shares one timeline:

- `scraped`: the video-page shape (header, `MM:SS` caption lines of about ten words, footer);
- `autocaption`: the same captions in lower case without punctuation (automatic captions);
- `speakers`: `[M:SS] Name : text` paragraphs of at most four sentences (speaker blocks).

Reference segments: every part except ads and transitions, which stay inside the part before them
(the labels' convention: a segment starts at the first words of a new subject).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "unseen"
WORDS_PER_SECOND = 2.5  # ordinary French speech rate (150 words a minute)
SENTENCE_PAUSE_S = 0.4
TURN_PAUSE_S = 0.8
CAPTION_WORDS = 10
ASIDES = ("ad", "transition")
SHAPES = ("scraped", "autocaption", "speakers")

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Þ«])")


@dataclass
class Part:
    """One part of a show: its kind, title and (speaker, sentence, start, end) lines."""

    kind: str
    title: str
    lines: list[tuple[str, str, float, float]] = field(default_factory=list)

    @property
    def start(self) -> float:
        return self.lines[0][2]


@dataclass
class Show:
    """A parsed script with its timeline."""

    name: str
    header: dict[str, str]
    parts: list[Part]

    @property
    def end(self) -> float:
        return self.parts[-1].lines[-1][3]


def load(path: Path) -> Show:
    """Parse a `.show` script and time every sentence."""
    header: dict[str, str] = {}
    parts: list[Part] = []
    t = 0.0
    last_speaker = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("=="):
            kind, title = (x.strip() for x in line[2:].split("|", 1))
            parts.append(Part(kind, title))
            continue
        key, value = (x.strip() for x in line.split(":", 1))
        if not parts:
            header[key] = value
            continue
        if last_speaker is not None and key != last_speaker:
            t += TURN_PAUSE_S
        last_speaker = key
        for sentence in _SENTENCE.split(value):
            dur = len(sentence.split()) / WORDS_PER_SECOND
            parts[-1].lines.append((key, sentence, t, t + dur))
            t += dur + SENTENCE_PAUSE_S
    return Show(path.stem, header, parts)


def shows() -> list[Show]:
    """Every show under tests/fixtures/unseen, by name."""
    return [load(p) for p in sorted(FIXTURES.glob("*.show"))]


def _mmss(t: float) -> str:
    s = int(t)
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


def _captions(show: Show) -> list[tuple[float, str]]:
    """Caption lines of about ten words across sentence ends, each timed at its first word."""
    words: list[tuple[float, str]] = []
    for part in show.parts:
        for _, sentence, start, end in part.lines:
            tokens = sentence.split()
            step = (end - start) / max(1, len(tokens))
            words += [(start + i * step, w) for i, w in enumerate(tokens)]
    return [
        (words[i][0], " ".join(w for _, w in words[i : i + CAPTION_WORDS]))
        for i in range(0, len(words), CAPTION_WORDS)
    ]


def _page(show: Show, lines: list[str]) -> str:
    head = ["- il y a 3 semaines", show.header.get("description", show.header["show"]), "Catégorie", "News"]
    return "\n".join([*head, "Transcription", *lines, "Commentaires", ""])


def _plain(text: str) -> str:
    """Automatic-caption text: lower case, no punctuation but apostrophes and hyphens."""
    return " ".join(re.sub(r"[^\w'’\- ]+", " ", text.lower()).split())


def render(show: Show, shape: str) -> str:
    """The show as an input file of the given shape."""
    if shape == "scraped":
        return _page(show, [f"{_mmss(t)}{text}" for t, text in _captions(show)])
    if shape == "autocaption":
        return _page(show, [f"{_mmss(t)}{_plain(text)}" for t, text in _captions(show)])
    if shape != "speakers":
        raise ValueError(shape)
    lines: list[str] = []
    block: list[tuple[str, str, float, float]] = []

    def flush() -> None:
        if block:
            t = int(block[0][2])
            stamp = (
                f"{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}" if t >= 3600 else f"{t // 60}:{t % 60:02d}"
            )
            lines.append(f"[{stamp}] {block[0][0]} : " + " ".join(b[1] for b in block))
            block.clear()

    for part in show.parts:
        for line in part.lines:
            if block and (line[0] != block[0][0] or len(block) >= 4):
                flush()
            block.append(line)
    flush()
    return _page(show, lines)


def reference(show: Show) -> tuple[float, float, list[float]]:
    """Span of the speech and the reference boundaries (ads and transitions stay inside a segment)."""
    bounds = [p.start for p in show.parts[1:] if p.kind not in ASIDES]
    return show.parts[0].start, show.end, bounds


def labelled_parts(show: Show) -> list[tuple[float, float, str, str]]:
    """(start, end, kind, title) of every reference segment."""
    start, end, bounds = reference(show)
    kept = [p for p in show.parts if p.kind not in ASIDES]
    edges = [start, *bounds, end]
    return [(edges[i], edges[i + 1], p.kind, p.title) for i, p in enumerate(kept)]


def write(show: Show, shape: str, dest: Path) -> Path:
    """Write the rendered file (named `<show>.<shape>.txt`) and return its path."""
    path = dest / f"{show.name}.{shape}.txt"
    path.write_text(render(show, shape), encoding="utf-8")
    return path
