"""What draft.json says of a new draft: sources, sections, quotes with their transcript context, provenance."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from generator.model import Edition, Provenance, Quote, Utterance, format_ts

SCHEMA_VERSION = 1
FILES = {"md": "newsletter.md", "html": "newsletter.html", "txt": "newsletter.txt"}
CONTEXT_LINES = 2  # transcript sentences kept before and after each quote, for the reviewer
MAX_CONTEXT_CHARS = 800


def user_name() -> str:
    """Who is acting, for a draft's history."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "inconnu"


def _line_doc(index: int, u: Utterance) -> dict[str, Any]:
    text = u.text if len(u.text) <= MAX_CONTEXT_CHARS else u.text[: MAX_CONTEXT_CHARS - 1] + "…"
    return {
        "utterance": index,
        "start_s": u.start_s,
        "start": format_ts(u.start_s),
        "speaker": u.speaker,
        "text": text,
    }


def quote_context(
    utterances: Sequence[Utterance], index: int, text: str, lines: int = CONTEXT_LINES
) -> dict[str, Any] | None:
    """The transcript around a quote: `lines` sentences before, the sentences it spans, `lines` after."""
    if not 0 <= index < len(utterances):
        return None
    last, covered = index, len(utterances[index].text)
    while covered < len(text) * 0.9 and last + 1 < len(utterances):  # a quote may run over sentences
        last += 1
        covered += len(utterances[last].text) + 1
    return {
        "before": [_line_doc(i, utterances[i]) for i in range(max(0, index - lines), index)],
        "lines": [_line_doc(i, utterances[i]) for i in range(index, last + 1)],
        "after": [
            _line_doc(i, utterances[i]) for i in range(last + 1, min(len(utterances), last + 1 + lines))
        ],
    }


def _quote_doc(
    q: Quote,
    *,
    section: int | None,
    episode: str | None,
    epigraph: bool = False,
    transcript: Sequence[Utterance] | None = None,
) -> dict[str, Any]:
    return {
        "text": q.text,
        "start_s": q.start_s,
        "start": format_ts(q.start_s),
        "speaker": q.speaker,
        "verified": q.verified,
        "match": q.match,
        "score": q.score,
        "utterance": q.utterance,
        "section": section,
        "episode": episode,
        "epigraph": epigraph,
        "context": quote_context(transcript, q.utterance, q.text) if transcript else None,
    }


def _removed_doc(edition: Edition) -> list[dict[str, Any]]:
    """Sentences a model wrote that the transcript does not support, kept out of the text, with reasons."""
    return [
        {"sentence": r.sentence, "reason": r.reason, "field": r.field, "section": i, "segment": r.segment}
        for i, removed in [*enumerate(s.removed for s in edition.sections), (None, edition.removed)]
        for r in removed
    ]


def _quotes_doc(edition: Edition, transcripts: Mapping[str, Sequence[Utterance]]) -> list[dict[str, Any]]:
    quotes = [
        _quote_doc(q, section=i, episode=s.source.sha256, transcript=transcripts.get(s.source.sha256))
        for i, s in enumerate(edition.sections)
        for q in s.quotes
    ]
    if edition.epigraph is not None and not any(edition.epigraph in s.quotes for s in edition.sections):
        only = next(iter(transcripts.values())) if len(transcripts) == 1 else None
        quotes.append(
            _quote_doc(edition.epigraph, section=None, episode=None, epigraph=True, transcript=only)
        )
    for doc in quotes:
        doc["epigraph"] = doc["epigraph"] or (
            edition.epigraph is not None and doc["text"] == edition.epigraph.text
        )
    return quotes


def draft_document(
    draft_id: str,
    edition: Edition,
    provenance: Provenance,
    rendered: dict[str, str],
    created: dt.datetime,
    transcripts: Mapping[str, Sequence[Utterance]] | None = None,
) -> dict[str, Any]:
    """The draft.json content of a new draft; `transcripts` (sha256 -> cleaned sentences) gives quote context."""
    created_s = created.isoformat(timespec="seconds")
    quotes = _quotes_doc(edition, transcripts or {})
    warnings = list(provenance.warnings) + [f"{s.title} : {w}" for s in edition.sections for w in s.warnings]
    return {
        "schema": SCHEMA_VERSION,
        "id": draft_id,
        "status": "draft",
        "revision": 1,
        "history": [{"status": "draft", "at": created_s, "user": user_name(), "reason": None}],
        "created": created_s,
        "title": edition.title,
        "style": edition.style,
        "extractive": edition.extractive,
        "edition_date": edition.date.isoformat() if edition.date else None,
        "backend": provenance.backend,
        "model": provenance.model,
        "sources": [
            {
                "path": s.path,
                "sha256": s.sha256,
                "show": s.show,
                "date": s.date.isoformat() if s.date else None,
                "host": s.host,
                "guests": [{"name": g.name, "role": g.role} for g in s.guests],
                "source_url": s.source_url,
            }
            for s in edition.sources
        ],
        "sections": [
            {
                "title": s.title,
                "episode": s.source.sha256,
                "show": s.source.show,
                "start_s": s.start_s,
                "start": format_ts(s.start_s),
                "end_s": s.end_s,
                "end": format_ts(s.end_s),
                "quotes": len(s.quotes),
                "warnings": list(s.warnings),
                "kind": s.kind,
            }
            for s in edition.sections
        ],
        "removed": _removed_doc(edition),  # model sentences the transcript does not support (issue 14)
        "quotes": quotes,
        "rejected_quotes": [
            {"text": r.text, "reason": r.reason, "segment": r.segment, "episode": r.episode}
            for r in provenance.rejected_quotes
        ],
        "warnings": warnings,
        "prompts": [{"id": p.id, "version": p.version, "hash": p.hash} for p in provenance.prompts],
        "tokens": {
            "input": provenance.usage.input,
            "output": provenance.usage.output,
            "cached": provenance.usage.cached,
            "estimated": provenance.usage.estimated,
        },
        "calls": provenance.usage.calls,
        "cost_estimate": provenance.cost_estimate,
        "timings": dict(provenance.timings),
        "files": {
            FILES[k]: hashlib.sha256(v.encode("utf-8")).hexdigest() for k, v in sorted(rendered.items())
        },
        "extra": dict(provenance.extra),
    }
