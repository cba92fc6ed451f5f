"""Episode -> [Segment]: topic boundaries with timestamps, offline and deterministic.

How it works, in one pass over the cleaned sentences:
1. Every sentence is embedded once (multilingual USE); every window is a weighted mean of sentence
   vectors taken from prefix sums, so the cost does not depend on the window length.
2. At each sentence start, the speech of the preceding and following windows (time-based, not
   sentence counts) is compared with sentence embeddings and with lexical cohesion (content-word
   stems); the depth of each similarity valley is a boundary score.
3. Host cues move and confirm boundaries: a new subject opened ("on enchaîne"), a guest thanked or a
   teaser ("à suivre"), a guest greeted, a rubric named, the closing farewell.
4. Peaks are picked greedily above an adaptive threshold with a minimum topic length; short intros,
   outros and cue-delimited parts are allowed below it.
5. Each segment gets a kind and a title made of its best noun phrases (generator/titles.py).
Text without timestamps runs on pseudo-times from word counts; its segments carry no times.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from generator.language import lexicon as french
from generator.model import Episode, Segment
from generator.topics import cues
from generator.topics.embeddings import SentenceEmbedder, USEEmbedder
from generator.topics.titles import TitleModel

WORDS_PER_SECOND = 2.5  # ordinary French speech rate, for text without timestamps
INTRO_MIN_S = 15.0  # an intro or outro can be this short when cues delimit it
OUTRO_ZONE_S = 120.0  # the farewell is looked for in the last two minutes at most
CUE_STRONG = 2.0  # score added where a host opens a subject or right after a closing/teaser
CUE_WEAK = 0.6  # score added before a guest greeting or a rubric name
THRESHOLD = 1.0  # boundaries need a combined score above this (z-score units)
WINDOW_S = 180.0  # seconds of speech compared on each side of a candidate boundary
LEXICAL_VOCAB = 2048  # most widespread content stems kept for lexical cohesion
MIN_SEGMENT_MIN_S, MIN_SEGMENT_MAX_S = 45.0, 120.0  # bounds of the adaptive minimum topic length
LEXICAL_WEIGHT = 0.35  # share of lexical cohesion in the content score (embeddings get the rest)


def segment(
    episode: Episode,
    *,
    min_segment_s: float | None = None,
    embedder: SentenceEmbedder | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Segment]:
    """Split an episode into topic segments (intro/topic/interview/outro/transition/ad) with titles.

    `min_segment_s` None adapts the minimum topic length to the episode (see adaptive_min_segment);
    a number is honoured as given.
    """
    utts = episode.utterances
    n = len(utts)
    if n == 0:
        return []
    texts = [u.text or "" for u in utts]
    timed = any(_finite(u.start_s) for u in utts)
    times, end_time = _timeline(episode, timed)
    duration = end_time - times[0]
    if min_segment_s is None:
        min_segment_s = adaptive_min_segment(duration)
    min_segment_s = max(float(min_segment_s), 10.0)

    bounds: list[int] = []
    if n >= 4 and duration >= 2 * min_segment_s:
        if embedder is None:
            embedder = USEEmbedder()
        if progress:
            progress(f"segment: embedding {n} sentences")
        vectors = embedder.embed(texts)
        speakers = [u.speaker for u in utts]
        bounds = _find_bounds(texts, times, end_time, vectors, min_segment_s, speakers)
    else:
        bounds = []
        outro = _outro_start(texts, times, end_time)
        if outro is not None and n >= 4 and duration >= 4 * INTRO_MIN_S:
            bounds = [outro]

    return _build(episode, texts, times, end_time, [0, *bounds, n], timed, min_segment_s)


def adaptive_min_segment(duration_s: float) -> float:
    """Minimum topic length for a show of this length: a sixth of it, within 45 s to 120 s.

    Two minutes suit any show of twelve minutes and more (a 2-hour talk show included), but a short
    podcast would lose topics to it: three subjects in six minutes last about two minutes each.
    A sixth leaves room for six topics and stays above the edge zone (an eighth of a short show,
    half its comparison window) where one window is cut short and content scores are unreliable;
    below 45 s a part is a news flash, not a topic.
    """
    return float(min(MIN_SEGMENT_MAX_S, max(MIN_SEGMENT_MIN_S, duration_s / 6)))


# ------------------------------------------------------------------------------------ timeline


def sentence_times(episode: Episode) -> tuple[np.ndarray, float, bool]:
    """Start of every sentence (interpolated, or pseudo-times from word counts), the end, and timed?"""
    timed = any(_finite(u.start_s) for u in episode.utterances)
    if not episode.utterances:
        return np.zeros(0), 0.0, timed
    times, end = _timeline(episode, timed)
    return times, end, timed


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _timeline(episode: Episode, timed: bool) -> tuple[np.ndarray, float]:
    """Start time of every sentence (interpolated where missing, never decreasing) and the end."""
    utts = episode.utterances
    n = len(utts)
    n_words = np.array([max(1, len(u.text.split())) for u in utts], dtype=float)
    if not timed:
        starts = np.concatenate([[0.0], np.cumsum(n_words)[:-1]]) / WORDS_PER_SECOND
        return starts, float(n_words.sum() / WORDS_PER_SECOND)
    # A non-finite time (NaN, inf from a broken converter) counts as missing and is interpolated.
    known = np.array([i for i, u in enumerate(utts) if _finite(u.start_s)], dtype=int)
    values = np.array([float(utts[i].start_s) for i in known])
    starts = np.interp(np.arange(n), known, values) if len(known) > 1 else np.full(n, values[0])
    if len(known) == 1:  # a single timestamp: spread the rest at speech rate
        offsets = np.concatenate([[0.0], np.cumsum(n_words)[:-1]]) / WORDS_PER_SECOND
        starts = values[0] + offsets - offsets[known[0]]
    starts = np.maximum.accumulate(starts)
    last = utts[-1]
    end = last.end_s if _finite(last.end_s) else None
    end_time = max(float(starts[-1]) + n_words[-1] / WORDS_PER_SECOND, float(end or 0.0))
    ends = [u.end_s for u in utts if _finite(u.end_s)]
    if ends:
        end_time = max(end_time, max(ends))
    return starts, end_time


# ------------------------------------------------------------------------------ content scores


def _window_similarity(
    vectors: np.ndarray, weights: np.ndarray, times: np.ndarray, window: float
) -> np.ndarray:
    """Cosine between the speech of [t-window, t) and [t, t+window) at every sentence start."""
    n = len(times)
    weighted = vectors * weights[:, None].astype(vectors.dtype)
    prefix = np.zeros((n + 1, vectors.shape[1]), dtype=vectors.dtype)
    np.cumsum(weighted, axis=0, out=prefix[1:])
    idx = np.arange(n)
    lo = np.searchsorted(times, times - window, side="left")
    hi = np.searchsorted(times, times + window, side="left")
    hi = np.maximum(hi, idx + 1)
    left = prefix[idx] - prefix[lo]
    right = prefix[hi] - prefix[idx]
    num = np.einsum("ij,ij->i", left, right)
    den = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    sim = np.divide(num, den, out=np.ones(n), where=den > 0)
    sim[0] = 1.0
    return sim


def _depth(sim: np.ndarray, times: np.ndarray, reach: float) -> np.ndarray:
    """TextTiling depth: how far each point sits below the highest similarity on each side."""
    n = len(sim)
    lo = np.searchsorted(times, times - reach, side="left")
    hi = np.searchsorted(times, times + reach, side="right")
    depth = np.zeros(n)
    for i in range(1, n):
        left_peak = sim[lo[i] : i + 1].max()
        right_peak = sim[i : hi[i]].max()
        depth[i] = (left_peak - sim[i]) + (right_peak - sim[i])
    return depth


def _zscore(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    sample = values[valid]
    if sample.size < 2:
        return np.zeros_like(values)
    std = float(sample.std())
    if std <= 1e-12:
        return np.zeros_like(values)
    return (values - float(sample.mean())) / std


def _lexical_vectors(texts: Sequence[str]) -> np.ndarray:
    """Sentence x stem matrix, tf-idf weighted, over stems seen in at least two sentences."""
    stems = [french.content_stems(t) for t in texts]
    df = Counter(s for row in stems for s in set(row))
    # Stems seen once cannot link two windows; the vocabulary is capped so that memory stays
    # bounded on very long shows (the most widespread stems are kept, ties broken alphabetically).
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


def _content_score(
    texts: Sequence[str], times: np.ndarray, end_time: float, vectors: np.ndarray, window: float
) -> np.ndarray:
    """Boundary strength from embeddings and lexical cohesion, in z-score units (0 near the edges)."""
    weights = np.array([max(1, len(t.split())) for t in texts], dtype=np.float64)
    # Near either end one window is cut short and always looks "different": no evidence there,
    # intros and outros are found from the host's cues instead.
    valid = (times - times[0] >= window / 2) & (end_time - times >= window / 2)
    valid[0] = False
    score = np.zeros(len(texts))
    vectors = vectors.astype(np.float64)
    lexical = _lexical_vectors(texts)
    ones = np.ones(len(texts))
    # Two scales: the long window is stable, the half window sharpens where the change is.
    for scale, share in ((1.0, 0.6), (0.5, 0.4)):
        w = window * scale
        emb = _depth(_window_similarity(vectors, weights, times, w), times, w)
        lex = _depth(_window_similarity(lexical, ones, times, w), times, w)
        score += share * ((1 - LEXICAL_WEIGHT) * _zscore(emb, valid) + LEXICAL_WEIGHT * _zscore(lex, valid))
    score[~valid] = 0.0
    return score


# --------------------------------------------------------------------------------- host cues


def _cue_scores(
    texts: Sequence[str], times: np.ndarray, speakers: Sequence[str | None] = ()
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score added at each sentence start by host cues, whether the cue is strong, ad-break edges."""
    n = len(texts)
    bonus = np.zeros(n)
    strong = np.zeros(n, dtype=bool)
    ad_edge = np.zeros(n, dtype=bool)
    closing = [bool(cues.CLOSING.search(t)) for t in texts]
    opening = [bool(i and cues.OPENING.search(t)) for i, t in enumerate(texts)]
    ad = [bool(cues.AD.search(t)) for t in texts]

    def mark(k: int, edge: bool = False) -> None:
        if 0 < k < n:
            bonus[k] += CUE_STRONG
            strong[k] = True
            ad_edge[k] |= edge

    for i, text in enumerate(texts):
        if opening[i]:
            mark(i)
        if closing[i]:
            # the new part starts at the first sentence after the closing run (thanks, teaser)
            k = i + 1
            while k < n and closing[k] and times[k] - times[i] < 30:
                k += 1
            mark(k)
        if cues.GREETING.search(text) or cues.RUBRIC.search(text):
            lo = np.searchsorted(times, times[i] - 45.0, side="left")
            for j in range(max(1, lo), i + 1):
                bonus[j] += CUE_WEAK
    # With speaker labels, a voice heard for the first time after the opening is a new guest's part.
    seen: set[str] = set()
    for i, who in enumerate(speakers):
        key = (who or "").strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        if len(seen) > 1 and times[i] - times[0] > 60:
            lo = np.searchsorted(times, times[i] - 45.0, side="left")
            for j in range(max(1, lo), i + 1):
                bonus[j] += CUE_WEAK
    # An ad break is short and sits between two parts: its first sponsor line starts it, and the
    # host's return (or the line after the last sponsor mention) ends it.
    i = 0
    while i < n:
        if not ad[i]:
            i += 1
            continue
        last = i
        while last + 1 < n and (
            ad[last + 1] or (times[last + 1] - times[last] < 20 and not opening[last + 1])
        ):
            if ad[last + 1] or any(ad[last + 2 : last + 4]):
                last += 1
            else:
                break
        mark(i, edge=True)
        back = next((k for k in range(last + 1, n) if opening[k] and times[k] - times[last] <= 120), last + 1)
        mark(back, edge=True)
        i = max(back, last + 1)
    return bonus, strong, ad_edge


def _outro_start(texts: Sequence[str], times: np.ndarray, end_time: float) -> int | None:
    """First sentence of the closing run of thanks and farewells that ends the show, if any."""
    n = len(texts)
    zone = min(OUTRO_ZONE_S, 0.15 * (end_time - times[0]))
    first = None
    misses = 0  # the run may hold a line that matches no pattern ("je rappelle que vous êtes...")
    for i in range(n - 1, 0, -1):
        if end_time - times[i] > zone:
            break
        if cues.FAREWELL.search(texts[i]) or cues.CLOSING.search(texts[i]):
            first, misses = i, 0
        else:
            misses += 1
            if misses > (2 if first is None else 1):
                break
    if first is not None and end_time - times[first] >= 3.0:
        return first
    return None


# ------------------------------------------------------------------------------ peak picking


def _find_bounds(
    texts: Sequence[str],
    times: np.ndarray,
    end_time: float,
    vectors: np.ndarray,
    min_segment_s: float,
    speakers: Sequence[str | None] = (),
) -> list[int]:
    """Sentence indexes where a new segment starts (excluding 0)."""
    n = len(texts)
    duration = end_time - times[0]
    # About three minutes of speech on each side (short windows over-segment), never more than a
    # quarter of the show so that a 15-minute podcast still has room for several topics.
    window = float(min(WINDOW_S, max(duration / 4, 30.0)))
    content = _content_score(texts, times, end_time, vectors, window)
    bonus, strong, ad_edge = _cue_scores(texts, times, speakers)
    score = content + bonus
    short_gap = max(min_segment_s / 2, INTRO_MIN_S * 2)

    chosen: dict[int, bool] = {}  # index -> cue-backed
    outro = _outro_start(texts, times, end_time)
    if outro is not None:
        chosen[outro] = True
    # The intro is one short part: it ends at the last host cue of the opening minutes (the
    # announcement of the topics often holds several "on va parler de" before the first one starts).
    intro_zone = min(min_segment_s, 0.2 * duration)
    intro = [i for i in range(1, n) if strong[i] and INTRO_MIN_S <= times[i] - times[0] <= intro_zone]
    # ...and only when the show opens like one (greeting, programme), not straight into a subject.
    if intro and (outro is None or intro[-1] < outro) and cues.ANNOUNCE.search(" ".join(texts[: intro[-1]])):
        chosen[intro[-1]] = True

    for i in sorted(range(1, n), key=lambda k: (-score[k], k)):
        if score[i] <= THRESHOLD:
            break
        cue = bool(strong[i])
        if times[i] - times[0] < min_segment_s:
            continue
        # Without a cue, only content speaks: it needs a whole window of speech on each side
        # (nearer an edge one window is cut short and any text looks like it changes subject).
        if not cue and min(times[i] - times[0], end_time - times[i]) < window:
            continue
        if end_time - times[i] < (INTRO_MIN_S if cue else min_segment_s):
            continue
        if outro is not None and i > outro:
            continue
        ok = True
        for j, other_cue in chosen.items():
            gap = abs(times[i] - times[j])
            if ad_edge[i] and ad_edge[j]:
                need = INTRO_MIN_S  # the two sides of an ad break
            else:
                need = short_gap if (cue and other_cue) else min_segment_s
            if gap < need:
                ok = False
                break
        if ok:
            chosen[i] = cue
    return sorted(chosen)


# ---------------------------------------------------------------------------- kinds and titles


def _build(
    episode: Episode,
    texts: Sequence[str],
    times: np.ndarray,
    end_time: float,
    cuts: list[int],
    timed: bool,
    min_segment_s: float,
) -> list[Segment]:
    spans = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    kinds = _kinds(episode, texts, times, end_time, spans, min_segment_s)
    titles = _titles(episode, texts, spans, kinds)
    segments = []
    for index, ((a, b), kind, title) in enumerate(zip(spans, kinds, titles, strict=True)):
        start = float(times[a]) if timed else None
        end = (float(times[b]) if b < len(texts) else float(end_time)) if timed else None
        segments.append(
            Segment(index=index, first=a, last=b, start_s=start, end_s=end, title=title, kind=kind)
        )
    return segments


def _names(episode: Episode) -> list[str]:
    """Guest names from the description, to tell an interview (one guest) from a debate."""
    return [g.name for g in episode.guests if g.name]


def _kinds(
    episode: Episode,
    texts: Sequence[str],
    times: np.ndarray,
    end_time: float,
    spans: list[tuple[int, int]],
    min_segment_s: float,
) -> list[str]:
    kinds = []
    guests = _names(episode)
    last = len(spans) - 1
    for k, (a, b) in enumerate(spans):
        start = times[a]
        stop = times[b] if b < len(texts) else end_time
        length = stop - start
        body = texts[a:b]
        joined = " ".join(body)
        if len(spans) == 1:
            kinds.append("topic")
        elif (
            k == 0
            and length <= max(min_segment_s * 1.5, 0.12 * (end_time - times[0]))
            and cues.ANNOUNCE.search(joined)
        ):
            kinds.append("intro")
        elif (
            k == last
            and length <= OUTRO_ZONE_S
            and (cues.FAREWELL.search(joined) or cues.CLOSING.search(joined))
        ):
            kinds.append("outro")
        elif length <= 240 and len(cues.AD.findall(joined)) >= 2:
            kinds.append("ad")
        elif length < 30:
            kinds.append("transition")
        elif _is_interview(body, times[a:b], guests):
            kinds.append("interview")
        else:
            kinds.append("topic")
    return kinds


def _is_interview(body: Sequence[str], times: np.ndarray, guests: Sequence[str]) -> bool:
    """A guest greeted near the start, and only one guest named in the part."""
    head = [t for t, s in zip(body, times, strict=True) if s - times[0] <= 60]
    if not any(cues.GREETING.search(t) for t in head):
        return False
    joined = " ".join(body)
    if guests:
        named = {g for g in guests if any(part in joined for part in g.split() if len(part) > 3)}
        return len(named) == 1
    return bool(cues.CLOSING.search(" ".join(body[-6:])))


_KIND_LABELS = {
    "intro": "Ouverture",
    "outro": "Fin de l'émission",
    "ad": "Publicité",
    "transition": "Transition",
}


def _titles(
    episode: Episode, texts: Sequence[str], spans: list[tuple[int, int]], kinds: list[str]
) -> list[str]:
    """Each segment's best noun phrases (generator.topics.titles), after a label for intros and breaks."""
    model = TitleModel(texts, exclude=episode.known_names)
    return [
        _title_for(kind, model.title(a, b, capitalise=kind not in _KIND_LABELS))
        for (a, b), kind in zip(spans, kinds, strict=True)
    ]


def _title_for(kind: str, title: str) -> str:
    if kind == "outro" or (kind in ("ad", "transition") and not title):
        return _KIND_LABELS[kind]
    if not title:
        return _KIND_LABELS.get(kind, "Sujet")
    return f"{_KIND_LABELS[kind]} : {title}" if kind in _KIND_LABELS else title
