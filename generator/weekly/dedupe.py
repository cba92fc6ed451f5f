"""The same episode twice is one source: same content hash, or near-identical speech.

A rebroadcast, or the same episode as captions and as a podcast transcript, says the same words in
the same order; its cleaned text shares most of its word 5-grams with the original even when line
breaks, punctuation or a few caption errors differ. Two different episodes of a show share their
jingles and greetings, far below the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator import language
from generator.model import Episode

SHINGLE = 5  # words per shingle
SAME_SPEECH = 0.6  # share of the smaller episode's shingles found in the other


@dataclass(frozen=True)
class Duplicate:
    """An input folded into another: which one it copies, and how it was recognised."""

    path: str
    sha256: str
    kept: int  # index of the kept episode in the input list
    reason: str  # "same_file" | "same_speech"
    overlap: float = 1.0


def shingles(episode: Episode) -> frozenset[int]:
    """Hashes of the folded word 5-grams of the whole speech."""
    words = language.fold(" ".join(u.text for u in episode.utterances)).split()
    return frozenset(hash(tuple(words[i : i + SHINGLE])) for i in range(max(len(words) - SHINGLE + 1, 0)))


def overlap(a: frozenset[int], b: frozenset[int]) -> float:
    """Share of the smaller set found in the larger one (1.0 for the same speech)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _richer(a: Episode, b: Episode) -> bool:
    """True when `a` carries more of what a reader sees (show, date, guests, timestamps) than `b`."""

    def weight(ep: Episode) -> tuple[int, int]:
        timed = sum(1 for u in ep.utterances if u.start_s is not None)
        return (bool(ep.show) + bool(ep.date) + bool(ep.guests) + bool(ep.host), timed)

    return weight(a) > weight(b)


def fold_duplicates(episodes: Sequence[Episode]) -> tuple[list[int], list[Duplicate]]:
    """(indexes of the distinct episodes, in input order; the copies folded into them)."""
    kept: list[int] = []
    folded: list[Duplicate] = []
    prints = [shingles(ep) for ep in episodes]
    for i, ep in enumerate(episodes):
        match = None
        for k, j in enumerate(kept):
            if episodes[j].sha256 == ep.sha256:
                match = (k, "same_file", 1.0)
                break
            share = overlap(prints[i], prints[j])
            if share >= SAME_SPEECH:
                match = (k, "same_speech", round(share, 3))
                break
        if match is None:
            kept.append(i)
            continue
        k, reason, share = match
        j = kept[k]
        if reason == "same_speech" and _richer(ep, episodes[j]):
            kept[k] = i  # keep the copy with the show's name, date and timestamps
            folded = [
                d if d.kept != j else Duplicate(d.path, d.sha256, i, d.reason, d.overlap) for d in folded
            ]
            j, i = i, j
        folded.append(Duplicate(episodes[i].path, episodes[i].sha256, j, reason, share))
    order = sorted(kept)
    return order, folded
