"""Which language a text is written in (French or English), from function-word counts."""

from __future__ import annotations

import re

_FR = set(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "et",
        "est",
        "sont",
        "dans",
        "pour",
        "pas",
        "que",
        "qui",
        "sur",
        "avec",
        "ce",
        "cette",
        "ces",
        "il",
        "elle",
        "ils",
        "nous",
        "vous",
        "on",
        "au",
        "aux",
        "par",
        "plus",
        "mais",
        "ou",
        "son",
        "sa",
        "ses",
        "leur",
        "se",
        "en",
        "ne",
        "y",
        "été",
        "être",
        "a",
        "ont",
        "fait",
        "très",
        "aussi",
        "comme",
        "tout",
        "tous",
        "entre",
        "depuis",
        "sans",
        "chez",
        "donc",
        "car",
        "selon",
    ]
)
_EN = set(
    [
        "the",
        "a",
        "an",
        "and",
        "is",
        "are",
        "of",
        "to",
        "in",
        "for",
        "not",
        "that",
        "which",
        "on",
        "with",
        "this",
        "these",
        "it",
        "he",
        "she",
        "they",
        "we",
        "you",
        "at",
        "by",
        "more",
        "but",
        "or",
        "his",
        "her",
        "their",
        "be",
        "been",
        "was",
        "were",
        "has",
        "have",
        "had",
        "do",
        "does",
        "very",
        "also",
        "as",
        "all",
        "between",
        "since",
        "without",
        "from",
        "will",
        "would",
    ]
)


def detect_language(text: str) -> str:
    """'fr', 'en' or 'unknown', from the share of each language's function words."""
    words = re.findall(r"[a-zàâäçéèêëîïôöùûüÿœæ']+", text.lower())
    words = [w.split("'")[-1] for w in words]
    if len(words) < 4:
        return "unknown"
    fr = sum(w in _FR for w in words)
    en = sum(w in _EN for w in words)
    if fr == en == 0:
        return "unknown"
    if fr >= en and fr / len(words) >= 0.12:
        return "fr"
    if en > fr and en / len(words) >= 0.12:
        return "en"
    return "unknown"


def is_french(text: str) -> bool:
    """True unless the text reads as another language (too short to tell counts as French)."""
    return detect_language(text) in ("fr", "unknown")
