"""Plain frozen dataclasses passed between stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

SEGMENT_KINDS = ("intro", "topic", "interview", "outro", "transition", "ad")


def format_ts(seconds: float | None) -> str | None:
    """Seconds -> "MM:SS" (or "H:MM:SS" from one hour on); None stays None."""
    if seconds is None:
        return None
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@dataclass(frozen=True)
class Guest:
    """A person named in the episode description."""

    name: str
    role: str | None = None


@dataclass(frozen=True)
class Utterance:
    """One unit of speech: a caption fragment after ingest, a sentence after clean."""

    text: str
    start_s: float | None = None
    end_s: float | None = None
    speaker: str | None = None
    new_speaker: bool = False  # a speaker change starts here (leading dash, label, `>>`)
    # Structure of a written page, for topic segmentation (never speech): the heading that stands just
    # before this utterance, and whether the page sets it apart (a bold question in its own paragraph).
    heading: str | None = None
    set_apart: bool = False

    @property
    def start(self) -> str | None:
        return format_ts(self.start_s)


@dataclass(frozen=True)
class NameFix:
    """A speech-recognition variant replaced by the description's spelling."""

    wrong: str
    right: str
    count: int


@dataclass(frozen=True)
class Chapter:
    """A chapter mark given by the publisher (a sidecar's `chapters`, timestamps listed in the description)."""

    title: str
    start_s: float


@dataclass(frozen=True)
class Episode:
    """A transcript: metadata plus speech. `utterances` are sentences once cleaned."""

    path: str
    sha256: str
    format: str  # the reader's name for what it read: srt, webvtt_auto, whisper_json, turns, plain, ...
    encoding: str
    utterances: tuple[Utterance, ...]
    show: str | None = None
    date: dt.date | None = None
    host: str | None = None
    guests: tuple[Guest, ...] = ()
    description: str | None = None
    source_url: str | None = None
    noise_removed: int = 0
    name_fixes: tuple[NameFix, ...] = ()
    warnings: tuple[str, ...] = ()
    cleaned: bool = False
    chapters: tuple[Chapter, ...] = ()  # the publisher's chapter marks, in time order (hints for topics)
    noise_words: tuple[tuple[str, int], ...] = ()  # input words not kept as speech, per reason
    title: str | None = None  # the episode's title, when a written source gives one
    # Where each metadata field was found: ("show", "speech"), ("guests", "front matter"), ...
    origins: tuple[tuple[str, str], ...] = ()

    @property
    def duration_s(self) -> float | None:
        ends = [u.end_s if u.end_s is not None else u.start_s for u in self.utterances]
        ends = [e for e in ends if e is not None]
        return max(ends) if ends else None

    @property
    def known_names(self) -> tuple[str, ...]:
        names = [g.name for g in self.guests]
        if self.host:
            names.insert(0, self.host)
        return tuple(names)


@dataclass(frozen=True)
class Aside:
    """A short part inside a segment that is not its subject: an ad break, a jingle (utterances[first:last])."""

    kind: str  # "ad" or "transition"
    first: int
    last: int
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class Segment:
    """A topic span of an episode: utterances[first:last]."""

    index: int
    first: int
    last: int
    start_s: float | None
    end_s: float | None
    title: str
    kind: str = "topic"
    asides: tuple[Aside, ...] = ()  # ad breaks and jingles inside the span (never topics of their own)
    start_text: str = ""  # the segment's first words as they stand in the transcript (its position, untimed)
    approx_start_s: float | None = None  # untimed transcripts: the start estimated from the words before it

    @property
    def start(self) -> str | None:
        return format_ts(self.start_s)

    @property
    def end(self) -> str | None:
        return format_ts(self.end_s)

    @property
    def approx_start(self) -> str | None:
        """The estimated start shown with "≈" ("≈12:40"), for untimed transcripts."""
        stamp = format_ts(self.approx_start_s)
        return f"≈{stamp}" if stamp else None


@dataclass(frozen=True)
class Quote:
    """A quote published in a draft: always the exact span of the cleaned transcript."""

    text: str
    start_s: float | None
    speaker: str | None
    verified: bool
    utterance: int  # index of the utterance holding the first word
    match: str = "exact"  # exact | fuzzy
    score: float = 1.0

    @property
    def start(self) -> str | None:
        return format_ts(self.start_s)


@dataclass(frozen=True)
class RejectedQuote:
    """A quote proposed by a backend and refused, with the reason."""

    text: str
    reason: str
    segment: int
    episode: str = ""


@dataclass(frozen=True)
class Removed:
    """A generated sentence kept out of the published text because the transcript does not support it."""

    sentence: str
    reason: str  # French, for the reviewer
    field: str  # summary | key_point | title | intro | closing
    segment: int | None = None  # the segment index (None for the edition's intro and closing)
    episode: str = ""  # the episode's sha256


@dataclass(frozen=True)
class SegmentSummary:
    """What a backend said about one segment, after verification and grounding checks."""

    episode_sha256: str
    segment: Segment
    title: str
    summary: str
    key_points: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    rejected_quotes: tuple[RejectedQuote, ...] = ()
    entities: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # grounding failures, shown to the reviewer
    importance: float = 0.0
    failed: str | None = None  # set when the backend could not summarise this segment
    removed: tuple[Removed, ...] = ()  # generated sentences the transcript does not support
    synthesis: bool = False  # the key points are the parallel points of a list (numbered synthesis)


@dataclass(frozen=True)
class Source:
    """Where an edition's material came from."""

    path: str
    sha256: str
    show: str | None
    date: dt.date | None
    host: str | None = None
    guests: tuple[Guest, ...] = ()
    source_url: str | None = None


@dataclass(frozen=True)
class Citation:
    """Another show that told a section's story (weekly editions): where, and its best verified quotes."""

    source: Source
    start_s: float | None
    end_s: float | None
    quotes: tuple[Quote, ...] = ()

    @property
    def start(self) -> str | None:
        return format_ts(self.start_s)


@dataclass(frozen=True)
class Section:
    """One newsletter section: one topic of one episode (a weekly idea also cites its other sources)."""

    title: str
    summary: str
    source: Source
    start_s: float | None
    end_s: float | None
    key_points: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    warnings: tuple[str, ...] = ()
    kind: str = "topic"
    removed: tuple[Removed, ...] = ()
    synthesis: bool = False
    framing: str = ""  # "Avec X (rôle) et Y (rôle)." from the description: the guests this topic names
    also: tuple[Citation, ...] = ()  # the same story in other shows (weekly editions)
    follow_up: str = ""  # "Suite de « … » : …": the story continues one of an earlier edition

    @property
    def start(self) -> str | None:
        return format_ts(self.start_s)


@dataclass(frozen=True)
class Edition:
    """A whole newsletter issue, before rendering."""

    style: str
    title: str
    intro: str
    announcement: str
    sections: tuple[Section, ...]
    closing: str
    sources: tuple[Source, ...]
    epigraph: Quote | None = None
    extractive: bool = True
    date: dt.date | None = None
    removed: tuple[Removed, ...] = ()  # sentences of the intro and closing kept out of the text
    model_order: bool = False  # sections ordered by the model, not in the show's order


@dataclass(frozen=True)
class Usage:
    """Tokens spent; `estimated` when the server gave no usage and we counted ourselves."""

    input: int = 0
    output: int = 0
    cached: int = 0
    calls: int = 0
    estimated: bool = False
    batch_input: int = 0  # the part of `input` and `output` answered through a Batch API (its own price)
    batch_output: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input + other.input,
            self.output + other.output,
            self.cached + other.cached,
            self.calls + other.calls,
            self.estimated or other.estimated,
            self.batch_input + other.batch_input,
            self.batch_output + other.batch_output,
        )


@dataclass(frozen=True)
class PromptUse:
    """A prompt file used for a draft."""

    id: str
    version: int
    hash: str


@dataclass(frozen=True)
class Provenance:
    """Everything draft.json records about how an edition was made."""

    backend: str
    model: str | None
    prompts: tuple[PromptUse, ...] = ()
    usage: Usage = field(default_factory=Usage)
    cost_estimate: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    rejected_quotes: tuple[RejectedQuote, ...] = ()
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
