"""Checks on a model's answer beyond its schema: degenerate loops and text that is not French."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from generator.language import detect_language, split_sentences


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
        norm
        for piece in split_sentences(text, at_line_breaks=True)
        if len((norm := _norm(piece)).split()) >= 4
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


def french_errors(data: Any) -> list[str]:
    """Long text fields that plainly read as English (the one detector, with a wide margin; short text ignored)."""
    errors = []
    for text in _strings(data):
        if detect_language(text, min_words=8, margin=2) == "en":
            errors.append(f"this text is in English, it must be in French: {text[:60]!r}")
    return errors
