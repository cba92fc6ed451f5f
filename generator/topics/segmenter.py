"""Episode -> [Segment]: topic boundaries with timestamps, offline and deterministic.

1. Every sentence is embedded once (multilingual USE). At each sentence start the speech of the
   preceding and following windows is compared (embeddings and lexical cohesion, two scales); the
   depth of each similarity valley, in standard scores, is the only evidence that makes a boundary.
2. Host cues, a new voice and a long pause add weight where the content already dips; ad breaks
   and jingles (asides) are never the start of a subject: their evidence moves to their end. The
   page's headings and bold questions, and in a transcript labelled by speaker a question asked
   after another speaker's minute-long answer, are marks: strong cues (MARK_WEIGHT).
3. The intro ends where the greeting, the running order and any round of the panel's greetings end;
   the outro is the closing farewells; chapters given by the publisher are strong hints.
4. The number of topics follows a length prior adjusted by valley strength (topics/pick.py); a
   part shorter than the minimum joins its more similar neighbour.
5. Each segment gets a kind and a title made of its best noun phrases (topics/titles.py).
Text without timestamps runs on pseudo-times from word counts; its segments carry no times.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from generator.i18n import ngettext
from generator.model import Aside, Episode, Segment
from generator.topics import cues, evidence, pick, units
from generator.topics.embeddings import SentenceEmbedder, USEEmbedder
from generator.topics.titles import TitleModel

# Speech rate for text without timestamps: 2.4 words/s measured on human subtitles of a real
# 88-min interview, 3.0 on automatic captions of a 34-min one; 2.5 (150 words a minute) between.
WORDS_PER_SECOND = 2.5
START_WORDS = 12  # words of a segment's first sentence kept as its position (`start_text`)
INTRO_MIN_S = 15.0  # an intro or outro can be this short when cues delimit it
INTRO_ZONE_S = 180.0  # the greeting and the running order fit in the first three minutes
PROGRAMME_GAP_S = 30.0  # announcement lines further apart than this are no longer one running order
OUTRO_ZONE_S = 120.0  # the farewell is looked for in the last two minutes at most
CHAPTER_SNAP_S = 20.0  # a chapter mark is matched to a sentence start this close (caption jitter)
# A heading or a bold question of the page, or a question asked after a minute-long answer by another
# speaker (`evidence.question_turns`): a strong cue, worth a valley one standard deviation deep (twice a
# host phrase). The `real_change` test does not veto it: that test judges relative scores, while a
# mark is the author's (or the interviewer's) own statement that something new starts. It still needs
# the content to dip there to count beyond the length prior.
MARK_WEIGHT = 1.0
MIN_SEGMENT_MIN_S = 60.0  # no topic under a minute (issue 13)
WINDOW_MAX_S = 180.0  # the comparison window's cap (three minutes of speech, the earlier design's)
# The name a greeting addresses ("Bonjour Inès.", "Bonsoir Yannick Le Goff"), to tell a round of guests.
_GREETED = re.compile(
    r"\b(?:bonjour|bonsoir|salut),? (?!à |tout le monde)((?-i:[A-ZÉÈ])[\w-]+)", re.IGNORECASE
)


def segment(
    episode: Episode,
    *,
    min_segment_s: float | None = None,
    embedder: SentenceEmbedder | None = None,
    progress: Callable[[str], None] | None = None,
    use_cues: bool = True,
    marks: Sequence[int] | None = None,
) -> list[Segment]:
    """Split an episode into topic segments (intro/topic/interview/outro) with titles and asides.

    `min_segment_s` None adapts the minimum topic length to the episode (see adaptive_min_segment);
    a number is honoured as given. `use_cues` False ignores every host phrase (the ablation).
    `marks`: sentence indexes where the page's own structure starts a part (a heading, a host
    question in bold, an untimed chapter): strong cues, not ground truth (they may be too fine).
    None reads them from the episode (`page_marks`).
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
    breaks = evidence.asides(texts, times) if use_cues else []

    vectors = None
    if n >= 4 and duration >= 2 * min_segment_s:
        if embedder is None:
            embedder = USEEmbedder()
        if progress:
            progress(
                ngettext("découpage : plongement de {n} phrase", "découpage : plongement de {n} phrases", n)
            )
        unit = units.build(texts, times, end_time, [u.speaker for u in utts], [u.end_s for u in utts])
        vectors = np.asarray(embedder.embed(unit.texts), dtype=np.float64)
        marks = page_marks(episode) if marks is None else marks
        unit_marks = units.from_sentences(marks, unit) if use_cues else []
        found = _find_bounds(episode, unit, end_time, vectors, min_segment_s, use_cues, unit_marks)
        cuts_u, intro, outro = (
            found[0],
            units.to_sentence(found[1], unit, times),
            units.to_sentence(found[2], unit, times),
        )
        cuts = sorted({units.to_sentence(c, unit, times) for c in cuts_u})
    else:
        outro = _outro_start(texts, times, end_time) if use_cues else None
        ok = outro is not None and n >= 4 and duration >= 4 * INTRO_MIN_S
        cuts, intro, outro = ([0, outro, n] if ok else [0, n]), None, (outro if ok else None)
    return _build(episode, texts, times, end_time, cuts, intro, outro, breaks)


def as_json(segments: Sequence[Segment]) -> list[dict]:
    """Segments as JSON-ready dicts (times in seconds and as strings), ad breaks and jingles included."""
    return [
        {
            "start_s": s.start_s,
            "end_s": s.end_s,
            "start": s.start,
            "end": s.end,
            "title": s.title,
            "kind": s.kind,
            "asides": [{"kind": a.kind, "start_s": a.start_s, "end_s": a.end_s} for a in s.asides],
            "start_text": s.start_text,
            "sentences": [s.first, s.last],
            "approx_start_s": s.approx_start_s,
            "approx_start": s.approx_start,
        }
        for s in segments
    ]


def page_marks(episode: Episode) -> list[int]:
    """Sentences the page sets apart: under a heading, or a question in bold in its own paragraph."""
    return [i for i, u in enumerate(episode.utterances) if i and (u.heading or u.set_apart)]


def start_words(text: str, n: int = START_WORDS) -> str:
    """The first words of a sentence as it stands (its position in an untimed transcript)."""
    return " ".join(text.split()[:n])


def adaptive_min_segment(duration_s: float) -> float:
    """Minimum topic length: 90 s, or a sixth of a show shorter than 9 minutes, never under 60 s.

    Under about 90 s a part is an ad, a jingle or a transition, not a topic (issue 13); a short
    podcast still needs room for three subjects, hence a sixth of it; under a minute nothing is a topic.
    """
    return float(min(pick.MIN_PART_S, max(MIN_SEGMENT_MIN_S, duration_s / 6)))


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
    starts = _spread(np.maximum.accumulate(starts), n_words)
    last = utts[-1]
    end = last.end_s if _finite(last.end_s) else None
    end_time = max(float(starts[-1]) + n_words[-1] / WORDS_PER_SECOND, float(end or 0.0))
    ends = [u.end_s for u in utts if _finite(u.end_s)]
    if ends:
        end_time = max(end_time, max(ends))
    return starts, end_time


def _spread(starts: np.ndarray, n_words: np.ndarray) -> np.ndarray:
    """Sentences sharing one start (a speaker block, a caption of several sentences) spread by words."""
    out = starts.copy()
    n = len(starts)
    i = 0
    while i < n:
        j = i
        while j + 1 < n and starts[j + 1] == starts[i]:
            j += 1
        if j > i:
            own = np.cumsum(n_words[i:j]) / WORDS_PER_SECOND  # speech before each later sentence
            room = (starts[j + 1] - starts[i]) if j + 1 < n else own[-1] + n_words[j] / WORDS_PER_SECOND
            total = own[-1] + n_words[j] / WORDS_PER_SECOND
            scale = min(1.0, room / total) if total > 0 else 0.0
            out[i + 1 : j + 1] = starts[i] + own * scale
        i = j + 1
    return out


# --------------------------------------------------------------------------------- intro/outro


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


# --------------------------------------------------------------------------------- boundaries


def _find_bounds(
    episode: Episode,
    unit: units.Units,
    end_time: float,
    vectors: np.ndarray,
    min_segment_s: float,
    use_cues: bool,
    marks: Sequence[int] = (),
) -> tuple[list[int], int | None, int | None]:
    """Unit indexes: segment starts (0 and the end included), the intro's end and the outro's start."""
    texts, times = unit.texts, unit.times
    n = len(texts)
    breaks = evidence.asides(texts, times) if use_cues else []
    window = _window(times, end_time, min_segment_s)
    content = evidence.content_score(texts, times, end_time, vectors, window)
    # Cues weigh on a content valley, never alone. Host phrases also count when judging whether the
    # show has more subjects than its length suggests; voices and pauses only help place a boundary.
    # (A turn change alone says nothing: conversations change speaker all the time.)
    phrases = evidence.phrase_weights(units.cue_texts(unit)) if use_cues else np.zeros(n)
    signals = evidence.signal_weights(times, unit.speakers, unit.ends)
    judge = content + np.where(content > 0, phrases, 0.0)
    if use_cues:  # the interviewer's next question after a long answer marks the speech itself
        marks = sorted({*marks, *evidence.question_turns(texts, times, unit.speakers)})
    marks = [m for m in marks if 0 < m < n]
    judge[marks] += MARK_WEIGHT  # the page's structure weighs where the content changes at all
    score = judge + np.where(content > 0, signals, 0.0)
    weights = np.array([max(1, len(t.split())) for t in texts], dtype=np.float64)
    same = ~evidence.real_change(vectors, weights, times, window)
    same[marks] = False  # a mark is a stated change, not a relative score: that test does not veto it
    score[same], judge[same] = 0.0, 0.0
    for first, last, _ in breaks:  # a subject starts after a break, never at it or inside it
        for arr in (score, judge):
            if last < n:
                arr[last] = max(arr[last], float(arr[first : last + 1].max()))
            arr[first:last] = -np.inf
    outro = _outro_start(texts, times, end_time) if use_cues else None
    intro = _intro_end(texts, times, end_time, outro, episode.host) if use_cues else None
    chapters = _chapter_starts(episode, times)
    lo, hi = intro or 0, outro or n
    hi_time = float(times[hi]) if hi < n else float(end_time)
    fixed = [c for c in chapters if lo < c < hi]
    inner = pick.strongest(score, times, lo, hi, hi_time, fixed, min_segment_s, content=judge)
    keep = {0, n} | {c for c in (intro, outro) if c is not None} | set(fixed)
    cuts = pick.merge_short([0, *keep - {0, n}, *inner, n], times, end_time, vectors, keep, min_segment_s)
    cuts = pick.split_long(cuts, score, times, end_time, min_segment_s)
    return cuts, intro, outro


def _window(times: np.ndarray, end_time: float, min_segment_s: float) -> float:
    """Half the prior topic length on each side (at least one minimum topic, at most three minutes).

    Half a typical subject of speech on each side: longer windows blur neighbouring topics together,
    shorter ones see every change of angle inside a topic.
    """
    span = end_time - times[0]
    prior, _ = pick.topic_prior(span, min_segment_s)
    return float(min(WINDOW_MAX_S, max(min_segment_s, span / prior / 2)))


def _intro_end(
    texts: Sequence[str], times: np.ndarray, end_time: float, outro: int | None, host: str | None = None
) -> int | None:
    """First sentence after the greeting, the running order and a round of the guests, if the show opens so."""
    n = len(texts)
    t0 = times[0]
    zone = min(INTRO_ZONE_S, 0.2 * (end_time - t0))
    last = None
    for i in range(n):
        if times[i] - t0 > zone:
            break
        if cues.ANNOUNCE.search(texts[i]):
            if last is None and times[i] - t0 > PROGRAMME_GAP_S:
                return None  # the show opens straight into a subject: no intro
            if last is not None and times[i] - times[last] > PROGRAMME_GAP_S:
                break
            last = i
    if last is None or last + 1 >= n:
        return None
    j = last + 1
    # The running order may go on without a cue ("ensuite...", "et pour finir..."): the first subject
    # starts at the next host cue or after the "let's start" line, within the same half-minute.
    k = j
    while k < n and times[k] - times[j] <= PROGRAMME_GAP_S:
        if k > j and cues.START.search(texts[k - 1]):
            j = k
            break
        if cues.OPENING.search(texts[k]) or cues.GREETING.search(texts[k]):  # a rubric may be announced
            j = k
            break
        k += 1
    j = _after_round_of_guests(texts, times, j, t0 + zone, host)
    if times[j] - t0 < INTRO_MIN_S or times[j] - t0 > zone or (outro is not None and j >= outro):
        return None
    return j


def _after_round_of_guests(
    texts: Sequence[str], times: np.ndarray, j: int, zone_end: float, host: str | None
) -> int:
    """Where the first subject starts when the opening greets the whole panel before any subject.

    Greetings to several people in a row (each within half a minute of the last, the first within a
    minute of `j`) present the panel: the first subject starts after them, at the host's "on commence"
    when it comes within half a minute. One guest greeted (and greeting back) opens their interview:
    `j` stays. With no host known, the host greeted back by each guest counts as one more name.
    """
    host_words = {w.lower() for w in (host or "").split()}
    names: set[str] = set()
    last = None
    for k in range(j, len(texts)):
        since = times[k] - times[j if last is None else last]
        if times[k] > zone_end or since > (2 if last is None else 1) * PROGRAMME_GAP_S:
            break
        greeted = _GREETED.search(texts[k])
        if greeted and greeted.group(1).lower() not in host_words:
            names.add(greeted.group(1).lower())
            last = k
    if last is None or len(names) < (2 if host_words else 3):
        return j
    for k in range(last + 1, len(texts)):
        if times[k] - times[last] > PROGRAMME_GAP_S:
            break
        if cues.OPENING.search(texts[k]) or cues.START.search(texts[k]):
            return k
    return last + 1


def _chapter_starts(episode: Episode, times: np.ndarray) -> list[int]:
    """Sentence indexes of the publisher's chapter marks (strong hints), when the episode has them."""
    out = []
    for chapter in episode.chapters:
        if not _finite(chapter.start_s):
            continue
        i = int(np.searchsorted(times, chapter.start_s, side="left"))
        near = [k for k in (i - 1, i) if 0 < k < len(times)]
        if near:
            k = min(near, key=lambda k: abs(times[k] - chapter.start_s))
            if abs(times[k] - chapter.start_s) <= CHAPTER_SNAP_S:
                out.append(k)
    return sorted(set(out))


# ---------------------------------------------------------------------------- kinds and titles


def _build(
    episode: Episode,
    texts: Sequence[str],
    times: np.ndarray,
    end_time: float,
    cuts: list[int],
    intro: int | None,
    outro: int | None,
    breaks: Sequence[tuple[int, int, str]],
) -> list[Segment]:
    timed = any(_finite(u.start_s) for u in episode.utterances)
    spans = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    kinds = _kinds(episode, texts, times, spans, intro, outro)
    # Sponsor reads and jingles would name the sponsor, not the subject: no heading comes from them.
    aside_of = {i for first, last, _ in breaks for i in range(first, last)}
    titles = _titles(episode, [("" if i in aside_of else t) for i, t in enumerate(texts)], spans, kinds)

    def at(i: int) -> float | None:
        if not timed:
            return None
        return float(times[i]) if i < len(texts) else float(end_time)

    segments = []
    for index, ((a, b), kind, title) in enumerate(zip(spans, kinds, titles, strict=True)):
        inside = tuple(Aside(k, f, min(e, b), at(f), at(min(e, b))) for f, e, k in breaks if a <= f < b)
        approx = None if timed else float(times[a])
        head = start_words(texts[a])
        segments.append(Segment(index, a, b, at(a), at(b), title, kind, inside, head, approx))
    return segments


def _names(episode: Episode) -> list[str]:
    """Guest names from the description, to tell an interview (one guest) from a debate."""
    return [g.name for g in episode.guests if g.name]


def _kinds(
    episode: Episode,
    texts: Sequence[str],
    times: np.ndarray,
    spans: list[tuple[int, int]],
    intro: int | None,
    outro: int | None,
) -> list[str]:
    guests = _names(episode)
    kinds = []
    for k, (a, b) in enumerate(spans):
        if len(spans) > 1 and k == 0 and intro is not None and b == intro:
            kinds.append("intro")
        elif len(spans) > 1 and outro is not None and a == outro:
            kinds.append("outro")
        elif _is_interview(texts[a:b], times[a:b], guests):
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


_KIND_LABELS = {"intro": "Ouverture", "outro": "Fin de l'émission"}


def _titles(
    episode: Episode, texts: Sequence[str], spans: list[tuple[int, int]], kinds: list[str]
) -> list[str]:
    """Each segment's best noun phrases (topics/titles.py), after a label for the intro and outro."""
    model = TitleModel(texts, exclude=speaker_names(episode))
    return [
        _title_for(kind, model.title(a, b, capitalise=kind not in _KIND_LABELS))
        for (a, b), kind in zip(spans, kinds, strict=True)
    ]


def speaker_names(episode: Episode) -> tuple[str, ...]:
    """Host, guests and the names speakers are labelled with: never the subject of a heading."""
    labels = {u.speaker for u in episode.utterances if u.speaker and u.speaker[:1].isupper()}
    return (*episode.known_names, *sorted(labels))


def _title_for(kind: str, title: str) -> str:
    if kind == "outro":
        return _KIND_LABELS[kind]
    if not title:
        return _KIND_LABELS.get(kind, "Sujet")
    return f"{_KIND_LABELS[kind]} : {title}" if kind in _KIND_LABELS else title
