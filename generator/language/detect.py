"""Which language a text is written in (French or English), from function-word counts.

The one detector of the project: the draft's checks and the model-answer checks both ask it, with
their own thresholds (see `detect_language`).
"""

from __future__ import annotations

import re

# Function words of each language (one list each). "a" and "on" are words of both.
FRENCH_FUNCTION_WORDS: frozenset[str] = frozenset(
    [
        "a",
        "au",
        "aussi",
        "aux",
        "avec",
        "car",
        "ce",
        "ces",
        "cette",
        "chez",
        "comme",
        "dans",
        "de",
        "depuis",
        "des",
        "donc",
        "du",
        "elle",
        "elles",
        "en",
        "entre",
        "est",
        "et",
        "fait",
        "il",
        "ils",
        "la",
        "le",
        "les",
        "leur",
        "mais",
        "ne",
        "nous",
        "on",
        "ont",
        "ou",
        "par",
        "pas",
        "plus",
        "pour",
        "que",
        "qui",
        "sa",
        "sans",
        "se",
        "selon",
        "ses",
        "son",
        "sont",
        "sur",
        "tous",
        "tout",
        "très",
        "un",
        "une",
        "vous",
        "y",
        "été",
        "être",
    ]
)
ENGLISH_FUNCTION_WORDS: frozenset[str] = frozenset(
    [
        "a",
        "about",
        "all",
        "also",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "between",
        "but",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "in",
        "is",
        "it",
        "more",
        "not",
        "of",
        "on",
        "or",
        "she",
        "since",
        "that",
        "the",
        "their",
        "there",
        "these",
        "they",
        "this",
        "to",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "will",
        "with",
        "without",
        "would",
        "you",
    ]
)

_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ']+")


def detect_language(text: str, *, min_words: int = 4, min_share: float = 0.12, margin: float = 1.0) -> str:
    """'fr', 'en' or 'unknown', from the share of each language's function words.

    A text of fewer than `min_words` words is 'unknown'. It is English when its English function words
    outnumber `margin` times its French ones and make at least `min_share` of its words; French when its
    French ones are at least as many as the English ones and make at least `min_share` of its words.
    A caller that must only flag plain English (a model's answer, retried when flagged) asks for a
    larger `margin`.
    """
    words = [w.split("'")[-1] for w in _WORD.findall(text.lower())]
    if len(words) < min_words:
        return "unknown"
    fr = sum(w in FRENCH_FUNCTION_WORDS for w in words)
    en = sum(w in ENGLISH_FUNCTION_WORDS for w in words)
    needed = min_share * len(words)
    if en > margin * fr and en >= needed:
        return "en"
    if fr >= en and fr >= needed:
        return "fr"
    return "unknown"


def is_french(text: str) -> bool:
    """True unless the text reads as another language (too short to tell counts as French)."""
    return detect_language(text) in ("fr", "unknown")
