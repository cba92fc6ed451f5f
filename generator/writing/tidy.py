"""Spoken French made readable by deleting words only: tics at the start, fillers, stutters, run-ons.

Every function here returns the transcript's own words in their order, some deleted; the only other
edits are a capital on the first letter and a final full stop. A sentence that cannot be brought
under `MAX_WORDS` at a clause boundary is dropped, never rewritten.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from generator import language

MAX_WORDS = 45
MIN_WORDS = 8

# Removed at the start of a sentence whatever follows (they never open a statement on their own).
_LEAD_FREE = {"euh", "heu", "ben", "bah", "eh", "et", "mais", "donc", "puis", "ah", "oh", "ouais", "hein"}
# Removed at the start only when a comma closes them ("Oui, ...", "Non, non, non, ...", "Bref, ...").
_LEAD_COMMA = {
    "oui",
    "non",
    "alors",
    "bon",
    "enfin",
    "voilà",
    "là",
    "ok",
    "d'accord",
    "absolument",
    "exactement",
    "effectivement",
    "évidemment",
    "justement",
    "surtout",
    "honnêtement",
    "franchement",
    "pardon",
    "bref",
    "écoutez",
    "écoute",
    "concrètement",
    "déjà",
}
_REPLIES = {
    "oui",
    "non",
    "bon",
    "alors",
    "enfin",
    "voilà",
    "bref",
    "ok",
    "d'accord",
    "absolument",
    "exactement",
}
_SUBJECT_STARTS = {
    "je",
    "j'ai",
    "on",
    "il",
    "elle",
    "ils",
    "elles",
    "nous",
    "vous",
    "c'est",
    "ça",
    "ce",
    "le",
    "la",
    "les",
}
# Multi-word openers, removed at the start ("Tout à fait, ...", "Eh bien", "Et surtout").
_LEAD_PHRASES = (
    ("tout", "à", "fait"),
    ("eh", "bien"),
    ("bien", "sûr"),
    ("en", "fait"),
    ("du", "coup"),
    ("tu", "vois"),
    ("vous", "voyez"),
    ("tu", "sais"),
    ("vous", "savez"),
    ("c'est", "vrai", "que"),
    ("en", "tout", "cas"),
    ("en", "gros"),
    ("on", "va", "dire"),
    ("alors", "là"),
)
# Fillers removed anywhere: always, or only when set off by punctuation.
_FILLER_ALWAYS = {"euh", "heu", "hein", "bah"}
_FILLER_PHRASES = (
    ("en", "fait"),
    ("tu", "vois"),
    ("vous", "voyez"),
    ("tu", "sais"),
    ("vous", "savez"),
    ("du", "coup"),
)
_FILLER_SET_OFF = {"voilà", "quoi", "genre", "disons", "effectivement", "justement", "ben"}
_SUBJECTS = {"il", "elle", "on", "qu'il", "qu'elle", "qu'on", "ce", "ça", "je", "j'en", "en", "n'en"}

_TIC_OPENERS = _LEAD_FREE | _LEAD_COMMA | {p[0] for p in _LEAD_PHRASES}
FILLER_WORDS = (
    "en fait",
    "voilà",
    "tu vois",
    "vous voyez",
    "tu sais",
    "vous savez",
    "du coup",
    "euh",
    "hein",
)

_QUESTION_START = re.compile(
    r"^(?:est-ce|qu'est-ce|comment|pourquoi|combien|quel|quelle|quels|quelles|où|c'est quoi)\b", re.IGNORECASE
)
_CHITCHAT = re.compile(
    r"\b(?:bonjour|bonsoir|merci|bienvenue|au revoir|à bientôt|salut|ravie?s? d'être|plaisir|abonnez|"
    r"on se retrouve|petite pause|on revient|de retour|on passe|on commence|parenthèse|à tout de suite|"
    r"je vous lis|je vous propose|passionnant|vous est proposée?|rendez-vous sur|point fr|code promo)\b",
    re.IGNORECASE,
)
_VERB_FORMS = {
    "est",
    "sont",
    "a",
    "ont",
    "fait",
    "font",
    "va",
    "vont",
    "peut",
    "peuvent",
    "doit",
    "doivent",
    "était",
    "étaient",
    "avait",
    "avaient",
    "sera",
    "seront",
    "serait",
    "reste",
    "restent",
    "permet",
    "faut",
    "sommes",
    "avons",
    "suis",
    "ai",
    "c'est",
    "n'est",
    "s'est",
    "y",
    "prévoit",
    "coûte",
    "dure",
}
_VERB_END = re.compile(r"(?:ait|aient|ons|ez|ent|er|ir|é|ée|és|ées|it|is)$")
_ENUM = re.compile(
    r"^(?:premièrement|deuxièmement|troisièmement|quatrièmement|d'abord|ensuite|enfin|"
    r"(?:le|la) (?:première?|deuxième|troisième|quatrième)(?: chose| point| priorité)?)\b",
    re.IGNORECASE,
)
_RANKS = {
    "premièrement": 1, "d'abord": 1, "premier": 1, "première": 1,
    "deuxièmement": 2, "ensuite": 2, "deuxième": 2,
    "troisièmement": 3, "enfin": 3, "troisième": 3,
    "quatrièmement": 4, "quatrième": 4,
}  # fmt: skip
_INJECTION = re.compile(
    r"(?:\b(?:ignore[zs]?|oublie[zs]?|ignore)\b.{0,40}\b(?:instructions?|consignes?|prompt)\b"
    r"|\bignore (?:all |previous )+instructions\b|^\s*(?:system|user|assistant|développeur|developer)\s*:"
    r"|</?\s*(?:transcript|system|user|assistant|instructions?|resumes|s|inst)\s*>|<\|im_(?:start|end)\|>"
    r"|\[/?INST\]|\b(?:tu es|vous êtes) (?:maintenant|désormais) (?:un|une)\b|\bréponds? uniquement\b"
    r"|\bnouvelles? (?:instructions?|consignes?)\b)",
    re.IGNORECASE,
)


def addresses_model(text: str, speaker: str | None = None) -> bool:
    """True for a line written to a language model (role markers, closing tags, 'ignore the instructions')."""
    if speaker and speaker.strip().lower() in {"system", "user", "assistant", "developer"}:
        return True
    return bool(_INJECTION.search(text or ""))


@functools.lru_cache(maxsize=1 << 16)
def _bare(token: str) -> str:
    """The token without its punctuation, lower-cased, with a straight apostrophe (a show reuses its words)."""
    return token.strip('.,;:!?…«»"()[]').lower().replace("’", "'")


def _ends_clause(token: str) -> bool:
    return token.rstrip("»\"')").endswith((",", ";", ":", ".", "!", "?", "…"))


def _strip_lead(tokens: list[str]) -> list[str]:
    """Drop the tics that open a spoken sentence, repeatedly ("Non, non, non, alors, ...")."""
    changed = True
    while tokens and changed:
        changed = False
        bare = [_bare(t) for t in tokens[:4]]
        for phrase in _LEAD_PHRASES:
            n = len(phrase)
            if tuple(bare[:n]) == phrase and len(tokens) > n:
                tokens, changed = tokens[n:], True
                break
        if changed:
            continue
        first = bare[0]
        free = first in _LEAD_FREE and not (first == "alors" and bare[1:2] in (["que"], ["qu'"]))
        # "Oui, ...", "Non mais ...", "oui alors on ...": closed by a comma, or followed by another tic or,
        # for a reply word, by the subject of the sentence (captions often carry no punctuation).
        nxt = bare[1] if len(bare) > 1 else ""
        comma = first in _LEAD_COMMA and (
            _ends_clause(tokens[0])
            or nxt in _LEAD_FREE | _LEAD_COMMA
            or (first in _REPLIES and nxt in _SUBJECT_STARTS)
        )
        if len(tokens) > 1 and (free or comma):
            tokens, changed = tokens[1:], True
    return tokens


def _drop_fillers(tokens: list[str]) -> list[str]:
    """Fillers and stutters out, anywhere in the sentence; the punctuation before them stays."""
    bares = [_bare(t) for t in tokens]
    out: list[str] = []
    out_bares: list[str] = []
    i, last = 0, len(tokens) - 1
    while i <= last:
        bare = bares[i]
        prev = out_bares[-1] if out else ""
        if bare in _FILLER_ALWAYS:
            i += 1
            continue
        if tuple(bares[i : i + 2]) in _FILLER_PHRASES and (prev not in _SUBJECTS or _ends_clause(out[-1])):
            i += 2
            continue
        set_off = _ends_clause(tokens[i]) or (out and _ends_clause(out[-1])) or i == last
        if bare in _FILLER_SET_OFF and set_off and out:
            i += 1
            continue
        if out and bare and bare == prev and not _ends_clause(out[-1]):
            out[-1] = tokens[i]  # "c'est c'est" -> "c'est"
            i += 1
            continue
        out.append(tokens[i])
        out_bares.append(bare)
        i += 1
    return _drop_repeated_pairs(out, out_bares)


def _drop_repeated_pairs(tokens: list[str], bares: list[str]) -> list[str]:
    """'il y a il y a' -> 'il y a': a repeated run of two or three words keeps its last copy.

    `bares`: the tokens' bare forms (`_bare`), deleted along with them.
    """
    for n in (3, 2):
        i = 0
        while i + 2 * n <= len(tokens):
            a = bares[i : i + n]
            if a == bares[i + n : i + 2 * n] and all(a) and not _ends_clause(tokens[i + n - 1]):
                del tokens[i : i + n]
                del bares[i : i + n]
            else:
                i += 1
    return tokens


_TRAILING_TICS = {"alors", "quoi", "hein", "voilà", "bon", "enfin", "donc", "et", "mais", "ou", "euh", "bref"}
_DANGLING_TEXT = """elle il ils elles on je tu nous vous le la les de du des à au aux que qu' qui dont où et ou mais donc
    pour avec sur dans par un une ce cette ces son sa ses leur leurs mon ma mes en y ne c' d' l' j' s' n'
    comme parce si quand lorsque puisque car entre vers chez sans sous"""
_DANGLING = frozenset(_DANGLING_TEXT.split())


def _finish(tokens: list[str]) -> str:
    """Tokens -> a sentence: capital first letter, no dangling comma, a final full stop when needed."""
    while tokens and _bare(tokens[-1]) in _TRAILING_TICS and len(tokens) > 1:
        tokens = tokens[:-1]  # "... un sous Stargate, alors..." -> "... un sous Stargate."
    text = " ".join(tokens).strip()
    text = re.sub(r"[,;:\s]+$", "", text)
    if not text:
        return ""
    if text[-1] not in '.!?…»"':
        text += "."
    return text[0].upper() + text[1:]


def _clauses(tokens: list[str]) -> list[list[str]]:
    """Clause runs: after , ; : and before a coordinating word when the captions have no punctuation."""
    runs: list[list[str]] = [[]]
    for k, tok in enumerate(tokens):
        bare = _bare(tok)
        starts = bare in {"et", "mais", "donc", "parce", "car", "alors", "puis"} and k > 0 and runs[-1]
        if starts and len(runs[-1]) >= 4:
            runs.append([])
        runs[-1].append(tok)
        if _ends_clause(tok) and k < len(tokens) - 1:
            runs.append([])
    return [r for r in runs if r]


def word_count(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


def pieces(text: str) -> list[str]:
    """A spoken sentence made readable: one sentence, or several cut at clause boundaries (≤ MAX_WORDS)."""
    tokens = _drop_fillers(_strip_lead(text.split()))
    whole = _finish(_strip_lead(tokens))
    if word_count(whole) <= MAX_WORDS:
        return [whole] if whole else []
    out: list[str] = []
    current: list[str] = []
    for clause in _clauses(tokens):
        if current and word_count(" ".join(current + clause)) > MAX_WORDS * 2 // 3:
            out.append(_finish(_strip_lead(current)))
            current = []
        current += clause
    if current:
        out.append(_finish(_strip_lead(current)))
    return [p for p in out if p and word_count(p) <= MAX_WORDS]


def opens_with_tic(text: str) -> bool:
    """Whether a sentence still opens on a spoken tic (used by the checks and the benchmark)."""
    tokens = text.split()
    return bool(tokens) and len(_strip_lead(list(tokens))) < len(tokens)


def filler_count(text: str) -> int:
    """Fillers of spoken French left in a text ("en fait", "voilà", "tu vois"...)."""
    folded = " " + re.sub(r"[^\w'’]+", " ", text.lower()) + " "
    return sum(folded.count(f" {f} ") for f in FILLER_WORDS)


def dangling(text: str) -> bool:
    """A sentence that stops short: on a pronoun, an article, a preposition or a conjunction."""
    tokens = text.split()
    last = _bare(tokens[-1]) if tokens else ""
    return last in _DANGLING or last.endswith("'") or text.rstrip().endswith(("...", "…"))


def has_verb(text: str) -> bool:
    words = [_bare(t) for t in text.split()]
    return any(
        w in _VERB_FORMS or (len(w) > 3 and _VERB_END.search(w) and not w.endswith("ment")) for w in words
    )


def names_something(text: str, known: Sequence[str] = ()) -> bool:
    """A figure, a name, or a proper noun or acronym after the first word."""
    if language.figures(text) or language.candidate_names(text):
        return True
    if any(language.fold(k) in language.fold(text) for k in known):
        return True
    return any(t[:1].isupper() for t in text.split()[1:])


def informative(text: str, known: Sequence[str] = (), *, strict: bool = True) -> bool:
    """A complete statement worth a summary: a verb, a named thing or a figure, no question, no chit-chat."""
    n = word_count(text)
    if not MIN_WORDS <= n <= MAX_WORDS or text.rstrip().endswith("?") or addresses_model(text):
        return False
    if _QUESTION_START.match(text) or _CHITCHAT.search(text) or dangling(text):
        return False
    return has_verb(text) and names_something(text, known) if strict else True


def strip_ordinal(text: str) -> str:
    """'Premièrement, faire des sauvegardes' -> 'faire des sauvegardes' (a numbered list says the rank)."""
    match = _ENUM.match(text.strip())
    if not match or not text.strip()[match.end() :].startswith(","):
        return text
    return text.strip()[match.end() + 1 :].strip()


def list_rank(text: str) -> int | None:
    """The rank a sentence announces in a spoken list ("Premièrement," 1, "Ensuite," 2), else None."""
    match = _ENUM.match(text.strip())
    if not match:
        return None
    return next((r for w, r in _RANKS.items() if w in match.group(0).lower().split()), None)
