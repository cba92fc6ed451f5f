"""The offline backend: representative sentences, key points, quotable lines and titles, no LLM.

Fully deterministic: TF-IDF (or sentence embeddings when an embedder is handed in) for centrality,
maximal marginal relevance for diversity, simple lexical cues for quotability.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from generator import language
from generator.i18n import _
from generator.language import content_stems, split_words
from generator.model import Episode, Quote, RejectedQuote, Segment, SegmentSummary
from generator.topics import TitleModel
from generator.writing import grounding, sections, tidy
from generator.writing.quotes import Verifier

TOPIC_KINDS = ("topic", "interview")
SUMMARY_MIN, SUMMARY_MAX = 3, 5
QUOTE_MIN_WORDS, QUOTE_MAX_WORDS = 8, 40
MMR_LAMBDA = 0.7

_FIRST_PERSON = re.compile(r"\b(?:je|j'|j’|moi|nous|on|mon|ma|mes|notre|nos)\b", re.IGNORECASE)
_CONVICTION = re.compile(
    r"\b(?:crois|pense|suis convaincue?|faut|jamais|toujours|absolument|clairement|vraiment|évidemment|"
    r"fondamentalement|le vrai|la vraie|la question|le problème|l'enjeu|c'est (?:un|une|le|la)|"
    r"comme (?:un|une|le|la|si)|autrement dit)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"(?<=[,;:])\s+")
_CONNECTIVE = re.compile(r"(?:et|mais|donc|alors|or|puis|parce|ensuite|bref|enfin)\b", re.IGNORECASE)
_GREETING = re.compile(r"\b(?:bonjour|bonsoir|merci|bienvenue|au revoir)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Sentence:
    index: int  # episode utterance index
    text: str
    words: int


def _word_count(text: str) -> int:
    return len(split_words(text)) + len(re.findall(r"\d+", text))


class _Vectors:
    """TF-IDF vectors of all episode sentences (IDF over the episode, so topic words weigh more)."""

    def __init__(self, texts: Sequence[str]) -> None:
        docs = [content_stems(t) for t in texts]
        vocab: dict[str, int] = {}
        for doc in docs:
            for w in doc:
                vocab.setdefault(w, len(vocab))
        df = Counter(w for doc in docs for w in set(doc))
        n = max(len(docs), 1)
        self.idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
        self.vocab = vocab
        mat = np.zeros((len(docs), max(len(vocab), 1)), dtype=np.float32)
        for i, doc in enumerate(docs):
            for w, c in Counter(doc).items():
                mat[i, vocab[w]] = (1 + math.log(c)) * self.idf[w]
        norms = np.linalg.norm(mat, axis=1, keepdims=True)
        self.matrix = mat / np.where(norms == 0, 1, norms)


def _mmr(sim: np.ndarray, relevance: np.ndarray, candidates: list[int], k: int) -> list[int]:
    """Maximal marginal relevance: relevant picks that do not repeat each other."""
    chosen: list[int] = []
    pool = list(candidates)
    while pool and len(chosen) < k:

        def score(i: int) -> float:
            redundancy = max((float(sim[i, j]) for j in chosen), default=0.0)
            return MMR_LAMBDA * float(relevance[i]) - (1 - MMR_LAMBDA) * redundancy

        best = max(pool, key=lambda i: (score(i), -i))
        chosen.append(best)
        pool.remove(best)
    return chosen


def quotability(text: str, centrality: float = 0.0) -> float:
    """How quotable a clause is: first-person conviction, figures, images; 8 to 40 words only."""
    n = _word_count(text)
    if n < QUOTE_MIN_WORDS or n > QUOTE_MAX_WORDS or text.rstrip().endswith("?") or _GREETING.search(text):
        return 0.0
    score = centrality
    score += 0.6 if _FIRST_PERSON.search(text) else 0.0
    score += 0.4 * min(2, len(_CONVICTION.findall(text)))
    score += 0.5 if language.figures(text) else 0.0
    score += 0.2 if 12 <= n <= 30 else 0.0
    # Quotes stay verbatim: prefer the lines that need no tidying (no opening tic, filler or stutter).
    score -= 0.6 if tidy.opens_with_tic(text) else 0.0
    score -= 0.5 * min(2, tidy.filler_count(text))
    tidied = tidy.pieces(text)
    if not tidied or not tidy.informative(tidied[0], strict=False):
        return 0.0  # chit-chat, a question, a line that trails off: no quote
    score -= 0.5 if tidy.word_count(tidied[0]) < tidy.word_count(text) else 0.0  # a stutter or a filler
    return score


def _spans(text: str) -> list[str]:
    """The sentence and its endings at clause boundaries: a long spoken sentence often ends on its point.

    Only suffixes: a quote that stops mid-sentence on a comma reads as cut off.
    """
    clauses = [c for c in _CLAUSE.split(text) if c]
    spans = [text]
    for i in range(1, len(clauses)):
        span = " ".join(clauses[i:])
        if span[:1].isalpha():
            spans.append(span)
    return spans


def importance(summary_sentences: int, words: int, figures: int, quotables: int, kind: str) -> float:
    """A deterministic weight for ordering sections: length, figures, quotable lines, kind."""
    score = math.log1p(words) + 0.3 * min(figures, 5) + 0.5 * min(quotables, 3) + 0.2 * summary_sentences
    return round(score * (1.1 if kind == "interview" else 1.0), 4)


def _segment_sentences(episode: Episode, segment: Segment) -> list[_Sentence]:
    """The segment's utterances as said (for quotes): ad breaks, jingles and lines addressed to a model left out."""
    aside = {i for a in segment.asides for i in range(a.first, a.last)}
    return [
        _Sentence(i, episode.utterances[i].text, _word_count(episode.utterances[i].text))
        for i in range(segment.first, segment.last)
        if i not in aside
        and not tidy.addresses_model(episode.utterances[i].text, episode.utterances[i].speaker)
    ]


def _readable_pieces(sentences: Sequence[_Sentence]) -> list[_Sentence]:
    """Each sentence tidied by deleting words (tics, fillers, stutters) and cut at clause boundaries."""
    out: dict[str, _Sentence] = {}
    for s in sentences:
        for p in tidy.pieces(s.text):
            out.setdefault(p, _Sentence(s.index, p, tidy.word_count(p)))
    return list(out.values())


def _similarity(sentences: Sequence[_Sentence], matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pairwise similarity, relevance to the segment's centroid) of the segment's sentences."""
    rows = np.array([s.index for s in sentences], dtype=int)
    seg = matrix[rows] if len(rows) else np.zeros((0, matrix.shape[1]), dtype=np.float32)
    sim = seg @ seg.T if len(rows) else np.zeros((0, 0))
    centroid = seg.mean(axis=0) if len(rows) else None
    if centroid is not None and np.linalg.norm(centroid) > 0:
        relevance = seg @ (centroid / np.linalg.norm(centroid))
    else:
        relevance = np.zeros(len(sentences))
    return sim, relevance


def _summary_candidates(sentences: Sequence[_Sentence], known: Sequence[str] = ()) -> list[int]:
    """Positions of complete, informative statements; the 'named thing' bar drops when too few pass."""
    good = [k for k, s in enumerate(sentences) if tidy.informative(s.text, known)]
    if len(good) < SUMMARY_MIN:
        good = [k for k, s in enumerate(sentences) if tidy.informative(s.text, known, strict=False)]
    return good


def _pick_summary(
    sentences: Sequence[_Sentence], sim: np.ndarray, relevance: np.ndarray, good: list[int]
) -> list[int]:
    """Positions of the summary's sentences, in transcript order: central, diverse, self-standing."""
    k = max(SUMMARY_MIN, min(SUMMARY_MAX, len(sentences) // 6))
    # A sentence opening on a connective ("Et", "Mais", "Donc") leans on the one before it: it reads
    # worse out of context, so it needs to be clearly more central to be picked.
    weights = np.array([0.85 if _CONNECTIVE.match(s.text.strip()) else 1.0 for s in sentences])
    return sorted(_mmr(sim, relevance * weights if len(weights) else relevance, good, k))


def _enumeration(said: Sequence[_Sentence]) -> list[str]:
    """The points of a list the segment spells out (ranks 1, 2, 3 in order, close together), tidied."""
    run: list[_Sentence] = []
    for s in said:
        rank = tidy.list_rank(s.text)
        if rank is None:
            continue
        if rank == len(run) + 1 and (not run or s.index - run[-1].index <= 6):
            run.append(s)
        elif rank == 1:
            run = [s]
        if len(run) >= 3 and rank == len(run) and rank < 3:
            break
    if len(run) < 3:
        return []
    points = [p for s in run for p in tidy.pieces(tidy.strip_ordinal(s.text))[:1]]
    return points if len(points) == len(run) and all(not tidy.dangling(p) for p in points) else []


def _key_points(
    said: Sequence[_Sentence], sentences: Sequence[_Sentence], good: list[int], picked: list[int]
) -> tuple[list[str], bool]:
    """(key points, numbered synthesis): the points of a list the segment enumerates, else figures."""
    listed = _enumeration(said)
    if listed:
        return listed[:5], True
    key_points = [
        sentences[i].text.strip()
        for i in good
        if i not in picked and language.figures(sentences[i].text) and sentences[i].words <= 40
    ]
    return key_points[:3], False


def _pick_quotes(
    sentences: Sequence[_Sentence],
    relevance: np.ndarray,
    segment: Segment,
    verifier: Verifier,
    in_summary: frozenset[int] = frozenset(),
) -> tuple[list[Quote], list[RejectedQuote]]:
    """Up to two verified quotes, one per sentence, from the most quotable clause runs.

    Lines the summary already says weigh less: a reader should not read the same words twice.
    """
    candidates: list[tuple[float, int, str]] = []
    # In a long segment, the lines least like the rest are asides; a short one has no such statistics.
    middle = float(np.median(relevance)) if len(relevance) >= 20 else float("-inf")
    for k_i, s in enumerate(sentences):
        if relevance[k_i] < middle and not tidy.names_something(s.text.split(",")[-1]):
            continue  # off the topic (an aside, a word about the studio) and naming nothing
        for span in _spans(s.text):
            q = quotability(span, float(relevance[k_i]) if len(relevance) else 0.0)
            if q > 0:
                candidates.append((q, k_i, span))
    candidates = [(q - (0.4 if sentences[k].index in in_summary else 0.0), k, t) for q, k, t in candidates]
    candidates.sort(key=lambda c: (-c[0], c[1]))
    quotes: list[Quote] = []
    rejected: list[RejectedQuote] = []
    used_sentences: set[int] = set()
    for _score, k_i, span in candidates:
        if len(quotes) >= 2:
            break
        if k_i in used_sentences:
            continue
        # Every candidate goes through verification, like any backend's quotes.
        result = verifier.verify(span, segment)
        if isinstance(result, Quote):
            quotes.append(result)
            used_sentences.add(k_i)
        else:
            rejected.append(result)
    return quotes, rejected


def _segment_title(episode: Episode, segment: Segment, titles: TitleModel | None) -> str:
    """The segmenter's title for a topic (`segment` and the draft show the same), else the title model's.

    An intro or outro title carries a label ("Ouverture : ..."): a section made of one takes the
    title model's heading instead.
    """
    if segment.kind in ("topic", "interview") and segment.title:
        return segment.title
    if titles is None:
        titles = TitleModel([u.text for u in episode.utterances], exclude=episode.known_names)
    return titles.title(segment.first, segment.last) or segment.title


def _entities(texts: Sequence[str]) -> list[str]:
    """Candidate names in order of first appearance, without repeats."""
    entities: list[str] = []
    for text in texts:
        for name in language.candidate_names(text):
            if name not in entities:
                entities.append(name)
    return entities


def summarise_segment(
    episode: Episode,
    segment: Segment,
    *,
    verifier: Verifier,
    vectors: _Vectors,
    matrix: np.ndarray,
    titles: TitleModel | None = None,
) -> SegmentSummary:
    """One segment -> SegmentSummary from its own sentences (quotes verified like any backend's)."""
    said = _segment_sentences(episode, segment)
    sentences = _readable_pieces(said)
    sim, relevance = _similarity(sentences, matrix)
    good = _summary_candidates(sentences, episode.known_names)
    picked = _pick_summary(sentences, sim, relevance, good)
    summary = " ".join(sentences[i].text.strip() for i in picked)
    key_points, synthesis = _key_points(said, sentences, good, picked)
    _, said_relevance = _similarity(said, matrix)
    used = frozenset(sentences[i].index for i in picked)
    quotes, rejected = _pick_quotes(said, said_relevance, segment, verifier, used)

    texts = [s.text for s in said]
    title = _segment_title(episode, segment, titles)
    entities = _entities(texts)
    seg_text = " ".join(texts)
    checked = grounding.check(summary, seg_text, episode.known_names)
    return SegmentSummary(
        episode_sha256=episode.sha256,
        segment=segment,
        title=title,
        summary=checked.text,
        key_points=tuple(key_points),
        quotes=tuple(quotes),
        rejected_quotes=tuple(rejected),
        entities=tuple(entities[:10]),
        warnings=checked.warnings,
        synthesis=synthesis,
        importance=importance(
            len(picked),
            sum(s.words for s in said),
            len(language.figures(seg_text)),
            len(quotes),
            segment.kind,
        ),
    )


def topic_segments(segments: Sequence[Segment]) -> list[Segment]:
    """Segments worth a section: topics and interviews, none too short, in the show's order."""
    return sections.plan(segments)


def summarise_extractive(
    episode: Episode,
    segments: Sequence[Segment],
    *,
    verifier: Verifier | None = None,
    embedder=None,
    progress: Callable[[str], None] | None = None,
) -> list[SegmentSummary]:
    """Every topic segment of an episode, summarised offline."""
    verifier = verifier or Verifier(episode)
    # A line addressed to a model, an ad break or a jingle weighs on nothing: not on centrality, not on titles.
    aside = {i for s in segments for a in s.asides for i in range(a.first, a.last)}
    texts = [
        "" if i in aside or tidy.addresses_model(u.text, u.speaker) else u.text
        for i, u in enumerate(episode.utterances)
    ]
    vectors = _Vectors(texts)
    titles = TitleModel(texts, exclude=episode.known_names)
    matrix = vectors.matrix
    if embedder is not None:
        # Sentence embeddings capture paraphrase that TF-IDF misses; TF-IDF still names the titles.
        matrix = np.asarray(embedder.embed(texts), dtype=np.float32)
    out = []
    for seg in topic_segments(segments):
        if progress:
            progress(_("extractif : sujet {index} ({start})", index=seg.index, start=seg.start or "?"))
        out.append(
            summarise_segment(episode, seg, verifier=verifier, vectors=vectors, matrix=matrix, titles=titles)
        )
    return out
