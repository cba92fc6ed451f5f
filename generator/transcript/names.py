"""Repair speech-recognition variants of the guests' names with the description's spelling."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from generator.model import NameFix
from generator.transcript.metadata import fold
from generator.transcript.speakers import GENERIC


def is_voice_label(speaker: str) -> bool:
    """A diarisation label without a name (`Speaker 1`, `SPEAKER_03`, `Intervenant 2`)."""
    return bool(GENERIC.match(speaker.strip()))


_TOKEN = re.compile(r"\S+")
# Elided articles glued to a name: "d'Alexandre", "l'Europe".
_ELISION = re.compile(r"^(?:[dDlLjJnNsScC]|[qQ]u|[jJ]usqu|[lL]orsqu|[pP]uisqu)['’]")
_CORE = re.compile(r"^(?P<lead>[\"«“(\[]*)(?P<core>.*?)(?P<trail>[\"»”)\].,;:!?…]*)$")
_CAPITAL = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’-]*$")

_TITLES = {"monsieur", "madame", "mademoiselle", "m", "mme", "docteur", "professeur", "maitre", "president"}

# Thresholds on a French-phonetic similarity (0..1) of name tokens.
SAME_FIRST_LAST = 0.7  # first name right, last name heard wrong ("Julien Nosetti")
SAME_LAST_FIRST = 0.75  # last name right, first name heard wrong ("Steve Chantrel")
BOTH_WRONG = 0.75  # both heard wrong ("Tarek Reem"): each token must pass and the pair average 0.8
LAST_ALONE = 0.88  # a last name on its own ("Monsieur Stachenko"), long names only
LAST_ALONE_MIN_LEN = 6

_SOUNDS = [
    (re.compile(p), r)
    for p, r in (
        (r"ph", "f"),
        (r"gh", "g"),  # Ghislain / Guislain
        (r"gu(?=[eiy])", "g"),
        (r"ge(?=[aou])", "j"),  # Georges / Jorge
        (r"g(?=[eiy])", "j"),
        (r"qu", "k"),
        (r"q", "k"),
        (r"ck", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"tch|sch|sh", "ch"),
        (r"th", "t"),
        (r"y", "i"),
        (r"ee|ea|ie$", "i"),
        (r"eau|au", "o"),
        (r"ai|ei", "e"),
        (r"ou", "u"),
        (r"h", ""),
        (r"(.)\1+", r"\1"),
        (r"(?<=[a-z]{3})(?:e?[sxz]|[dt]|e)$", ""),  # silent endings: Arnaud / Arnau, Denise / Denis
        (r"[^a-z]", ""),
    )
]


@lru_cache(maxsize=65536)
def sound_key(word: str) -> str:
    """A rough French phonetic key: spellings heard alike map to the same letters."""
    key = fold(word)
    for pattern, repl in _SOUNDS:
        key = pattern.sub(repl, key)
    return key


@lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> float:
    """Phonetic similarity of two name tokens, 0..1."""
    if fold(a) == fold(b):
        return 1.0
    return Indel.normalized_similarity(sound_key(a), sound_key(b))


@dataclass
class _Token:
    start: int  # offsets of the core (name part) in the text
    end: int
    core: str


def _tokens(text: str, any_case: bool = False) -> list[_Token | None]:
    """Per whitespace token, its name-like core (capitalised word, any word with `any_case`), or None."""
    out: list[_Token | None] = []
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        offset = m.start()
        elided = _ELISION.match(word)
        if elided:
            offset += elided.end()
            word = word[elided.end() :]
        parts = _CORE.match(word)
        assert parts is not None
        core = parts["core"]
        lead = len(parts["lead"])
        # Acronyms in capitals (IFRI, KPMG) are not people's names.
        if (
            any_case
            and core
            and core.replace("-", "").isalpha()
            and core.islower()
            or core
            and _CAPITAL.match(core)
            and not (len(core) > 1 and core.isupper())
        ):
            out.append(_Token(offset + lead, offset + lead + len(core), core))
        else:
            out.append(None)
    return out


def _match_full(window: Sequence[str], name: Sequence[str]) -> bool:
    """Whether heard tokens are a variant of a first-name + last-name pair."""
    first = similarity(window[0], name[0])
    last = similarity(window[-1], name[-1])
    middle_ok = all(similarity(w, n) >= BOTH_WRONG for w, n in zip(window[1:-1], name[1:-1], strict=True))
    if not middle_ok:
        return False
    if first == 1.0:
        return last >= SAME_FIRST_LAST
    if last == 1.0:
        return first >= SAME_LAST_FIRST
    return first >= BOTH_WRONG and last >= BOTH_WRONG and (first + last) / 2 >= 0.8


class NameRepairer:
    """Finds and fixes variants of known names in sentences; counts each fix."""

    def __init__(self, names: Sequence[str], *, any_case: bool = False) -> None:
        self.names = [n.split() for n in dict.fromkeys(names) if len(n.split()) >= 2]
        self.exact = {fold(n) for n in names}
        self.exact_tokens = {fold(t) for n in self.names for t in n}
        self.counts: Counter[tuple[str, str]] = Counter()
        # Automatic captions are all lower case: names are then found among any words, full names only.
        self.any_case = any_case

    def repair(self, text: str) -> str:
        """The text with name variants replaced; other words untouched."""
        if not self.names:
            return text
        tokens = _tokens(text, self.any_case)
        edits: list[tuple[int, int, str]] = []
        i = 0
        while i < len(tokens):
            fix = self._fix_at(tokens, i, text)
            if fix:
                length, start, end, right = fix
                wrong = text[start:end]
                if fold(wrong) != fold(right):
                    edits.append((start, end, right))
                    self.counts[(wrong, right)] += 1
                i += length
            else:
                i += 1
        for start, end, right in reversed(edits):
            text = text[:start] + right + text[end:]
        return text

    def _fix_at(self, tokens: list[_Token | None], i: int, text: str) -> tuple[int, int, int, str] | None:
        if tokens[i] is None:
            return None
        candidates = []
        for name in self.names:
            n = len(name)
            window = tokens[i : i + n]
            if len(window) == n and all(window) and _adjacent(window, text):
                cores = [t.core for t in window]  # type: ignore[union-attr]
                if fold(" ".join(cores)) in self.exact:
                    # Already a known name: never "repaired" into a similar one (Dupont / Dupond).
                    return n, window[0].start, window[-1].end, " ".join(cores)  # type: ignore[union-attr]
                if _match_full(cores, name):
                    score = sum(similarity(c, t) for c, t in zip(cores, name, strict=True))
                    candidates.append((score, n, window[0].start, window[-1].end, " ".join(name)))  # type: ignore[union-attr]
        if candidates:
            _, n, start, end, right = max(candidates)
            return n, start, end, right
        if self.any_case:  # in lower-case captions a last name alone is too often a common word
            return None
        # A last name alone, not at the start of the sentence (where any word is capitalised).
        token = tokens[i]
        previous = tokens[i - 1] if i else None
        after_title = previous is not None and fold(previous.core) in _TITLES
        if i == 0 or (previous is not None and not after_title) or fold(token.core) in self.exact_tokens:
            return None
        for name in self.names:
            last = name[-1]
            if len(last) >= LAST_ALONE_MIN_LEN and similarity(token.core, last) >= LAST_ALONE:
                nxt = tokens[i + 1] if i + 1 < len(tokens) else None
                if nxt is None:
                    return 1, token.start, token.end, last
        return None

    def fixes(self) -> tuple[NameFix, ...]:
        """Each distinct fix with its count, most frequent first."""
        return tuple(
            NameFix(wrong=w, right=r, count=c)
            for (w, r), c in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        )


def _adjacent(window: Sequence[_Token | None], text: str) -> bool:
    """Tokens of a name are separated by plain spaces only (no comma or full stop between them)."""
    return all(text[a.end : b.start].strip() == "" for a, b in zip(window, window[1:], strict=False))  # type: ignore[union-attr]


def apply_fixes(text: str, fixes: Sequence[NameFix]) -> str:
    """Rewrite, in any text (a proposed quote), the ASR variants an episode's cleaning replaced.

    A quote written with the misheard spelling ("Tarek Reem") then matches the cleaned transcript,
    which carries the description's spelling.
    """
    for fix in sorted(fixes, key=lambda f: -len(f.wrong)):
        text = re.sub(rf"(?<![\w'’-]){re.escape(fix.wrong)}(?![\w'’-])", fix.right, text)
    return text
