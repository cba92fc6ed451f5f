"""Scoring units: the sentences, or caption-sized pseudo-sentences when the text has no punctuation.

Automatic captions come without full stops; cleaning then cuts "sentences" of up to sixty words
(twenty-odd seconds), too coarse to place a boundary or to see a host's phrase where it is said.
Such text is cut into pseudo-sentences of about PSEUDO_WORDS words with times interpolated inside
their sentence; boundaries found between them are snapped back to the nearest sentence start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PSEUDO_WORDS = 15  # about six seconds of speech: the length of one or two caption lines
PUNCTUATED_SHARE = 0.2  # below this share of sentences ending in . ! ? the text counts as unpunctuated


@dataclass(frozen=True)
class Units:
    """Texts scored for boundaries, their start times and the sentence each one comes from."""

    texts: list[str]
    times: np.ndarray
    owner: np.ndarray
    speakers: list[str | None]
    ends: list[float | None]


def unpunctuated(texts: Sequence[str]) -> bool:
    """Whether the sentences are caption runs without sentence punctuation."""
    ends = sum(1 for t in texts if t.rstrip().endswith((".", "!", "?", "…")))
    return bool(texts) and ends < PUNCTUATED_SHARE * len(texts)


def build(
    texts: Sequence[str],
    times: np.ndarray,
    end_time: float,
    speakers: Sequence[str | None],
    ends: Sequence[float | None],
) -> Units:
    """The sentences themselves, or pseudo-sentences when the text is unpunctuated."""
    n = len(texts)
    if not unpunctuated(texts):
        return Units(list(texts), times, np.arange(n), list(speakers), list(ends))
    out_t: list[str] = []
    out_s: list[float] = []
    owner: list[int] = []
    out_sp: list[str | None] = []
    out_e: list[float | None] = []
    for i, text in enumerate(texts):
        words = text.split() or [text]
        k = max(1, round(len(words) / PSEUDO_WORDS))
        stop = float(times[i + 1]) if i + 1 < n else float(end_time)
        for j in range(k):
            out_t.append(" ".join(words[j * len(words) // k : (j + 1) * len(words) // k]))
            out_s.append(float(times[i]) + (stop - float(times[i])) * j / k)
            owner.append(i)
            out_sp.append(speakers[i] if i < len(speakers) else None)
            out_e.append((ends[i] if i < len(ends) else None) if j == k - 1 else None)
    return Units(out_t, np.array(out_s), np.array(owner), out_sp, out_e)


def to_sentence(unit: int | None, units: Units, times: np.ndarray) -> int | None:
    """The sentence start nearest to a unit's start (None stays None; len(units) maps to the end)."""
    if unit is None:
        return None
    if unit >= len(units.texts):
        return len(times)
    i = int(units.owner[unit])
    if unit == 0 or units.owner[unit - 1] != i:
        return i
    t = units.times[unit]
    after = i + 1
    if after < len(times) and times[after] - t < t - times[i]:
        return after
    return i


def cue_texts(unit: Units, carry: int = 5) -> list[str]:
    """Each unit's text preceded by the last words of the one before, when it is a pseudo-sentence.

    A host's phrase ("on change de sujet") may straddle two pseudo-sentences; with the carried words
    it is still seen, at the unit where it ends (a few seconds from where it starts).
    """
    out = []
    for i, text in enumerate(unit.texts):
        split = i > 0 and unit.owner[i] == unit.owner[i - 1]
        out.append(" ".join(unit.texts[i - 1].split()[-carry:] + [text]) if split else text)
    return out


def from_sentences(sentences: Sequence[int], unit: Units) -> list[int]:
    """The first unit of each given sentence (sentence indexes outside the text are dropped)."""
    first = {}
    for k, owner in enumerate(unit.owner.tolist()):
        first.setdefault(owner, k)
    return sorted({first[i] for i in sentences if i in first})
