"""How many topics, and where: a length prior on the count, valley strength to adjust it, short parts merged.

The prior comes from how magazines and talk shows are built, not from our corpus: one subject every
6 to 10 minutes (the middle, 8, is the prior), never fewer than 3 in one show and no fixed most: a
two-hour interview has 12-20 subjects (issue 22). The content score then decides: up to the prior a
boundary needs a valley deeper than the show's average (z > 0); every topic beyond it needs a valley
one standard deviation deeper (z > 1), the usual "clearly deeper than typical" cut of TextTiling-style
depth scores. A part longer than MAX_PART_S is then split at its deepest valley (`split_long`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

TOPIC_PRIOR_S = 8 * 60.0  # one subject every 6-10 minutes: the middle of the range
MIN_TOPICS = 3
MAX_PART_S = 20 * 60.0  # a reader no longer sees one subject in a longer part (issue 22)
EXTRA_VALLEY_Z = 1.0  # a topic beyond the prior needs a valley one standard deviation deeper than average
MIN_PART_S = 90.0  # a part shorter than this is a break or a transition, not a topic (issue 13)


def topic_prior(span_s: float, min_part_s: float) -> tuple[int, int]:
    """(prior number of topics, most topics that fit) for this much speech."""
    fit = max(1, int(span_s // min_part_s))
    prior = max(MIN_TOPICS, round(span_s / TOPIC_PRIOR_S))
    return min(prior, fit), fit


def strongest(
    score: np.ndarray,
    times: np.ndarray,
    lo: int,
    hi: int,
    hi_time: float,
    fixed: Sequence[int],
    min_part_s: float,
    content: np.ndarray | None = None,
) -> list[int]:
    """Boundaries inside sentences [lo, hi): the strongest valleys, spaced, counted by the prior.

    `content` (the score without cues) judges the topics beyond the prior: cues may choose among
    valleys, but only the content can say that the show has more subjects than its length suggests.
    """
    content = score if content is None else content
    if hi - lo < 2:
        return []
    span = hi_time - times[lo]
    prior, most = topic_prior(span, min_part_s)
    edges = [float(times[lo]), hi_time]
    taken = [float(times[i]) for i in fixed]
    chosen: list[int] = []
    for i in sorted(range(lo + 1, hi), key=lambda k: (-score[k], k)):
        value = float(score[i])
        if value <= 0 or len(chosen) + 1 >= most:
            break
        if len(chosen) + 1 >= prior and float(content[i]) <= EXTRA_VALLEY_Z:
            continue
        t = float(times[i])
        if min(abs(t - e) for e in edges) < min_part_s:
            continue
        if any(abs(t - c) < min_part_s for c in taken):
            continue
        chosen.append(i)
        taken.append(t)
    return sorted(chosen)


def merge_short(
    cuts: list[int],
    times: np.ndarray,
    end_time: float,
    vectors: np.ndarray,
    keep: set[int],
    min_part_s: float,
) -> list[int]:
    """Drop boundaries until no part between kept ones is under min_part_s; it joins its closer neighbour."""
    cuts = sorted(set(cuts))
    while True:
        spans = list(zip(cuts, cuts[1:], strict=False))
        lengths = [(_end(b, times, end_time) - times[a]) for a, b in spans]
        short = [
            k for k, (a, _) in enumerate(spans) if lengths[k] < min_part_s and not ({a, spans[k][1]} <= keep)
        ]
        if not short:
            return cuts
        k = min(short, key=lambda j: (lengths[j], j))
        a, b = spans[k]
        left_ok = k > 0 and a not in keep
        right_ok = k + 1 < len(spans) and b not in keep
        if left_ok and right_ok:
            here = _mean(vectors, a, b)
            left = _mean(vectors, *spans[k - 1])
            right = _mean(vectors, *spans[k + 1])
            drop = a if float(here @ left) >= float(here @ right) else b
        elif left_ok or right_ok:
            drop = a if left_ok else b
        else:
            return cuts
        cuts.remove(drop)


def _end(b: int, times: np.ndarray, end_time: float) -> float:
    return float(times[b]) if b < len(times) else float(end_time)


def _mean(vectors: np.ndarray, a: int, b: int) -> np.ndarray:
    v = vectors[a:b].mean(axis=0)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 and math.isfinite(norm) else v


def split_long(
    cuts: list[int],
    score: np.ndarray,
    times: np.ndarray,
    end_time: float,
    min_part_s: float,
    max_part_s: float = MAX_PART_S,
) -> list[int]:
    """Split every part longer than max_part_s at its deepest valley until none is left or none can be.

    A 20-minute part is not one subject for a reader even when the content score finds no valley
    deeper than the show's average there: the deepest one inside still marks its clearest change.
    """
    cuts = sorted(set(cuts))
    while True:
        added = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            hi_t = _end(b, times, end_time)
            if hi_t - times[a] <= max_part_s:
                continue
            inside = [
                i
                for i in range(a + 1, b)
                if times[i] - times[a] >= min_part_s and hi_t - times[i] >= min_part_s
            ]
            if inside:
                added.append(max(inside, key=lambda i: (float(np.nan_to_num(score[i], neginf=-1e9)), -i)))
        if not added:
            return cuts
        cuts = sorted(set(cuts) | set(added))
