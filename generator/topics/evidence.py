"""Boundary evidence at every sentence start: content valleys, host cues, voices, pauses, asides.

Content (sentence embeddings and lexical cohesion) is the only evidence that can make a boundary;
everything else only adds weight where the content already dips, or moves a boundary past an aside.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from generator.language import content_stems
from generator.topics import cues

LEXICAL_VOCAB = 2048  # most widespread content stems kept for lexical cohesion (memory bound)
# Weights in z-score units of the content score. A cue is worth half a standard deviation: enough to
# decide between two close valleys, never enough to lift a flat stretch over the threshold alone.
CUE_WEIGHT = 0.5
VOICE_WEIGHT = 0.25  # a voice heard for the first time (a new guest) after the opening
PAUSE_WEIGHT = 0.25  # a silence of LONG_PAUSE_S or more before the sentence
LONG_PAUSE_S = 2.0  # twice an ordinary breath pause between sentences
ASIDE_GAP_S = 20.0  # sponsor lines this close together belong to one break
# A speaker who has held the floor this long has given an answer, not a reply in an exchange: the
# question that follows it is where an interviewer moves on (a full minute, 150 words of speech).
ANSWER_S = 60.0


def window_similarity(
    vectors: np.ndarray, weights: np.ndarray, times: np.ndarray, window: float
) -> np.ndarray:
    """Cosine between the speech of [t-window, t) and [t, t+window) at every sentence start."""
    n = len(times)
    weighted = vectors * weights[:, None].astype(vectors.dtype)
    prefix = np.zeros((n + 1, vectors.shape[1]), dtype=vectors.dtype)
    np.cumsum(weighted, axis=0, out=prefix[1:])
    idx = np.arange(n)
    lo = np.searchsorted(times, times - window, side="left")
    hi = np.maximum(np.searchsorted(times, times + window, side="left"), idx + 1)
    left = prefix[idx] - prefix[lo]
    right = prefix[hi] - prefix[idx]
    num = np.einsum("ij,ij->i", left, right)
    den = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    sim = np.divide(num, den, out=np.ones(n), where=den > 0)
    sim[0] = 1.0
    return sim


def _span_cosine(prefix: np.ndarray, a1, b1, a2, b2) -> np.ndarray:
    """Cosine between the summed vectors of index ranges [a1, b1) and [a2, b2), row by row."""
    left = prefix[b1] - prefix[a1]
    right = prefix[b2] - prefix[a2]
    num = np.einsum("ij,ij->i", left, right)
    den = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    return np.divide(num, den, out=np.ones(len(num)), where=den > 0)


def real_change(vectors: np.ndarray, weights: np.ndarray, times: np.ndarray, window: float) -> np.ndarray:
    """Whether the speech just before and just after each point differ more than each side differs within.

    Parameter-free check against relative scores: a single-subject show still has valleys deeper
    than its own average, but there the two sides of a valley are as alike as each side's halves.
    """
    n = len(times)
    weighted = vectors * weights[:, None]
    prefix = np.zeros((n + 1, vectors.shape[1]))
    np.cumsum(weighted, axis=0, out=prefix[1:])
    idx = np.arange(n)
    half = window / 2
    l1 = np.searchsorted(times, times - window, side="left")
    l2 = np.maximum(np.searchsorted(times, times - half, side="left"), l1 + 1)
    r1 = np.maximum(np.searchsorted(times, times + half, side="left"), idx + 1)
    r2 = np.maximum(np.searchsorted(times, times + window, side="left"), r1 + 1)
    l2, r1, r2 = np.minimum(l2, idx), np.minimum(r1, n), np.minimum(r2, n)
    # Whole windows across, half windows within: longer spans always look more alike, so a real
    # change must show through a comparison that favours "same subject".
    across = _span_cosine(prefix, l1, idx, idx, r2)
    within = np.maximum(_span_cosine(prefix, l1, l2, l2, idx), _span_cosine(prefix, idx, r1, r1, r2))
    return across < within


def depth(sim: np.ndarray, times: np.ndarray, reach: float) -> np.ndarray:
    """TextTiling depth: how far each point sits below the highest similarity on each side."""
    n = len(sim)
    lo = np.searchsorted(times, times - reach, side="left")
    hi = np.searchsorted(times, times + reach, side="right")
    out = np.zeros(n)
    for i in range(1, n):
        out[i] = (sim[lo[i] : i + 1].max() - sim[i]) + (sim[i : hi[i]].max() - sim[i])
    return out


def zscore(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Standard scores over the valid points (zeros when they do not vary)."""
    sample = values[valid]
    std = float(sample.std()) if sample.size >= 2 else 0.0
    if std <= 1e-12:
        return np.zeros_like(values)
    return (values - float(sample.mean())) / std


def lexical_vectors(texts: Sequence[str]) -> np.ndarray:
    """Sentence x stem matrix, tf-idf weighted, over stems seen in at least two sentences."""
    stems = [content_stems(t) for t in texts]
    df = Counter(s for row in stems for s in set(row))
    shared = sorted((s for s, c in df.items() if c >= 2), key=lambda s: (-df[s], s))[:LEXICAL_VOCAB]
    vocab = {s: j for j, s in enumerate(sorted(shared))}
    matrix = np.zeros((len(texts), max(1, len(vocab))), dtype=np.float32)
    n = len(texts)
    for i, row in enumerate(stems):
        for s in row:
            j = vocab.get(s)
            if j is not None:
                matrix[i, j] += math.log(n / df[s])
    return matrix


def content_score(
    texts: Sequence[str],
    times: np.ndarray,
    end_time: float,
    vectors: np.ndarray,
    window: float,
    *,
    lexical: bool = True,
) -> np.ndarray:
    """Boundary strength from embeddings and lexical cohesion, in z-score units (0 near the edges).

    Two scales (the window and its half) and the two signals are averaged with equal weights: no
    weighting is known to be better on shows we have not seen, so none is tuned.
    """
    weights = np.array([max(1, len(t.split())) for t in texts], dtype=np.float64)
    # Near either end one window is cut short and always looks "different": no evidence there.
    valid = (times - times[0] >= window / 2) & (end_time - times >= window / 2)
    valid[0] = False
    signals = [(vectors.astype(np.float64), weights)]
    if lexical:
        signals.append((lexical_vectors(texts), np.ones(len(texts))))
    score = np.zeros(len(texts))
    for scale in (1.0, 0.5):
        w = window * scale
        for matrix, weight in signals:
            score += zscore(depth(window_similarity(matrix, weight, times, w), times, w), valid)
    score /= 2 * len(signals)
    score[~valid] = 0.0
    return score


def phrase_weights(texts: Sequence[str]) -> np.ndarray:
    """Extra weight at each sentence start from host phrases (opening, thanks, greeting, rubric)."""
    n = len(texts)
    bonus = np.zeros(n)
    opens = [bool(cues.OPENING.search(t) or cues.RUBRIC.search(t)) for t in texts]
    closes = [bool(cues.CLOSING.search(t)) for t in texts]
    greets = [bool(cues.GREETING.search(t)) for t in texts]
    for i in range(1, n):
        # a guest is greeted in the sentence that introduces them or in the next one
        if opens[i] or closes[i - 1] or greets[i] or (i + 1 < n and greets[i + 1]):
            bonus[i] += CUE_WEIGHT
    return bonus


def question_turns(
    texts: Sequence[str], times: np.ndarray, speakers: Sequence[str | None], answer_s: float = ANSWER_S
) -> list[int]:
    """Starts of the turns that ask a question right after another speaker held the floor answer_s or more.

    In a transcript labelled by speaker, this is what a reader sees as the host's next question after a
    guest's answer: the spoken counterpart of a question the page sets apart in bold. Short exchanges
    (a follow-up after a few sentences) do not count; unlabelled text gives nothing.
    """
    turns: list[tuple[int, int]] = []
    for i in range(len(texts)):
        if i and speakers[i] == speakers[i - 1]:
            turns[-1] = (turns[-1][0], i + 1)
        else:
            turns.append((i, i + 1))
    out = []
    for (before, _), (start, stop) in zip(turns, turns[1:], strict=False):
        if not (speakers[start] and speakers[before]):
            continue
        if times[start] - times[before] >= answer_s and any("?" in t for t in texts[start:stop]):
            out.append(start)
    return out


def signal_weights(
    times: np.ndarray, speakers: Sequence[str | None] = (), ends: Sequence[float | None] = ()
) -> np.ndarray:
    """Extra weight at each sentence start from a new voice or an unusually long pause."""
    n = len(times)
    bonus = np.zeros(n)
    seen: set[str] = set()
    for i, who in enumerate(speakers):
        key = (who or "").strip().lower()
        if key and key not in seen:
            seen.add(key)
            if len(seen) > 1 and times[i] - times[0] > 60:
                bonus[i] += VOICE_WEIGHT
    gaps = np.full(n, np.nan)
    for i in range(1, min(n, len(ends))):
        prev_end = ends[i - 1]
        if prev_end is not None and math.isfinite(prev_end):
            gaps[i] = times[i] - prev_end
    known = gaps[np.isfinite(gaps)]
    if known.size >= 20:
        # "long" means long for this file: caption pages leave gaps everywhere, real silences stand out
        threshold = max(LONG_PAUSE_S, float(np.quantile(known, 0.95)))
        bonus[np.nan_to_num(gaps, nan=-1.0) >= threshold] += PAUSE_WEIGHT
    return bonus


def asides(texts: Sequence[str], times: np.ndarray) -> list[tuple[int, int, str]]:
    """Sponsor reads and jingles as (first, last, kind) sentence spans: never the start of a subject."""
    n = len(texts)
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < n:
        kind = "ad" if cues.AD.search(texts[i]) else "transition" if cues.JINGLE.search(texts[i]) else None
        if kind is None:
            i += 1
            continue
        first, last = i, i + 1
        # the teaser that announces the break belongs to it ("petite pause avant la suite")
        while (
            first > 0 and times[i] - times[first - 1] <= ASIDE_GAP_S and cues.CLOSING.search(texts[first - 1])
        ):
            first -= 1
        pattern = cues.AD if kind == "ad" else cues.JINGLE
        sponsors = _sponsors(texts[i]) if kind == "ad" else []
        k = last
        while k < n and times[k] - times[last - 1] <= ASIDE_GAP_S and not cues.OPENING.search(texts[k]):
            named = any(s in texts[k].lower() for s in sponsors)  # the read goes on about its sponsor
            if named or pattern.search(texts[k]) or any(pattern.search(t) for t in texts[k + 1 : k + 3]):
                sponsors += _sponsors(texts[k]) if kind == "ad" else []
                last = k + 1
                k += 1
            else:
                break
        out.append((first, last, kind))
        i = last
    return out


def _sponsors(text: str) -> list[str]:
    """The sponsor a sponsor line names, lower-cased ("proposée par Fibrolink" -> ["fibrolink"])."""
    return [m.group(1).lower() for m in cues.SPONSOR.finditer(text) if cues.AD.search(text)]
