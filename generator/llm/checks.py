"""Checks on a model's answer beyond its schema: degenerate loops and text that is not French."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _text_loop(text: str) -> str | None:
    """A sentence said 3 times, a paragraph twice, or an 8-word phrase 4 times, inside one text."""
    sentences = Counter(
        norm for piece in re.split(r"(?<=[.!?…])\s+|\n+", text) if len((norm := _norm(piece)).split()) >= 4
    )
    if sentences and (top := sentences.most_common(1)[0])[1] >= 3:
        return f"the same sentence appears {top[1]} times: {top[0][:80]!r}"
    paragraphs = Counter(n for p in re.split(r"\n\s*\n", text) if len((n := _norm(p)).split()) >= 12)
    if paragraphs and (top := paragraphs.most_common(1)[0])[1] >= 2:
        return f"the same paragraph appears {top[1]} times: {top[0][:80]!r}"
    words = _norm(text).split()
    grams = Counter(tuple(words[i : i + 8]) for i in range(max(0, len(words) - 7)))
    if grams and (top := grams.most_common(1)[0])[1] >= 4:
        return f"a phrase repeats in a loop: {' '.join(top[0])!r}"
    return None


def degeneration(data: Any) -> str | None:
    """Why an answer looks degenerate (a sentence, item or phrase looping), else None.

    Repeats are looked for inside one field or one list only: a small model copying the same transcript
    sentence into the summary, a key point and a quote is not a loop.
    """
    if isinstance(data, str):
        return _text_loop(data)
    if isinstance(data, dict):
        return next((r for r in map(degeneration, data.values()) if r), None)
    if isinstance(data, list):
        items = Counter(
            _norm(item) if isinstance(item, str) else json.dumps(item, sort_keys=True, ensure_ascii=False)
            for item in data
        )
        if items and (top := items.most_common(1)[0])[1] >= 3 and top[0]:
            return f"the same item appears {top[1]} times: {top[0][:80]!r}"
        return next((r for r in map(degeneration, data) if r), None)
    return None


_FR = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "est",
        "et",
        "une",
        "un",
        "du",
        "que",
        "qui",
        "dans",
        "pour",
        "pas",
        "sur",
        "avec",
        "ce",
        "cette",
        "il",
        "elle",
        "nous",
        "vous",
        "sont",
        "au",
        "aux",
        "plus",
        "mais",
        "ou",
        "par",
        "ne",
        "se",
        "leur",
        "ils",
        "elles",
        "été",
        "être",
        "très",
        "aussi",
        "comme",
    ]
)
_EN = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "of",
        "to",
        "that",
        "this",
        "with",
        "for",
        "was",
        "were",
        "it",
        "be",
        "on",
        "have",
        "has",
        "not",
        "but",
        "they",
        "their",
        "from",
        "which",
        "an",
        "will",
        "would",
        "can",
        "about",
        "there",
        "what",
        "when",
    ]
)


def french_errors(data: Any) -> list[str]:
    """Long text fields that read as English rather than French (stop-word counts; short text ignored)."""
    errors = []
    for text in _strings(data):
        words = _norm(text).split()
        if len(words) < 8:
            continue
        en = sum(w in _EN for w in words)
        fr = sum(w in _FR for w in words)
        if en >= 3 and en > 2 * fr:
            errors.append(f"this text is in English, it must be in French: {text[:60]!r}")
    return errors
