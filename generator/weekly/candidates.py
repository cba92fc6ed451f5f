"""The week's material: episodes read once, duplicates folded, topics as candidate stories.

Each topic segment of each distinct episode becomes a `Candidate`: its text, a vector (the mean of
its sentences' embeddings, the same vectors the segmenter used, so a cached week costs no model
pass), the names and figures it says, how long it lasted and how much it sounds like a project.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from generator import language
from generator.config import Settings
from generator.errors import InputError
from generator.i18n import _
from generator.model import Episode, Segment
from generator.topics import segment as segment_episode
from generator.transcript import clean, ingest, max_bytes_of
from generator.weekly.dedupe import Duplicate, fold_duplicates
from generator.writing import topic_segments

Progress = Callable[[str], None]

# Words that present a product, a start-up or an initiative (stems of the folded words).
_PROJECT_CUES = re.compile(
    r"\b(start ?up|jeune pousse|application|appli|plateforme|prototype|lanc|fond(e|ee|ateur|atrice)\b|"
    r"cofondat|association|cooperative|initiative|projet|logiciel|produit|levee de fonds|outil|service)"
)
_WORD = re.compile(r"[^\W\d_][\w’'-]*")
_GREETINGS = {"bonjour", "bonsoir", "salut", "merci", "bienvenue", "avec", "voici"}


@dataclass(frozen=True)
class Loaded:
    """One distinct episode of the week, cleaned and segmented, with the copies folded into it."""

    episode: Episode
    raw: Episode  # as read, before cleaning: the caption times of each word, for quotes (word_times)
    segments: tuple[Segment, ...] = ()
    vectors: Any = None  # (utterances, 512) sentence embeddings
    duplicates: tuple[Duplicate, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One topic of one episode: a piece of a story."""

    key: str  # "<sha256[:12]>:<segment index>"
    loaded: int  # index of its episode in the week's Loaded list
    segment: Segment
    text: str
    vector: Any  # unit vector, 512 floats
    names: frozenset[str]  # folded names and capitalised words of actors
    figures: tuple[tuple[float, str], ...]  # (value, as said) of the notable figures
    seconds: float
    project: float  # project cues per 100 words
    stems: frozenset[str] = field(default_factory=frozenset)
    show: str = ""  # the show's name (its file name when it has none)

    @property
    def sha256(self) -> str:
        return self.key.split(":")[0]


def load_files(
    paths: Sequence[Path], settings: Settings, progress: Progress
) -> tuple[list[Loaded], list[str]]:
    """Ingest and clean every file once; an unreadable file is left out of the week with a note."""
    out, notes = [], []
    for path in paths:
        progress(_("lecture de {path}", path=path))
        try:
            raw = ingest(Path(path), max_bytes=max_bytes_of(settings))
            episode = clean(raw)
        except InputError as exc:
            notes.append(_("laissée de côté : {error}", error=exc))
            continue
        out.append(Loaded(episode, raw))
    return out, notes


def distinct(loaded: Sequence[Loaded]) -> list[Loaded]:
    """The week's episodes with every copy (same file, rebroadcast, other format) folded into one."""
    kept, folded = fold_duplicates([item.episode for item in loaded])
    by_index: dict[int, list[Duplicate]] = {}
    for dup in folded:
        by_index.setdefault(dup.kept, []).append(dup)
    return [Loaded(loaded[i].episode, loaded[i].raw, duplicates=tuple(by_index.get(i, ()))) for i in kept]


def segment_all(
    loaded: Sequence[Loaded], settings: Settings, embedder: Any, progress: Progress
) -> list[Loaded]:
    """Topic segments and sentence vectors of each episode (the embedder caches by content)."""
    out = []
    for item in loaded:
        ep = item.episode
        progress(_("découpage de {name}", name=Path(ep.path).name))
        segments = segment_episode(ep, min_segment_s=settings.segment.min_segment_s, embedder=embedder)
        vectors = np.asarray(embedder.embed([u.text for u in ep.utterances]), dtype=np.float32)
        out.append(Loaded(ep, item.raw, tuple(segments), vectors, item.duplicates))
    return out


def notable_figures(text: str) -> tuple[tuple[float, str], ...]:
    """Figures worth telling apart: amounts, percentages, counts of a hundred or more (not 'dix ans')."""
    out: dict[float, str] = {}
    for f in language.figures(text):
        year = 1900 <= f.value <= 2100 and not f.percent and not f.scaled  # a year dates, it is no figure
        if (f.percent or f.scaled or abs(f.value) >= 100) and not year:
            out.setdefault(round(f.value, 2), f.text)
    return tuple(sorted(out.items()))


def actor_names(text: str) -> frozenset[str]:
    """Multi-word names, and capitalised words inside sentences (companies, places, acronyms).

    A greeting is no name ("Bonjour Léa"), and a word of a longer name found too is that name.
    """
    names = {language.fold(n) for n in language.candidate_names(text)}
    for sentence in language.split_sentences(text):
        tokens = _WORD.findall(sentence)
        for tok in tokens[1:]:
            if tok[:1].isupper() and len(tok) > 2 and not language.is_stopword(tok.lower()):
                names.add(language.fold(tok))
    names = {n for n in names if n and n.split()[0] not in _GREETINGS}
    longer = [n.split() for n in names if " " in n]
    return frozenset(n for n in names if " " in n or not any(n in words for words in longer))


def project_score(text: str) -> float:
    """Project cues per hundred words."""
    folded = language.fold(text)
    words = max(len(folded.split()), 1)
    return 100.0 * len(_PROJECT_CUES.findall(folded)) / words


def candidates_of(loaded: Sequence[Loaded]) -> list[Candidate]:
    """Every topic worth a section, of every distinct episode."""
    out = []
    for i, item in enumerate(loaded):
        ep = item.episode
        for seg in topic_segments(item.segments):
            said = [u.text for u in ep.utterances[seg.first : seg.last]]
            text = " ".join(said)
            if not text.strip():
                continue
            vec = np.asarray(item.vectors[seg.first : seg.last], dtype=np.float64).mean(axis=0)
            norm = float(np.linalg.norm(vec)) or 1.0
            seconds = (
                (seg.end_s or 0.0) - (seg.start_s or 0.0) if seg.start_s is not None else len(said) * 5.0
            )
            out.append(
                Candidate(
                    key=f"{ep.sha256[:12]}:{seg.index}",
                    loaded=i,
                    segment=seg,
                    text=text,
                    vector=vec / norm,
                    names=actor_names(text) - {language.fold(n) for n in _show_words(ep)},
                    figures=notable_figures(text),
                    seconds=max(seconds, 0.0),
                    project=project_score(text),
                    stems=frozenset(s for s in language.content_stems(text) if len(s) >= 4),
                    show=ep.show or Path(ep.path).name,
                )
            )
    return out


def _show_words(ep: Episode) -> list[str]:
    """The show's own name and host: every topic of the show says them, they tie no story together."""
    words = [ep.show or "", ep.host or ""]
    return [w for name in words if name for w in [name, *name.split()]]
