"""What a generate did, as data: `Prepared` episodes, the draft's provenance, the `--json` document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import llm
from generator.config import Settings
from generator.edition import DraftInfo
from generator.i18n import ngettext
from generator.model import Edition, Episode, PromptUse, Provenance, RejectedQuote, Segment, Usage
from generator.transcript import origin_of
from generator.writing import ComposeResult, SummariseResult, removed_all, section_json


@dataclass(frozen=True)
class Prepared:
    """One episode taken through summarise: what the writer needs, plus its cost and timings."""

    episode: Episode
    segments: tuple[Segment, ...]
    summaries: SummariseResult
    timings: dict[str, float] = field(default_factory=dict)
    transcript_tokens: int = 0


@dataclass(frozen=True)
class GenerateResult:
    """What `generate` did: the draft written (None on a dry run), its edition and provenance."""

    backend: str
    model: str | None
    prepared: tuple[Prepared, ...]
    edition: Edition | None = None
    provenance: Provenance | None = None
    draft: DraftInfo | None = None
    estimate: dict[str, Any] | None = None

    @property
    def draft_id(self) -> str | None:
        return self.draft.id if self.draft else None

    @property
    def path(self) -> Path | None:
        return self.draft.path if self.draft else None

    def to_json(self) -> dict[str, Any]:
        """The document `newsletter generate --json` prints."""
        episodes = [
            {
                "path": p.episode.path,
                "sha256": p.episode.sha256,
                "show": p.episode.show,
                "date": p.episode.date.isoformat() if p.episode.date else None,
                "host": p.episode.host,
                "guests": [{"name": g.name, "role": g.role} for g in p.episode.guests],
                "segments": len(p.segments),
                "topics": len(p.summaries.summaries),
                "transcript_tokens": p.transcript_tokens,
            }
            for p in self.prepared
        ]
        doc: dict[str, Any] = {
            "draft_id": self.draft_id,
            "path": str(self.path) if self.path else None,
            "backend": self.backend,
            "model": self.model,
            "episodes": episodes,
        }
        if self.estimate is not None:
            doc["dry_run"] = True
            doc.update(self.estimate)
            return doc
        assert self.edition is not None and self.provenance is not None
        by_sha = {p.episode.sha256: p.episode.path for p in self.prepared}
        doc["title"] = self.edition.title
        doc["sections"] = [
            section_json(s, by_sha.get(s.source.sha256, s.source.path)) for s in self.edition.sections
        ]
        doc["removed"] = removed_all(self.edition)
        doc["model_order"] = self.edition.model_order
        doc["quotes"] = [
            {
                "text": q.text,
                "start": q.start,
                "start_s": q.start_s,
                "speaker": q.speaker,
                "verified": q.verified,
                "match": q.match,
                "section": i,
            }
            for i, s in enumerate(self.edition.sections)
            for q in s.quotes
        ]
        doc["epigraph"] = (
            {
                "text": self.edition.epigraph.text,
                "start": self.edition.epigraph.start,
                "speaker": self.edition.epigraph.speaker,
            }
            if self.edition.epigraph
            else None
        )
        doc["rejected_quotes"] = [
            {"text": r.text, "reason": r.reason, "segment": r.segment, "episode": r.episode}
            for r in self.provenance.rejected_quotes
        ]
        usage = self.provenance.usage
        doc["tokens"] = {"input": usage.input, "output": usage.output, "cached": usage.cached}
        doc["calls"] = usage.calls
        doc["cost_estimate"] = self.provenance.cost_estimate
        doc["timings"] = dict(self.provenance.timings)
        doc["prompts"] = [{"id": p.id, "version": p.version, "hash": p.hash} for p in self.provenance.prompts]
        doc["warnings"] = list(self.provenance.warnings)
        return doc


def provenance_of(
    prepared: Sequence[Prepared],
    composed: ComposeResult,
    backend: llm.Backend | None,
    settings: Settings,
) -> Provenance:
    """The draft's provenance but for timings: usage and prompts of every call, model, warnings, rejects."""
    usage = Usage()
    uses: list[PromptUse] = []
    for part_usage, part_uses in [(p.summaries.usage, p.summaries.prompts) for p in prepared] + [
        (composed.usage, composed.prompts)
    ]:
        usage = usage + part_usage
        uses += [u for u in part_uses if u not in uses]
    model = None
    if backend is not None:
        model = (
            next((p.summaries.model for p in prepared if p.summaries.model), None)
            or composed.model
            or getattr(backend, "model", None)
        )
    rejected: list[RejectedQuote] = [
        r for p in prepared for s in p.summaries.summaries for r in s.rejected_quotes
    ]
    warnings: list[str] = []
    for p in prepared:
        name = Path(p.episode.path).name
        warnings += [f"{name} : {w}" for w in p.episode.warnings]
        if p.summaries.failures:
            warnings.append(
                ngettext(
                    "{name} : {n} sujet résumé sans le modèle (échec de l'appel)",
                    "{name} : {n} sujets résumés sans le modèle (échec de l'appel)",
                    p.summaries.failures,
                    name=name,
                )
            )
    warnings += list(composed.warnings)
    backend_name = backend.name if backend is not None else "extractive"
    cost = llm.cost(usage, model, settings.prices, settings.batch_prices) if model else 0.0
    return Provenance(
        backend=backend_name,
        model=model,
        prompts=tuple(uses),
        usage=usage,
        cost_estimate=cost,
        rejected_quotes=tuple(rejected),
        warnings=tuple(warnings),
        extra=_draft_extra(prepared, usage) | _batches_of(backend, usage, settings),
    )


def _batches_of(backend: llm.Backend | None, usage: Usage, settings: Settings) -> dict[str, Any]:
    """draft.json's `batches` (the Batch API batches its answers came from), their tokens, and in batch
    mode `calls`: per path (batched, synchronous, cached) the calls and their cost, why each synchronous one."""
    if not isinstance(backend, llm.BatchBackend):
        return {}
    ids = backend.batch_ids()
    model = backend.model
    calls = backend.log.summary(lambda u: llm.cost(u, model, settings.prices, settings.batch_prices))
    tokens = {"input": usage.batch_input, "output": usage.batch_output}
    return {"batches": ids, "batch_tokens": tokens, "calls": calls}


def _draft_extra(prepared: Sequence[Prepared], usage: Usage) -> dict[str, Any]:
    """draft.json's extra fields: sources, segments, failed segments, whether usage is estimated."""
    return {
        "sources": [
            {
                "path": p.episode.path,
                "sha256": p.episode.sha256,
                "format": p.episode.format,
                "encoding": p.episode.encoding,
                "transcript_tokens": p.transcript_tokens,
                "name_fixes": [
                    {"from": f.wrong, "to": f.right, "count": f.count} for f in p.episode.name_fixes
                ],
            }
            | origin_of(Path(p.episode.path))  # feed, GUID, transcript URL when a source delivered it
            for p in prepared
        ],
        "segments": [
            {
                "episode": p.episode.sha256,
                "index": s.index,
                "kind": s.kind,
                "start_s": s.start_s,
                "end_s": s.end_s,
                "title": s.title,
            }
            for p in prepared
            for s in p.segments
        ],
        "failed_segments": [
            {"episode": p.episode.sha256, "index": s.segment.index, "error": s.failed}
            for p in prepared
            for s in p.summaries.summaries
            if s.failed
        ],
        "usage_estimated": usage.estimated,
    }
