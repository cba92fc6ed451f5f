"""Metadata said on air: the guest greeted by name, the show named, the host introducing themself.

Read from the opening of the speech only, and only when no written source said it. Names are kept as
they were heard (a speech-recognition spelling stays until a written source gives another).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.language import MONTHS, WEEKDAYS, split_sentences
from generator.transcript.metadata import fold, is_name_like

# The greetings, introductions and show names of an opening come within its first minutes.
OPENING_WORDS = 400
MAX_SHOW_WORDS = 6

_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’-]+"
_PERSON = rf"{_CAP}(?:[ \t]+(?:(?:de|du|des|d'|van|von|le|la|ben|el)[ \t]+)?{_CAP}){{1,3}}"
_GREETED_BEFORE = re.compile(rf"(?:^|[.!?…:]\s+|[-–—]\s*)(?P<name>{_PERSON})\s*,\s*(?i:bonjour|bonsoir)\b")
_GREETED_AFTER = re.compile(rf"(?i:\b(?:bonjour|bonsoir))\s*,?\s+(?P<name>{_PERSON})(?=\s*[,.!?…]|\s+et\b)")
_RECEIVED = re.compile(
    r"(?i:\b(?:nous\s+recevons|on\s+reçoit|nous\s+accueillons|on\s+accueille|(?:j'ai|nous\s+avons|on\s+a)\s+le\s+"
    r"(?:plaisir|bonheur|privilège)\s+de\s+recevoir|(?:notre|mon)\s+invitée?\s+(?:aujourd'hui\s+|ce\s+soir\s+|"
    r"ce\s+matin\s+)?(?:est|c'est|:)|on\s+a\s+avec\s+nous|nous\s+avons\s+avec\s+nous|avec\s+nous\s+"
    r"(?:aujourd'hui|ce\s+soir|ce\s+matin))\s*,?\s+)"
    rf"(?P<name>{_PERSON})"
)
_SELF = re.compile(
    rf"(?i:\b(?:je\s+suis|je\s+m'appelle|moi\s+c'est|ici)\s+)(?P<name>{_PERSON})(?=\s*[,.!?…]|\s+et\b|\s+(?i:pour|au|à)\b)"
)
# Where a show is named on air; the name is what follows, up to the end of its clause.
_SHOW_CUES = re.compile(
    r"(?i:\b(?:vous\s+écoutez|vous\s+regardez|vous\s+êtes\s+(?:bien\s+)?(?:sur|dans)|bienvenue\s+(?:à\s+tous\s+)?"
    r"(?:dans|sur|à)|(?:chaîne|chaine|site|podcast|émission|média|programme|magazine|rendez-vous)"
    r"(?:\s+(?:youtube|internet|web|télé|radio|vidéo))?\s+qui\s+s'appelle)\s+)"
)
_ICI = re.compile(r"^[Ii]ci\s+")
_TITLES = {
    fold(w)
    for w in (
        "Monsieur",
        "Madame",
        "Mademoiselle",
        "Maître",
        "Docteur",
        "Professeur",
        "Président",
        "Présidente",
        "Cher",
        "Chère",
        "Messieurs",
        "Mesdames",
    )  # fmt: skip
}
# A show's name ends where a new clause starts.
# A show's name ends where a new clause starts: a subject, a relative, a linking word, a greeting, a verb
# of the description grammar.
_SUBJECTS = ("je", "j'", "tu", "il", "elle", "nous", "vous", "on", "ils", "elles", "c'est", "ce", "cette")
_RELATIVES = ("qui", "que", "qu'", "dont", "où")
_LINKS = ("avec", "pour", "mais", "donc", "alors", "voilà", "parce", "comme", "car", "sur", "autour")
_GREETINGS_AND_VERBS = ("aujourd'hui", "bonjour", "bonsoir", "reçoit", "reçoivent", "accueille",
                        "accueillent", "invite", "présente", "présentent")  # fmt: skip
_CLAUSE_WORDS = {fold(w) for group in (_SUBJECTS, _RELATIVES, _LINKS, _GREETINGS_AND_VERBS) for w in group}
# ", l'émission", ", la quotidienne": an apposition saying what the show is, not part of its name.
_KINDS = {
    fold(w)
    for w in (
        "podcast",
        "émission",
        "quotidienne",
        "quotidien",
        "hebdo",
        "hebdomadaire",
        "magazine",
        "rendez-vous",
        "chronique",
        "matinale",
        "série",
        "mensuel",
        "programme",
    )  # fmt: skip
}
_DATE_WORDS = {fold(w) for w in (*MONTHS, *WEEKDAYS, "ce", "cette", "hier", "demain")}
_JOINERS = {"de", "du", "des", "la", "le", "les", "l'", "et", "à", "en", "au", "aux", "d'", "un", "une"}
_SUBTITLE = re.compile(
    r"^,\s+(?P<sub>(?:le|la|les|l['’])\s*[^\s,.!?;:]+(?:\s+[^\s,.!?;:]+){0,2})\s*(?:[.!?…]|$)"
)


@dataclass(frozen=True)
class OnAir:
    """What the opening of the speech says: the show, the host, the guests (each as heard)."""

    show: str | None = None
    host: str | None = None
    guests: tuple[str, ...] = ()


def take_name(text: str) -> str | None:
    """A name at the start of `text`, whole: up to its clause's end, `&`, digits, apostrophes and
    lower-case words included; a quoted name up to its closing quote; `, le mag` kept as a subtitle."""
    text = text.lstrip()
    quoted = re.match(r"^[«“\"]\s*(?P<name>[^»”\"]{1,80}?)\s*[»”\"]", text)
    if quoted:
        return quoted["name"]
    words: list[str] = []
    rest = text
    for m in re.finditer(r"\S+", text):
        token = m.group(0)
        bare = token.rstrip(',.;:!?…)»”"')
        if fold(bare) in _CLAUSE_WORDS or (
            words and fold(bare) in ("et",) and _next_is_clause(text[m.end() :])
        ):
            rest = text[m.start() :]
            break
        if bare:
            words.append(bare)
        if bare != token or len(words) >= MAX_SHOW_WORDS:
            rest = text[m.start() + len(bare) :]
            break
    else:
        rest = ""
    while words and fold(words[-1]) in _JOINERS:
        words.pop()
    if not words or not words[0][:1].isalnum() or (words[0].islower() and fold(words[0]) in _JOINERS):
        return None
    name = " ".join(words)
    sub = _SUBTITLE.match(rest)
    if sub and fold(sub["sub"].split()[-1]) not in _KINDS:  # ", la quotidienne" says what it is
        name = f"{name}, {sub['sub']}"
    return name


def _next_is_clause(text: str) -> bool:
    nxt = text.split(maxsplit=1)
    return bool(nxt) and fold(nxt[0].rstrip(",.")) in _CLAUSE_WORDS


def _person(name: str) -> str | None:
    """A person's name as said, or None for `Monsieur le Président` and the like."""
    name = name.strip()
    if not is_name_like(name) or fold(name.split()[0]) in _TITLES:
        return None
    return name


def _show(text: str, people: set[str]) -> str | None:
    for cue in _SHOW_CUES.finditer(text):
        name = take_name(text[cue.end() :])
        if name and fold(name) not in people and fold(name) not in {"vous", "nous", "tous", "toutes"}:
            return name
    # "Ici France Inter." opening a sentence (inside one, "ici à Davos" is a place).
    for sentence in split_sentences(text):
        said = _ICI.match(sentence)
        name = take_name(sentence[said.end() :]) if said else None
        if name and not _person(name) and fold(name) not in people:
            return name  # "Ici Nadia Roche" is a host saying who speaks, not a show
    return None


def read_on_air(opening: str) -> OnAir:
    """Show, host and greeted guests said in the opening of the speech."""
    host = None
    for m in _SELF.finditer(opening):
        host = _person(m["name"])
        if host:
            break
    guests: list[str] = []
    for pattern in (_GREETED_BEFORE, _GREETED_AFTER, _RECEIVED):
        for m in pattern.finditer(opening):
            name = _person(m["name"])
            if name and name != host and name not in guests:
                guests.append(name)
    people = {fold(n) for n in [host, *guests] if n}
    show = _show(opening, people)
    guests = [g for g in guests if show is None or fold(g) != fold(show)]  # "Bonjour France Inter"
    return OnAir(show=show, host=host, guests=tuple(guests))
