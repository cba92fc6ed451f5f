"""Whether a heading's noun phrases stand as they are in the segment they title.

Generic French only: the article agrees in number with its noun ("les aide", "le mains" refused),
a common noun never stands bare as a subject ("L'espace et droite", "Président : ..."), and each
phrase of the heading was said in the segment (modulo its article), so the heading names what the
segment is about rather than keywords glued together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from generator.language import fold

_PLURAL_ARTICLES = frozenset(["les", "des", "aux", "ces", "mes", "tes", "ses", "nos", "vos", "leurs"])
_SINGULAR_ARTICLES = frozenset(["le", "la", "l", "un", "une", "du", "au", "ce", "cet", "cette"])
_ARTICLES = _PLURAL_ARTICLES | _SINGULAR_ARTICLES
# The joins `compose_title` makes: "Name : phrase" and "X et Y" (Y opening with an article or a capital).
_PARTS = re.compile(r"\s+:\s+|\s+et\s+(?=(?:les?|la|l['’]|des|du|une?|aux?)\b|[A-ZÀ-Ý])")
_LINKS = frozenset(["de", "d", "du", "des", "a", "au", "aux", "en", "sur", "pour"])
# Adjectives French puts before the noun: alone after an article they head no phrase ("les bonnes").
# Those also used as nouns ("les jeunes", "les nouvelles") are left out.
_BEFORE_NOUN = frozenset(
    [
        "bon",
        "bons",
        "bonne",
        "bonnes",
        "grand",
        "grands",
        "grande",
        "grandes",
        "petit",
        "petits",
        "petite",
        "petites",
        "nouveau",
        "nouveaux",
        "nouvel",
        "vieil",
        "beau",
        "beaux",
        "bel",
        "belle",
        "belles",
        "gros",
        "grosse",
        "grosses",
        "mauvais",
        "mauvaise",
        "mauvaises",
        "premier",
        "premiers",
        "premiere",
        "premieres",
        "dernier",
        "derniers",
        "derniere",
        "dernieres",
        "autre",
        "autres",
        "meme",
        "memes",
        "seul",
        "seuls",
        "seule",
        "seules",
        "vrai",
        "vrais",
        "vraie",
        "vraies",
        "meilleur",
        "meilleurs",
        "meilleure",
        "meilleures",
        "haut",
        "hauts",
        "haute",
        "hautes",
        "propre",
        "propres",
        "faux",
        "fausse",
        "fausses",
        "certain",
        "certains",
        "certaine",
        "certaines",
    ]
)
# Endings of an adjective that is only feminine / only masculine, right after the noun.
_FEMININE_ADJ = re.compile(r"(?:elle|euse|ive)s?$")
_MASCULINE_ADJ = re.compile(r"(?:el|eux|if)s?$")
_WORD = re.compile(r"[^\W_][\w-]*", re.UNICODE)


def parts(title: str) -> list[str]:
    """The noun phrases a heading joins ("Twitter : la censure" -> ["Twitter", "la censure"])."""
    return [p.strip() for p in _PARTS.split(title.strip()) if p.strip()]


def _article_and_rest(part: str) -> tuple[str | None, list[str]]:
    words = fold(part).split()
    if len(words) > 1 and words[0] in _ARTICLES:
        return words[0], words[1:]
    return None, words


def _plural(word: str) -> bool:
    return word.endswith(("s", "x", "z"))


def agreement_problem(part: str, vocabulary: Iterable[str] = ()) -> str | None:
    """An article that does not agree in number with its noun, or None.

    A plural article needs a noun ending in -s/-x/-z; a singular one a noun that is not the plural
    of a word also said (`vocabulary`, folded words of the segment): "le mains" when "main" is said.
    """
    article, rest = _article_and_rest(part)
    if article is None or not rest:
        return None
    head = rest[0]
    if head.isdigit():
        return None
    # The noun group before its complement ("fake news", "noms de domaine"): plural if a word is.
    group = next((rest[:i] for i, w in enumerate(rest) if w in _LINKS), rest)
    if article in _PLURAL_ARTICLES and not any(_plural(w) for w in group):
        return f"« {part} » : article pluriel, nom singulier"
    if all(w in _BEFORE_NOUN for w in rest):
        return f"« {part} » : adjectif sans son nom"
    if (
        len(rest) > 1
        and rest[1] not in _LINKS
        and (
            (article in ("le", "un", "du", "au") and _FEMININE_ADJ.search(rest[1]))
            or (article in ("la", "une") and _MASCULINE_ADJ.search(rest[1]))
        )
    ):
        return f"« {part} » : article et adjectif en désaccord"
    words = set(vocabulary)
    if article in _SINGULAR_ARTICLES and _plural(head) and head[:-1] in words and len(head) > 3:
        return f"« {part} » : article singulier, nom pluriel"
    return None


def _said_as_name(word: str, source: str) -> bool:
    """The word is written with a capital somewhere other than at a sentence's start (a name)."""
    if word.isupper() and len(word) > 1:
        return True
    word = word[:1].upper() + word[1:]
    for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", source):
        before = source[: m.start()].rstrip()
        if before and before[-1] not in '.!?…:»"':
            return True
    return False


def phrase_problem(title: str, source: str) -> str | None:
    """Why the heading's phrases do not stand in `source` (French), or None.

    Each phrase occurs in the source (accents, case and article aside), agrees with its article,
    and is either introduced by an article or a name (capitalised inside sentences of the source).
    """
    folded = " " + fold(source) + " "
    vocabulary = set(folded.split())
    for part in parts(title):
        article, rest = _article_and_rest(part)
        if not rest:
            continue
        if f" {' '.join(rest)} " not in folded:
            return f"« {part} » n'est pas dit dans le passage"
        problem = agreement_problem(part, vocabulary)
        if problem:
            return problem
        if article is None:
            first = _WORD.findall(part)
            if first and not _said_as_name(first[0], source):
                return f"« {part} » : nom commun sans article"
    return None
