"""Segmentation metrics on a one-second grid: Pk, WindowDiff and boundary F1 with a tolerance.

A segmentation is given as boundary times in seconds (where a new segment starts) inside the
span [start, end); the span's own start is not a boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def _grid(bounds: Sequence[float], start: float, end: float) -> np.ndarray:
    """Segment id of every second of [start, end)."""
    seconds = np.arange(int(round(start)), int(round(end)))
    inner = np.sort(np.array([b for b in bounds if start < b < end], dtype=float))
    return np.searchsorted(inner, seconds, side="right")


def default_k(reference: Sequence[float], start: float, end: float) -> int:
    """Half the mean reference segment length, in seconds (at least 1)."""
    n_segments = len([b for b in reference if start < b < end]) + 1
    return max(1, int(round((end - start) / n_segments / 2)))


def pk(
    reference: Sequence[float], hypothesis: Sequence[float], start: float, end: float, k: int | None = None
) -> float:
    """Probability that two seconds k apart are wrongly judged same/different segment (Beeferman)."""
    k = k or default_k(reference, start, end)
    ref, hyp = _grid(reference, start, end), _grid(hypothesis, start, end)
    if len(ref) <= k:
        return 0.0
    same_ref = ref[:-k] == ref[k:]
    same_hyp = hyp[:-k] == hyp[k:]
    return float(np.mean(same_ref != same_hyp))


def windowdiff(
    reference: Sequence[float], hypothesis: Sequence[float], start: float, end: float, k: int | None = None
) -> float:
    """Share of k-second windows whose boundary counts differ (Pevzner and Hearst)."""
    k = k or default_k(reference, start, end)
    ref, hyp = _grid(reference, start, end), _grid(hypothesis, start, end)
    if len(ref) <= k:
        return 0.0
    return float(np.mean((ref[k:] - ref[:-k]) != (hyp[k:] - hyp[:-k])))


@dataclass(frozen=True)
class BoundaryMatch:
    """Precision, recall and F1 of boundaries matched one-to-one within a tolerance."""

    precision: float
    recall: float
    f1: float
    matched: int


def boundary_f1(
    reference: Sequence[float],
    hypothesis: Sequence[float],
    tolerance: float = 20.0,
    start: float | None = None,
    end: float | None = None,
) -> BoundaryMatch:
    """Greedy one-to-one matching of the closest pairs first; F1 = 1 when both are empty."""

    def inner(bounds: Sequence[float]) -> list[float]:
        return sorted(b for b in bounds if (start is None or b > start) and (end is None or b < end))

    ref, hyp = inner(reference), inner(hypothesis)
    if not ref and not hyp:
        return BoundaryMatch(1.0, 1.0, 1.0, 0)
    pairs = sorted(
        (abs(r - h), i, j) for i, r in enumerate(ref) for j, h in enumerate(hyp) if abs(r - h) <= tolerance
    )
    used_r, used_h = set(), set()
    for _, i, j in pairs:
        if i not in used_r and j not in used_h:
            used_r.add(i)
            used_h.add(j)
    matched = len(used_r)
    precision = matched / len(hyp) if hyp else 0.0
    recall = matched / len(ref) if ref else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BoundaryMatch(precision, recall, f1, matched)
