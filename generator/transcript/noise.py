"""Lines that are not speech: page chrome and footers of scraped pages, text without words."""

from __future__ import annotations

import re

from generator.transcript.fragments import MEANINGFUL_SYMBOLS
from generator.transcript.metadata import fold

# Page chrome of video sites, compared accent- and case-insensitively.
_CHROME = {
    fold(w)
    for w in (
        "Catégorie",
        "Category",
        "News",
        "Transcription",
        "NewsTranscription",
        "Transcript",
        "Afficher plus",
        "Afficher moins",
        "Show more",
        "Show less",
        "Partager",
        "Share",
        "|",
        "•",
    )
}
_FOOTER = {
    fold(w)
    for w in (
        "Recommandations",
        "Recommendations",
        "Commentaires",
        "Comments",
        "À suivre",
        "Up next",
        "Écris le tout premier commentaire",
        "Écrire un commentaire",
        "Ajouter un commentaire",
        "Vidéos similaires",
        "Related videos",
    )
}
_FOOTER_RE = re.compile(r"^\d[\d\s]*\s+(?:commentaires?|comments?|vues|views)$", re.IGNORECASE)
_AGE_RE = re.compile(r"^[-•·]?\s*(?:il y a|publi[ée]e? (?:il y a|le)|\d+\s+(?:vues|views))\b", re.IGNORECASE)


def is_footer(line: str) -> bool:
    """A line that ends the speech on a scraped page (comments, recommendations)."""
    folded = fold(line.strip())
    return (
        folded in _FOOTER
        or bool(_FOOTER_RE.match(line.strip()))
        or folded.startswith("ecris le tout premier")
    )


def is_chrome(line: str) -> bool:
    """A line of page furniture: section words, separators, emoji-only lines, page age."""
    stripped = line.strip()
    if not stripped:
        return True
    if fold(stripped) in _CHROME or _AGE_RE.match(stripped):
        return True
    return not any(ch.isalnum() for ch in stripped)


def has_words(text: str) -> bool:
    """Text with at least one letter (`...` or `|` alone is not speech)."""
    return any(ch.isalpha() for ch in text)


def has_speech(text: str) -> bool:
    """Words, or a figure with its symbol (`94 %`, `15 €`) on a line of its own: said, not furniture."""
    return has_words(text) or (
        any(ch.isdigit() for ch in text) and any(ch in MEANINGFUL_SYMBOLS for ch in text)
    )
