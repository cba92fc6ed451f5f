"""Grounding checks on generated French text: figures, people's names and language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

# Warnings shown to the reviewer (French: the reviewer reads French).
WARN_FIGURE = "chiffre absent du passage : « {figure} »"
WARN_NAME = "nom absent du passage et des invités : « {name} »"
WARN_LANGUAGE = "texte qui ne semble pas en français ({lang})"
WARN_DROPPED = "phrase retirée ({why}) : « {sentence} »"
WARN_NAME_FIXED = "nom corrigé selon la description : « {wrong} » → « {right} »"

UNITS = {
    "cent": 100,
    "cents": 100,
    "mille": 1_000,
    "milles": 1_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "milliard": 1_000_000_000,
    "milliards": 1_000_000_000,
    "billion": 1_000_000_000_000,
    "billions": 1_000_000_000_000,
}
_SCALE_WORDS = {"mille", "milles", "million", "millions", "milliard", "milliards", "billion", "billions"}
NUMBER_WORDS = {
    "zéro": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "vingts": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "septante": 70,
    "huitante": 80,
    "octante": 80,
    "nonante": 90,
}
# Words that make a spelled-out number a figure worth checking ("trois milliards", "dix pour cent").
_FIGURE_UNITS = _SCALE_WORDS | {
    "pour",
    "%",
    "pourcent",
    "euros",
    "euro",
    "dollars",
    "dollar",
    "gigawatts",
    "mégawatts",
    "térawatts",
    "kilomètres",
    "km",
    "ans",
    "mois",
    "jours",
    "heures",
    "minutes",
    "secondes",
    "salariés",
    "employés",
    "utilisateurs",
    "personnes",
    "degrés",
    "go",
    "to",
    "tonnes",
}

_DIGITS = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:[,.](\d+))?(?![\w])"
    r"(\s*(?:%|pour\s?cent|milliards?|millions?|mille|billions?)\b|\s*%)?",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\w+|%", re.UNICODE)


@dataclass(frozen=True)
class Figure:
    """A number said in a text: as written, its value, and whether a scale word multiplied it."""

    text: str
    value: float
    scaled: bool
    percent: bool
    raw: float = 0.0  # the number before its scale word: 500 for "500 milliards"


def _round(x: float) -> float:
    return round(x, 6)


def _parse_digits(match: re.Match[str]) -> Figure:
    whole = re.sub(r"[ \u00a0\u202f.]", "", match.group(1))
    value = float(whole + ("." + match.group(2) if match.group(2) else ""))
    suffix = (match.group(3) or "").strip().lower()
    percent = suffix.startswith("%") or suffix.startswith("pour")
    raw = value
    scaled = False
    if suffix and not percent:
        value *= UNITS[suffix]
        scaled = True
    return Figure(match.group(0).strip(), _round(value), scaled, percent, _round(raw))


def _word_figures(text: str) -> list[Figure]:
    """Spelled-out numbers followed by a scale or a unit ("cinq cents milliards", "trois pour cent")."""
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    figures: list[Figure] = []
    i = 0
    while i < len(tokens):
        word = tokens[i][0].lower()
        if word not in NUMBER_WORDS and word not in ("cent", "cents", "mille"):
            i += 1
            continue
        j = i
        total = 0
        current = 0
        raw = 0
        scaled = False
        while j < len(tokens):
            w = tokens[j][0].lower()
            if j > i and text[tokens[j - 1][2] : tokens[j][1]].strip(" \u00a0\u202f-"):
                break  # punctuation ends a spelled-out number
            if w in ("vingt", "vingts") and current % 100 == 4:
                current += 76  # "quatre-vingts" is 80, not 4 + 20
            elif w in NUMBER_WORDS:
                current += NUMBER_WORDS[w]
            elif w in ("cent", "cents"):
                current = max(current, 1) * 100
            elif w in _SCALE_WORDS:
                raw = max(current, 1)
                total += raw * UNITS[w]
                current = 0
                scaled = True
            elif w == "et" and j + 1 < len(tokens) and tokens[j + 1][0].lower() in ("un", "une", "onze"):
                pass  # "vingt et un"
            else:
                break
            j += 1
        value = total + current
        nxt = tokens[j][0].lower() if j < len(tokens) else ""
        percent = nxt in ("%", "pourcent") or (
            nxt == "pour" and j + 1 < len(tokens) and tokens[j + 1][0].lower() == "cent"
        )
        # "un", "une" are articles far more often than numbers: only "un milliard" counts.
        if j > i and (scaled or nxt in _FIGURE_UNITS or percent) and (value > 1 or scaled):
            last = j - 1
            if percent or (nxt in _FIGURE_UNITS and nxt not in _SCALE_WORDS):
                last = min(len(tokens) - 1, j + (1 if nxt == "pour" else 0))
            figures.append(
                Figure(
                    text[tokens[i][1] : tokens[last][2]],
                    _round(float(value)),
                    scaled,
                    percent,
                    _round(float(raw if scaled else value)),
                )
            )
        i = max(j, i + 1)
    return figures


def figures(text: str) -> list[Figure]:
    """Every figure of a French text: digits (with scale words or %) and spelled-out amounts."""
    found = [_parse_digits(m) for m in _DIGITS.finditer(text)]
    return found + _word_figures(text)


def unsupported_figures(summary: str, source: str, extra: Iterable[str] = ()) -> list[str]:
    """Figures of `summary` that `source` (or the `extra` texts, e.g. metadata) never states."""
    said = figures(source)
    for more in extra:
        said += figures(more)
    scaled_values = {f.value for f in said}
    # "500 milliards" in the source also supports a bare "500", never "500 millions".
    raw_values = scaled_values | {f.raw for f in said}
    missing = []
    for f in figures(summary):
        ok = f.value in scaled_values if f.scaled else f.value in raw_values
        if not ok and f.text not in missing:
            missing.append(f.text)
    return missing


# ------------------------------------------------------------------------------------------- names

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


def fold(text: str) -> str:
    """Lower-case, accents off, punctuation to spaces: for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def candidate_names(text: str) -> list[str]:
    """Capitalised multi-word sequences that look like people's (or organisations') names."""
    names: list[str] = []
    for match in _NAME_SEQ.finditer(text):
        words = match.group(0).split()
        # A capitalised function word (sentence start, "Selon Untel") is not part of the name.
        while words and fold(words[0]) in _NOT_NAME:
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


# ---------------------------------------------------------------------------------------- language

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


_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[«\"A-ZÀ-ÖØ-Þ0-9])")


def sentences(text: str) -> list[str]:
    """Split generated prose into sentences (after . ! ? … before a capital, digit or quote)."""
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def prune(text: str, source: str, known: Sequence[str], extra: Iterable[str] = ()) -> tuple[str, list[str]]:
    """Respell known names, then drop every sentence stating a figure or a person the source lacks."""
    extra = list(extra)
    fixed, fixes = fix_names(text, known)
    warnings = [WARN_NAME_FIXED.format(wrong=w, right=r) for w, r in fixes]
    kept = []
    for sentence in sentences(fixed):
        missing = [WARN_FIGURE.format(figure=f) for f in unsupported_figures(sentence, source, extra)]
        missing += [WARN_NAME.format(name=n) for n in unsupported_names(sentence, source, known)]
        if missing:
            warnings.append(WARN_DROPPED.format(why=", ".join(missing), sentence=sentence))
        else:
            kept.append(sentence)
    return " ".join(kept), warnings


@dataclass(frozen=True)
class Grounding:
    """Result of checking a generated text against its source."""

    text: str  # the text with known names respelled
    warnings: tuple[str, ...]
    figures: tuple[str, ...]
    names: tuple[str, ...]
    language: str


def check(text: str, source: str, known: Sequence[str], *, extra: Iterable[str] = ()) -> Grounding:
    """Respell known names, then flag unsupported figures and names and a non-French language."""
    fixed, fixes = fix_names(text, known)
    warnings = [WARN_NAME_FIXED.format(wrong=w, right=r) for w, r in fixes]
    missing_figures = unsupported_figures(fixed, source, extra)
    missing_names = unsupported_names(fixed, source, known)
    warnings += [WARN_FIGURE.format(figure=f) for f in missing_figures]
    warnings += [WARN_NAME.format(name=n) for n in missing_names]
    lang = detect_language(fixed)
    if lang == "en":
        warnings.append(WARN_LANGUAGE.format(lang=lang))
    return Grounding(fixed, tuple(warnings), tuple(missing_figures), tuple(missing_names), lang)


def field_problems(data: dict, limits: tuple[tuple[str, int, int], ...]) -> list[str]:
    """Length and language problems of a model answer's text fields, phrased for its one retry.

    Lengths are checked here, not in the schema: llama.cpp turns maxLength into a grammar it cannot parse.
    """
    problems = []
    for key, low, high in limits:
        text = data.get(key)
        if not isinstance(text, str):
            continue
        if not low <= len(text.strip()) <= high:
            problems.append(f"$.{key} must have {low} to {high} characters, not {len(text.strip())}")
        elif detect_language(text) == "en":
            problems.append(f"$.{key} is in English: write it in French")
    return problems
