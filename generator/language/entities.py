"""People's and organisations' names in French text: candidates, folding, respelling against known names."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz

# Words that start a sentence or a phrase in capitals without being part of a name.
_NOT_NAME = {
    "le",
    "la",
    "les",
    "l",
    "un",
    "une",
    "des",
    "du",
    "de",
    "d",
    "selon",
    "pour",
    "avec",
    "chez",
    "après",
    "avant",
    "mais",
    "donc",
    "ainsi",
    "alors",
    "en",
    "au",
    "aux",
    "et",
    "ou",
    "pendant",
    "face",
    "quand",
    "si",
    "sur",
    "sous",
    "dans",
    "par",
    "entre",
    "contre",
    "comme",
    "cette",
    "ce",
    "ces",
    "son",
    "sa",
    "ses",
    "leur",
    "leurs",
    "notre",
    "nos",
    "votre",
    "vos",
    "il",
    "elle",
    "ils",
    "elles",
    "on",
    "nous",
    "vous",
    "je",
    "tu",
    "c",
    "qu",
    "que",
    "qui",
    "pourquoi",
    "comment",
    "enfin",
    "puis",
    "aussi",
    "bref",
    "voici",
    "voilà",
    "depuis",
    "lors",
    "dès",
    "toutefois",
    "cependant",
    "pourtant",
    "même",
    "côté",
    "rappelez",
    "monsieur",
    "madame",
    "président",
    "présidente",
    "ministre",
}
_PARTICLES = {"de", "du", "des", "van", "von", "der", "di", "da", "le", "la", "d", "ben", "al", "el"}
_CAP_WORD = r"[A-ZÀ-ÖØ-Þ][\w’'\-]*"
_NAME_SEQ = re.compile(
    rf"{_CAP_WORD}(?:\s+(?:(?:de|du|van|von|der|di|da|ben|al|el)\s+)?{_CAP_WORD})+", re.UNICODE
)


_ELIDED_NOUN = re.compile(r"^[LDld]['’][a-zà-ÿ]")


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower-case, accents off, punctuation to spaces: for comparing names (memoised: a show repeats its words)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def candidate_names(text: str) -> list[str]:
    """Capitalised multi-word sequences that look like people's (or organisations') names."""
    names: list[str] = []
    for match in _NAME_SEQ.finditer(text):
        words = match.group(0).split()
        # A capitalised function word (sentence start, "Selon Untel", "À Paris") or an elided common
        # noun opening the sentence ("L'équipe de Untel") is not part of the name.
        while words and (
            fold(words[0]) in _NOT_NAME or fold(words[0]) == "a" or _ELIDED_NOUN.match(words[0])
        ):
            words.pop(0)
            while words and fold(words[0]) in _PARTICLES:
                words.pop(0)
        if len([w for w in words if fold(w) not in _PARTICLES]) >= 2 and " ".join(words) not in names:
            names.append(" ".join(words))
    return names


def _title_case(text: str, known: Sequence[str]) -> bool:
    """Most longer words capitalised mid-sentence (English-style headings), known names aside."""
    names = {w for k in known for w in fold(k).split()}
    words = []
    for sentence in re.split(r"[.!?:;…]\s+", text):
        tokens = re.findall(r"[^\W\d_][\w’'-]*", sentence)[
            1:
        ]  # a sentence's first word is capitalised anyway
        words += [w for w in tokens if len(w) >= 4 and fold(w) not in names]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) > 0.6


def unsupported_names(summary: str, source: str, known: Sequence[str]) -> list[str]:
    """Names in `summary` that are neither known people of the episode nor said in `source`."""
    src = f" {fold(source)} "
    known_folded = [fold(k) for k in known]
    missing = []
    if _title_case(summary, known):
        return []  # "La Révolution Des Serveurs": every word is capitalised, names cannot be told apart
    for name in candidate_names(summary):
        folded = fold(name)
        if f" {folded} " in src:
            continue
        if any(folded == k or f" {folded} " in f" {k} " or f" {k} " in f" {folded} " for k in known_folded):
            continue
        missing.append(name)
    return missing


def fix_names(text: str, known: Sequence[str], threshold: float = 85.0) -> tuple[str, list[tuple[str, str]]]:
    """Respell near-misses of known names ("Julien Nosetti") as the description spells them."""
    fixes: list[tuple[str, str]] = []
    known_folded = {fold(k): k for k in known if len(k.split()) >= 2}

    def repair(match: re.Match[str]) -> str:
        found = match.group(0)
        words = found.split()
        lead = []
        while words and fold(words[0]) in _NOT_NAME:
            lead.append(words.pop(0))
        candidate = " ".join(words)
        folded = fold(candidate)
        if not candidate or folded in known_folded:
            return found
        best = max(known_folded, key=lambda k: fuzz.ratio(folded, k), default=None)
        if best is None or fuzz.ratio(folded, best) < threshold or len(best.split()) != len(words):
            return found
        right = known_folded[best]
        fixes.append((candidate, right))
        return " ".join([*lead, right])

    return _NAME_SEQ.sub(repair, text), fixes
