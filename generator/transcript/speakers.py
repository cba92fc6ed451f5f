"""Speaker turns inside caption texts: `Nom :` labels, leading dashes and `>>` markers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from generator.i18n import _
from generator.transcript.fragments import Fragment, count_words
from generator.transcript.metadata import fold, is_name_like

_LABEL = re.compile(r"^(?P<name>[A-ZÀ-Þ][\w'’.-]*(?:\s+[\w'’.-]+){0,4})\s?:\s+(?P<text>\S.*)$")
_LABEL_ALONE = re.compile(r"^(?P<name>[A-ZÀ-Þ][\w'’.-]*(?:\s+[\w'’.-]+){0,4})\s?:$")
# Diarisation without names: "Speaker 1", "Intervenant 2", "SPEAKER_03".
GENERIC = re.compile(
    r"^(?:(?:Speaker|Intervenante?|Locut(?:eur|rice)|Orat(?:eur|rice)|Participante?|Invitée?|Voix)\s*(?:\d{1,2}|[A-Z])|SPEAKER_\d{1,3})$",
    re.IGNORECASE,
)
# "[Speaker 0]: text", "[Nadia Roche] : text": a label in brackets, as some exports write it.
_BRACKETED = re.compile(r"^\[(?P<name>[^\]\n]{1,40})\]\s?:\s*(?=\S)")
_DASH = re.compile(r"^[-–—]\s+(?P<text>\S.*)$")
_CHEVRONS = re.compile(r"^(?:>>|&gt;&gt;)\s*(?P<text>.*)$")
_LABEL_STOP = {
    fold(w)
    for w in (
        "Alors",
        "Mais",
        "Donc",
        "Question",
        "Réponse",
        "Exemple",
        "Attention",
        "Résultat",
        "Bref",
        "Bon",
        "Voilà",
        "Enfin",
        "Note",
        "Conclusion",
        "Rappel",
        "Objectif",
        "Et",
        "Ou",
        "Car",
        "Puis",
        "Ensuite",
        "Bilan",
        "Verdict",
    )
}


def unbracket(text: str) -> str:
    """`[Speaker 0]: text` -> `Speaker 0: text` when the brackets hold a speaker's label."""
    m = _BRACKETED.match(text)
    if m and (
        GENERIC.match(m["name"]) or is_name_like(m["name"]) or re.fullmatch(r"[A-ZÀ-Þ][\w'’-]+", m["name"])
    ):
        return f"{m['name']}: {text[m.end() :]}"
    return text


def _label_candidates(texts: list[str], known: set[str]) -> set[str]:
    """Speaker labels (`Nom :`) used in this file: name-like, single words used at least twice, or the
    name or first name of a person the file's metadata names."""
    counts: Counter[str] = Counter()
    for text in texts:
        text = unbracket(re.sub(r"^(?:>>|&gt;&gt;|[-–—])\s*", "", text))  # ">> NADIA: ..." names NADIA too
        m = _LABEL.match(text) or _LABEL_ALONE.match(text)
        if m:
            counts[m["name"]] += 1
    accepted = set()
    for name, count in counts.items():
        tokens = name.split()
        if fold(tokens[0]) in _LABEL_STOP:
            continue
        if (
            fold(name) in known
            or is_name_like(name)
            or GENERIC.match(name)
            or (len(tokens) == 1 and count >= 2)
            or (name.isupper() and count >= 2)
        ):
            accepted.add(name)
    return accepted


class Speakers:
    """Applies speaker labels, leading dashes and `>>` markers to fragment texts."""

    def __init__(self, texts: list[str], known: Sequence[str] = ()) -> None:
        names = {fold(n) for n in known} | {fold(n.split()[0]) for n in known if n.split()}
        self.labels = _label_candidates(texts, names)
        self.current: str | None = None
        self.pending = False  # the next text starts a new speaker's turn
        # "00:12 - text" on every line: the dash separates, it does not mark a new speaker.
        dashed = sum(1 for t in texts if _DASH.match(t))
        self.dash_is_turn = dashed < max(3, 0.8 * len([t for t in texts if t]))
        self.label_words = 0  # words of the labels taken out of the speech (conservation count)

    def alone(self, text: str) -> bool:
        """`Nom :` on a line of its own sets the speaker of the following lines."""
        m = _LABEL_ALONE.match(text)
        if m and m["name"] in self.labels:
            self.current = m["name"].strip()
            self.pending = True
            self.label_words += count_words(m["name"])
            return True
        return False

    def apply(self, text: str) -> tuple[str, str | None, bool]:
        """Returns (text without the marker, speaker, whether a new speaker starts here)."""
        new = self.pending
        self.pending = False
        text = unbracket(text)
        m = _LABEL.match(text)
        if m and m["name"] in self.labels:
            speaker = m["name"].strip()
            new = new or speaker != self.current
            self.current = speaker
            self.label_words += count_words(speaker)
            return m["text"].strip(), speaker, new
        for pattern in (_DASH, _CHEVRONS):
            m = pattern.match(text)
            if m and pattern is _DASH and not self.dash_is_turn:
                return m["text"].strip(), self.current, new
            if m:
                rest = m["text"].strip()
                label = _LABEL.match(rest)
                if label and label["name"] in self.labels:  # ">> NADIA: Bonjour": the marker, then the name
                    self.pending = True
                    return self.apply(rest)
                if self.labels:  # a dash with labelled speakers: someone else, name unknown
                    self.current = None
                return rest, self.current, True
        return text, self.current, new


def is_single_name(text: str) -> bool:
    """One capitalised word that is not a stop word (`Marc`): a speaker name on a line of its own."""
    return bool(re.fullmatch(r"[A-ZÀ-Þ][\w'’-]+", text)) and fold(text) not in _LABEL_STOP


def _named_in_speech(first: str, fragments: list[Fragment]) -> set[str]:
    """Full names `First Last` the speech says for a first name ("je suis Jérôme Vidal", "avec Jérôme Vidal")."""
    pattern = re.compile(rf"\b{re.escape(first)}\s+([A-ZÀ-Þ][\w’'-]+)")
    found = set()
    for frag in fragments:
        for m in pattern.finditer(frag.text):
            if fold(m[1]) not in _LABEL_STOP and not m[1].isupper():
                found.add(f"{first} {m[1]}")
    return found


def resolve_speakers(fragments: list[Fragment], names: list[str]) -> list[str]:
    """First names alone (`Jérôme`) made full names; returns warnings for what was unsure."""
    # The one described person with that first name, else the one full name the speech says for it;
    # a first name several described people share stays as written.
    by_first: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        parts = name.split()
        if len(parts) >= 2:
            by_first.setdefault(fold(parts[0]), []).append(name)
    labels = {f.speaker for f in fragments if f.speaker and re.fullmatch(r"[A-ZÀ-Þ][\w'’-]+", f.speaker)}
    warnings = []
    resolved: dict[str, str] = {}
    for label in sorted(labels):
        match = by_first.get(fold(label), [])
        if len(match) == 1:
            resolved[label] = match[0]
        elif match:
            warnings.append(
                _(
                    "l'intervenant « {label} » peut être {names} : laissé tel quel",
                    label=label,
                    names=_(" ou ").join(match),
                )
            )
        elif len(said := _named_in_speech(label, fragments)) == 1:
            resolved[label] = said.pop()
            warnings.append(
                _(
                    "l'intervenant « {label} » est pris pour « {name} », le nom complet dit dans l'émission",
                    label=label,
                    name=resolved[label],
                )
            )
    for frag in fragments:
        if frag.speaker in resolved:
            frag.speaker = resolved[frag.speaker]
    return warnings
