"""Same story, one idea: topics of different episodes told about one story are grouped.

Two topics are compared on their sentence embeddings (the project's multilingual USE vectors,
centred on the week's mean so that the shared "two people talking tech in French" direction does
not make everything look alike), on their content words (TF-IDF over the week's topics), and on the
names and figures they both say. A close pair is the same story; a pair in the grey zone is the same
story only when it shares a name or a figure, or when the model (if any) says yes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from generator.weekly.candidates import Candidate

SAME = 0.45  # combined similarity above which two topics are one story
GREY = 0.25  # from here to SAME: one story with two shared names, or a name and a figure, or the model's yes
NAME_BONUS = 0.06  # per shared name (at most three)
FIGURE_BONUS = 0.05  # per shared notable figure (at most three)

Judge = Callable[[Candidate, Candidate], bool | None]  # the model's yes/no; None when it could not say


@dataclass(frozen=True)
class Pair:
    """Why two topics are (or are not) one story."""

    a: int
    b: int
    score: float
    names: tuple[str, ...]
    figures: tuple[str, ...]
    judged: bool | None = None


def centred(cands: Sequence[Candidate]) -> np.ndarray:
    """The topic vectors minus the week's mean, re-normalised."""
    if not cands:
        return np.zeros((0, 512))
    m = np.stack([np.asarray(c.vector, dtype=np.float64) for c in cands])
    m = m - m.mean(axis=0, keepdims=True) if len(cands) > 2 else m
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)


def tfidf(cands: Sequence[Candidate]) -> np.ndarray:
    """Cosine similarity of the topics' content stems, weighted by rarity across the week."""
    n = len(cands)
    df = Counter(s for c in cands for s in c.stems)
    vocab = {s: i for i, s in enumerate(df)}
    m = np.zeros((n, len(vocab)))
    for row, c in enumerate(cands):
        for s in c.stems:
            m[row, vocab[s]] = math.log((1 + n) / (1 + df[s])) + 1.0
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    m = m / np.where(norms == 0, 1.0, norms)
    return m @ m.T


def _rare(cands: Sequence[Candidate]) -> tuple[set[str], set[float]]:
    """Names and figures said in few of the week's episodes: those tie a story together ("France",
    "Google" or "dix ans" come up everywhere and tie nothing)."""
    episodes = len({c.loaded for c in cands})
    limit = max(2, episodes // 4)
    names: dict[str, set[int]] = {}
    figures: dict[float, set[int]] = {}
    for c in cands:
        for n in c.names:
            names.setdefault(n, set()).add(c.loaded)
        for v, _ in c.figures:
            figures.setdefault(v, set()).add(c.loaded)
    return {n for n, eps in names.items() if len(eps) <= limit}, {
        v for v, eps in figures.items() if len(eps) <= limit
    }


def pairs(cands: Sequence[Candidate]) -> list[Pair]:
    """Every pair of topics from different episodes with its combined score, best first."""
    if len(cands) < 2:
        return []
    emb = centred(cands)
    cos = emb @ emb.T
    lex = tfidf(cands)
    rare_names, rare_figures = _rare(cands)
    out = []
    for i in range(len(cands)):
        for j in range(i + 1, len(cands)):
            a, b = cands[i], cands[j]
            if a.loaded == b.loaded:
                continue  # one episode's topics are different subjects by construction
            names = tuple(sorted(a.names & b.names & rare_names))
            shared = {v for v, _ in a.figures} & {v for v, _ in b.figures} & rare_figures
            figs = tuple(sorted({t for v, t in a.figures if v in shared}))
            score = 0.5 * float(cos[i, j]) + 0.5 * float(lex[i, j])
            score += NAME_BONUS * min(len(names), 3) + FIGURE_BONUS * min(len(figs), 3)
            out.append(Pair(i, j, round(score, 4), names, figs))
    return sorted(out, key=lambda p: -p.score)


def stories(cands: Sequence[Candidate], judge: Judge | None = None) -> tuple[list[list[int]], list[Pair]]:
    """Groups of candidate indexes, one per story, and the pairs that joined them.

    Best pairs first; two groups join only when every pair across them (from different episodes)
    is at least in the grey zone, so that no chain of near pairs makes one blob of a week, and a
    story holds at most one topic per episode.
    """
    scored = pairs(cands)
    score = {(p.a, p.b): p.score for p in scored}
    group: dict[int, list[int]] = {i: [i] for i in range(len(cands))}
    where = list(range(len(cands)))
    joined: list[Pair] = []
    for p in scored:
        if p.score < GREY:
            break
        ga, gb = where[p.a], where[p.b]
        if ga == gb or {cands[i].loaded for i in group[ga]} & {cands[i].loaded for i in group[gb]}:
            continue  # already one story, or it would hold two topics of one episode
        if any(score.get((min(i, j), max(i, j)), 0.0) < GREY for i in group[ga] for j in group[gb]):
            continue
        same = p.score >= SAME
        verdict = None
        if not same:
            verdict = judge(cands[p.a], cands[p.b]) if judge is not None else None
            # Offline, or when the model could not say: two rare names, or a rare name and a figure.
            same = bool(verdict) if verdict is not None else len(p.names) >= 2 or bool(p.names and p.figures)
        if not same:
            continue
        for i in group[gb]:
            where[i] = ga
        group[ga] += group.pop(gb)
        joined.append(Pair(p.a, p.b, p.score, p.names, p.figures, verdict))
    return [sorted(g) for g in group.values()], joined
