"""A test model that mixes supported sentences with invented claims (issue 14), for the fake LLM server.

For each segment it answers with sentences taken from the segment's own lines (tidied, or cut to a
clause: what a faithful model would write) and plausible inventions about the people, places and
companies the segment names ("X a signé un accord avec Y au Japon."). It also copies any line that
addresses a model into its key points and quotes. `RECORD` keeps what was proposed, so a test can
check what got published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator import language
from generator.language import is_stopword, split_sentences
from generator.writing import tidy

_MARK = re.compile(r"^\[\d\d?:\d\d(?::\d\d)?\]\s*", re.MULTILINE)  # v1's time mark on every line

# Inventions about the segment's own entities; {a} and {b} are names or proper nouns it says.
INVENTED = (
    "{a} a signé un accord avec {b} au Japon.",
    "{a} va être racheté par un fonds américain l'an prochain.",
    "{b} a licencié la moitié de ses salariés en 2019.",
    "{a} critique vivement la stratégie commerciale de {b}.",
    "{b} prépare une entrée en Bourse à New York pour 2027.",
    "{a} a reçu une amende de la Commission européenne pour abus de position dominante.",
)
INVENTED_INTRO = "Cette semaine, {a} a conclu un partenariat historique avec {b} à Tokyo."


@dataclass
class Record:
    supported: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)
    injected: list[str] = field(default_factory=list)


def entities(lines: list[str]) -> list[str]:
    """Names and proper nouns the lines say, most frequent first (sentence-initial words aside)."""
    counts: dict[str, int] = {}
    for line in lines:
        for name in language.candidate_names(line):
            counts[name] = counts.get(name, 0) + 2
        for k, tok in enumerate(re.findall(r"[^\W\d_][\w'’-]*", line)):
            if k and tok[:1].isupper() and not is_stopword(tok) and len(tok) > 2:
                counts[tok] = counts.get(tok, 0) + 1
    return sorted(counts, key=lambda n: (-counts[n], n))


def transcript_lines(user: str) -> list[str]:
    """The segment's sentences in any prompt version: v1 sends one timed line per sentence, v2+
    paragraphs of about 30 s without time marks (both inside <transcription>...</transcription>)."""
    text = _MARK.sub("", user.split("<transcription>")[-1].split("</transcription>")[0])
    return [s for para in text.splitlines() for s in split_sentences(para, before_capital=True)]


def _supported(lines: list[str]) -> list[str]:
    """Sentences a faithful model could write: informative lines with their tics and fillers deleted."""
    out = []
    for line in lines:
        if tidy.addresses_model(line):
            continue
        for piece in tidy.pieces(line):
            if tidy.informative(piece) and piece not in out:
                out.append(piece)
    return out


class ClaimMix:
    """A responder for FakeLLMServer: per segment, `n_true` supported and `n_false` invented sentences."""

    def __init__(self, n_true: int = 3, n_false: int = 3) -> None:
        self.n_true = n_true
        self.n_false = n_false
        self.record = Record()
        self._seen = 0

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        user = body["messages"][-1]["content"]
        if "<resumes>" in user:
            return self._compose(user)
        lines = transcript_lines(user)
        true = _supported(lines)[: self.n_true]
        names = entities(lines) or ["Le gouvernement", "une start-up"]
        a, b = names[0], names[1 % len(names)]
        false = [INVENTED[(self._seen + k) % len(INVENTED)].format(a=a, b=b) for k in range(self.n_false)]
        self._seen += self.n_false
        injected = [line for line in lines if tidy.addresses_model(line)]
        self.record.supported += true
        self.record.invented += false
        self.record.injected += injected
        mixed = [s for pair in zip(true, false, strict=False) for s in pair]
        mixed += true[len(false) :] + false[len(true) :]
        summary = " ".join(mixed[:-1]) if len(mixed) > 2 else " ".join(mixed)
        return {
            "title": f"{a} au cœur du débat",
            "summary": summary,
            "key_points": [mixed[-1], *injected],
            "quotes": [{"text": q} for q in injected[:1]],
            "entities": names[:5],
        }

    def _compose(self, user: str) -> dict[str, Any]:
        indexes = [int(i) for i in re.findall(r"^\[(\d+)\]", user, re.MULTILINE)]
        names = entities(user.splitlines()) or ["Le gouvernement", "une start-up"]
        invented = INVENTED_INTRO.format(a=names[0], b=names[1 % len(names)])
        self.record.invented.append(invented)
        return {
            "title": "Ce que la semaine a montré",
            "intro": "Cette semaine, j'ai écouté une émission dense. " + invented,
            "closing": "À vous de juger.",
            "order": indexes,
        }
