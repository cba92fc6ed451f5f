"""Sentence boundaries for speech without punctuation (automatic captions): pauses, cue timing, clause cues.

Rules, no model: between two words, a cut scores with the silence between them, with a French clause
opener after it ("mais", "donc", "parce que", "est-ce que", a subject pronoun) and against a word that
cannot end a clause before it ("de", "le", "qui", "pour") or one that cannot start a clause after it
("de", "qui"). Each pseudo-sentence is cut at its best-scoring point between
MIN_WORDS and MAX_WORDS words, preferring the first strong one (a long pause at a clause edge).
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.transcript.metadata import fold

MIN_WORDS = 8
MAX_WORDS = 30
# A cut this strong is taken as soon as the sentence holds MIN_WORDS words.
STRONG = 2.5
PAUSE_WEIGHT = 2.0  # per second of silence, up to PAUSE_CAP_S
PAUSE_CAP_S = 1.5
LENGTH_WEIGHT = 0.03  # slight preference for longer sentences among equal cuts

# Words that open a clause, by how surely (compared folded: lower case, no accents).
_OPENERS = {
    **dict.fromkeys(
        (
            "mais",
            "donc",
            "alors",
            "parce",
            "puisque",
            "car",
            "ensuite",
            "puis",
            "voila",
            "bon",
            "bref",
            "enfin",
            "d'ailleurs",
            "effectivement",
            "evidemment",
            "finalement",
            "cependant",
            "pourtant",
            "sinon",
            "ainsi",
            "aujourd'hui",
            "maintenant",
            "oui",
            "non",
            "d'accord",
            "merci",
            "bonjour",
            "bonsoir",
            "ok",
            "euh",
            "ben",
            "bah",
            "du coup",
        ),  # fmt: skip
        1.5,
    ),
    **dict.fromkeys(
        ("qu'est-ce", "est-ce", "comment", "pourquoi", "quel", "quelle", "quels", "quelles", "combien"), 1.2
    ),
    **dict.fromkeys(
        (
            "je",
            "j'",
            "on",
            "nous",
            "vous",
            "il",
            "ils",
            "elle",
            "elles",
            "c'est",
            "c'etait",
            "ca",
            "moi",
            "toi",
            "tu",
            "ce",
            "y",
            "il y",
        ),  # fmt: skip
        0.7,
    ),
    "et": 0.5,
}
# Words a clause does not end with: articles, prepositions, conjunctions, clitics, auxiliaries.
_NO_END_TEXT = (
    "le la les l' un une des du de d' au aux à a en dans sur sous pour par avec sans chez vers entre et ou "
    "mais donc que qu' qui dont où ne n' se s' ce cet cette ces mon ma mes ton ta tes son sa ses notre nos "
    "votre vos leur leurs je j' tu il ils elle elles on nous vous me m' te t' lui y est sont ai as avons "
    "avez ont suis es très plus moins trop si comme quand lorsque parce puisque car tout tous toute toutes "
    "quel quelle quels quelles c' ça c'est qu'il qu'on"
)
_NO_END = frozenset(fold(w) for w in _NO_END_TEXT.split())
# Words a clause does not start with (they continue the previous words).
_NO_START_TEXT = "de d' du des à au aux qui que qu' dont ni"
_NO_START = frozenset(fold(w) for w in _NO_START_TEXT.split())


def _bare(word: str) -> str:
    return fold(word.strip('.,;:!?…«»"()[]'))


def _score(previous: str, word: str, gap: float | None) -> float:
    """How good a sentence end between `previous` and `word` is (`gap` None: inside one caption)."""
    score = PAUSE_WEIGHT * min(gap or 0.0, PAUSE_CAP_S)
    prev, nxt = _bare(previous), _bare(word)
    if "'" in nxt and nxt.split("'")[0] + "'" in _OPENERS and nxt not in _OPENERS:
        nxt = nxt.split("'")[0] + "'"
    score += _OPENERS.get(nxt, 0.0)
    if prev in _NO_END:
        score -= 3.0
    if nxt in _NO_START:
        score -= 1.5
    return score


def cut_points(words: Sequence[str], gaps: Sequence[float | None]) -> set[int]:
    """Indices of the words that start a new pseudo-sentence.

    `gaps[i]`: the silence before word i when it opens a caption (0.0 when the times do not say), None
    inside a caption.
    """
    cuts: set[int] = set()
    start = 0
    n = len(words)
    while n - start > MAX_WORDS:
        best, best_score = start + MAX_WORDS, float("-inf")
        for j in range(start + MIN_WORDS, start + MAX_WORDS + 1):
            score = _score(words[j - 1], words[j], gaps[j])
            if score >= STRONG:
                best = j
                break
            score += LENGTH_WEIGHT * (j - start)
            if score > best_score:
                best, best_score = j, score
        cuts.add(best)
        start = best
    # The tail: cut once more at a strong point if it is long enough for two sentences.
    for j in range(start + MIN_WORDS, n - MIN_WORDS + 1):
        if _score(words[j - 1], words[j], gaps[j]) >= STRONG:
            cuts.add(j)
            break
    return cuts


def at_clause_edge(previous: str, word: str) -> bool:
    """Whether a cut between these two words falls at a clause edge (for measures and tests)."""
    return _bare(previous) not in _NO_END and _bare(word) not in _NO_START
