"""Measures of a draft as a reader sees it (issue 14), shared by the tests and bench/draft.py.

A draft is judged from `generate --json`, its newsletter.md and the cleaned episode, against labels
that say which spans of the show are topics (`segments[]` with `kind`, `start_s`/`end_s` or `start`/`end`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.language import STOPWORDS, split_sentences
from generator.model import Episode
from generator.writing import tidy

TOPIC_KINDS = ("topic", "interview")
_WORD = re.compile(r"[\w'’-]+")


def words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


def is_subsequence(small: Sequence[str], big: Sequence[str]) -> bool:
    it = iter(big)
    return all(w in it for w in small)


def deletion_of_transcript(sentence: str, episode: Episode) -> bool:
    """The sentence is one transcript sentence with words deleted (case-folded words, in order)."""
    mine = words(sentence)
    return any(is_subsequence(mine, words(u.text)) for u in episode.utterances)


def _seconds(label: dict[str, Any], key: str) -> float:
    if f"{key}_s" in label:
        return float(label[f"{key}_s"])
    parts = [int(p) for p in str(label[key]).split(":")]
    return float(sum(p * 60**i for i, p in enumerate(reversed(parts))))


def topic_share(start: float, end: float, labels: dict[str, Any]) -> float:
    """Share of [start, end] that the labels call a topic or an interview."""
    covered = 0.0
    for seg in labels["segments"]:
        if seg["kind"] in TOPIC_KINDS:
            a, b = _seconds(seg, "start"), _seconds(seg, "end")
            covered += max(0.0, min(end, b) - max(start, a))
    return covered / max(end - start, 1e-9)


def title_cut(title: str) -> bool:
    """A heading that stops short: on a function word, an ellipsis or a dangling punctuation mark."""
    last = (words(title) or [""])[-1]
    return title.rstrip().endswith(("…", "...", ",", ":", "-")) or (
        len(last) > 1 and last in STOPWORDS and last not in {"ia", "ue"}
    )


def summary_sentences(doc: dict[str, Any]) -> list[str]:
    """Every sentence a reader sees as summary: sections' summaries and key points."""
    out: list[str] = []
    for s in doc["sections"]:
        out += split_sentences(s["summary"], before_capital=True)
        out += [k for k in s["key_points"]]
    return out


def offline_metrics(doc: dict[str, Any], md: str, episode: Episode, labels: dict[str, Any]) -> dict[str, Any]:
    """The issue's 'must show' figures for one offline draft of one episode."""
    sections = doc["sections"]
    hours = (episode.duration_s or 0) / 3600
    starts = [s["start_s"] for s in sections]
    sentences = summary_sentences(doc)
    text_words = sum(len(words(s)) for s in sentences)
    injected = [u.text for u in episode.utterances if tidy.addresses_model(u.text, u.speaker)]
    return {
        "sections": len(sections),
        "per_hour": round(len(sections) / hours, 1) if hours else None,
        "not_topic": sum(topic_share(s["start_s"], s["end_s"], labels) < 0.5 for s in sections),
        "under_90s": sum((s["end_s"] - s["start_s"]) < 90 for s in sections),
        "in_show_order": starts == sorted(starts),
        "titles_cut": sum(title_cut(s["title"]) for s in sections),
        "show_named": all(_same_show(s["show"], labels["show"]) for s in sections)
        and Path(episode.path).name not in md,
        "sentences": len(sentences),
        "not_word_deletions": sum(not deletion_of_transcript(s, episode) for s in sentences),
        "over_45_words": sum(len(words(s)) > 45 for s in sentences),
        "tic_openings_pct": round(
            100 * sum(tidy.opens_with_tic(s) for s in sentences) / max(len(sentences), 1), 1
        ),
        "fillers_per_100_words": round(
            100 * sum(tidy.filler_count(s) for s in sentences) / max(text_words, 1), 2
        ),
        "injection_lines_in_md": sum(_in(md, line) for line in injected),
    }


def _same_show(shown: str | None, labelled: str) -> bool:
    """The show's name as the labels give it, or its first part ("Smart Tech" for "Smart Tech (B Smart)")."""
    a, b = " ".join(words(shown or "")), " ".join(words(labelled))
    return bool(a) and (b.startswith(a) or a.startswith(b))


def _in(md: str, line: str) -> bool:
    """A transcript line (or its first eight words) appears in the newsletter."""
    head = " ".join(words(line)[:8])
    return bool(head) and head in " ".join(words(md))
