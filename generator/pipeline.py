"""Chains the stages: ingest -> clean -> segment -> summarise -> compose -> render -> outbox.

`generate` is one edition from given files; the nightly `run` reuses `prepare` and `write`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator import delivery, llm
from generator.config import Settings
from generator.edition import outbox, render
from generator.errors import NewsletterError
from generator.llm.prompts import PromptRegistry, default_root
from generator.llm.tokens import Tokenizer, get_tokenizer
from generator.model import Edition, Episode, PromptUse, Provenance, RejectedQuote, Segment, Usage
from generator.nightly import run as nightly
from generator.topics.segment import segment as segment_episode
from generator.transcript.clean import clean
from generator.transcript.ingest import ingest, max_bytes_of
from generator.writing import compose as compose_mod
from generator.writing import extractive, plan, report, summarise
from generator.writing.quotes import Verifier, word_times

Progress = Callable[[str], None]


def _noop(message: str) -> None:
    pass


def default_templates_dir() -> Path:
    """templates/ shipped next to the package."""
    return Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Prepared:
    """One episode taken through summarise: what the writer needs, plus its cost and timings."""

    episode: Episode
    segments: tuple[Segment, ...]
    summaries: summarise.SummariseResult
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
    draft: outbox.DraftInfo | None = None
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
            report.section_json(s, by_sha.get(s.source.sha256, s.source.path)) for s in self.edition.sections
        ]
        doc["removed"] = report.removed_all(self.edition)
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


def _timed(timings: dict[str, float], stage: str, fn: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        return fn()
    finally:
        timings[stage] = round(timings.get(stage, 0.0) + time.perf_counter() - started, 4)


def load(
    path: Path, settings: Settings, timings: dict[str, float]
) -> tuple[Episode, dict[int, tuple[float, ...]]]:
    """Ingest and clean one file; also the caption-line time of every word (for quote timestamps)."""
    raw = _timed(timings, "ingest", lambda: ingest(Path(path), max_bytes=max_bytes_of(settings)))
    episode = _timed(timings, "clean", lambda: clean(raw))
    times = _timed(timings, "clean", lambda: word_times(raw, episode))
    return episode, times


def prepare(
    path: Path,
    settings: Settings,
    *,
    backend: llm.Backend | None,
    prompts: PromptRegistry | None,
    tokenizer: Tokenizer,
    embedder: Any = None,
    progress: Progress = _noop,
    summarise_too: bool = True,
) -> Prepared:
    """One transcript -> cleaned episode, topic segments and their verified summaries."""
    timings: dict[str, float] = {}
    progress(f"reading {path}")
    episode, times = load(path, settings, timings)
    segments = _timed(
        timings,
        "segment",
        lambda: segment_episode(
            episode, min_segment_s=settings.segment.min_segment_s, embedder=embedder, progress=progress
        ),
    )
    verifier = Verifier(episode, word_times=times)
    transcript_tokens = tokenizer.count(" ".join(u.text for u in episode.utterances))
    if summarise_too:
        result = _timed(
            timings,
            "summarise",
            lambda: summarise.summarise(
                episode,
                segments,
                backend=backend,
                prompts=prompts,
                tokenizer=tokenizer,
                context_window=settings.llm.context_window,
                max_concurrency=settings.llm.max_concurrency,
                verifier=verifier,
                embedder=embedder,
                progress=progress,
            ),
        )
    else:
        result = summarise.SummariseResult(tuple(extractive.summarise(episode, segments, verifier=verifier)))
    return Prepared(episode, tuple(segments), result, timings, transcript_tokens)


def write(
    prepared: Sequence[Prepared],
    settings: Settings,
    *,
    backend: llm.Backend | None,
    prompts: PromptRegistry | None,
    progress: Progress = _noop,
    templates_dir: Path | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    extra_timings: dict[str, float] | None = None,
) -> GenerateResult:
    """Compose one edition from prepared episodes, render it and write the draft atomically."""
    timings = _merged_timings(prepared, extra_timings)
    progress("composing the edition")
    composed = _timed(
        timings,
        "compose",
        lambda: compose_mod.compose_edition(
            [(p.episode, p.summaries.summaries) for p in prepared],
            style=settings.newsletter.style,
            backend=backend,
            prompts=prompts,
            newsletter_name=settings.newsletter.name,
            today=today,
            source_url=settings.newsletter.source_url,
        ),
    )
    base = _provenance(prepared, composed, backend, settings)  # timings: snapshot at each use (they grow)
    edition = composed.edition
    templates = templates_dir or default_templates_dir()
    rendered = _timed(
        timings,
        "render",
        lambda: render.render(edition, replace(base, timings=dict(timings)), settings.newsletter, templates),
    )
    progress("writing the draft")
    # The draft itself records `write` as 0.0 and a total without it: it cannot time its own writing.
    started = time.perf_counter()
    timings["write"] = 0.0
    timings["total"] = round(sum(v for k, v in timings.items() if k != "total"), 4)
    provenance = replace(base, timings=dict(timings))
    txt = {p.episode.sha256: p.episode.utterances for p in prepared}  # each quote's context, for review
    draft = outbox.write_draft(settings.paths.outbox, edition, provenance, rendered, now=now, transcripts=txt)
    timings["write"] = round(time.perf_counter() - started, 4)
    timings["total"] = round(timings["total"] + timings["write"], 4)
    return GenerateResult(
        base.backend, base.model, tuple(prepared), edition, replace(base, timings=dict(timings)), draft
    )


def _merged_timings(prepared: Sequence[Prepared], extra: dict[str, float] | None) -> dict[str, float]:
    """The caller's timings plus every episode's stage timings, summed per stage."""
    timings: dict[str, float] = dict(extra or {})
    for p in prepared:
        for stage, seconds in p.timings.items():
            timings[stage] = round(timings.get(stage, 0.0) + seconds, 4)
    return timings


def _provenance(
    prepared: Sequence[Prepared],
    composed: compose_mod.ComposeResult,
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
                f"{name} : {p.summaries.failures} sujet(s) résumé(s) sans le modèle (échec de l'appel)"
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
        extra=_draft_extra(prepared, usage) | _batches_of(backend, usage),
    )


def _batches_of(backend: llm.Backend | None, usage: Usage) -> dict[str, Any]:
    """draft.json's `batches` (the Batch API batches its answers came from) and their tokens."""
    ids = backend.batch_ids() if isinstance(backend, llm.BatchBackend) else []
    tokens = {"input": usage.batch_input, "output": usage.batch_output}
    return {"batches": ids, "batch_tokens": tokens} if ids else {}


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


def estimate(
    prepared: Sequence[Prepared],
    settings: Settings,
    *,
    backend: llm.Backend | None,
    prompts: PromptRegistry | None,
    tokenizer: Tokenizer,
) -> dict[str, Any]:
    """--dry-run figures: calls, tokens and cost a real run would spend (nothing is called)."""
    if backend is None or prompts is None:
        return {
            "calls": 0,
            "cache_hits": 0,
            "tokens": {"input": 0, "output": 0},
            "cost_estimate": 0.0,
            "estimated": True,
        }
    requests = plan.night_requests(
        [(p.episode, p.segments, p.summaries.summaries) for p in prepared],
        settings,
        prompts=prompts,
        tokenizer=tokenizer,
    )
    return llm.estimate(
        requests,
        tokenizer,
        model=getattr(backend, "model", settings.llm.model),
        prices=settings.prices,
        is_cached=getattr(backend, "is_cached", None),
        batch_prices=settings.batch_prices,
    )


def generate(
    paths: Sequence[Path],
    settings: Settings,
    *,
    backend: llm.Backend | None = None,
    ledger: Any = None,
    progress: Progress | None = None,
    dry_run: bool = False,
    no_cache: bool = False,
    prompts: PromptRegistry | None = None,
    tokenizer: Tokenizer | None = None,
    embedder: Any = None,
    templates_dir: Path | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> GenerateResult:
    """One edition from these transcripts, written to the outbox (or only estimated on a dry run).

    `backend` None means the extractive backend; the CLI builds the real one (llm.make_backend with
    the ledger's cache and `no_cache`), so `ledger` and `no_cache` are only recorded here.
    """
    progress = progress or _noop
    started = time.perf_counter()
    if backend is not None and prompts is None:
        prompts = PromptRegistry(default_root(), settings.prompts)
    tokenizer = tokenizer or get_tokenizer(getattr(backend, "model", None) or settings.llm.model)
    if embedder is None:
        from generator.topics.embeddings import USEEmbedder

        state = settings.paths.state
        embedder = USEEmbedder(cache_dir=state / "embeddings" if state.is_dir() else None)
    prepared = [
        prepare(
            Path(p),
            settings,
            backend=None if dry_run else backend,
            prompts=prompts,
            tokenizer=tokenizer,
            embedder=embedder,
            progress=progress,
        )
        for p in paths
    ]
    backend_name = backend.name if backend is not None else "extractive"
    model = getattr(backend, "model", None) if backend is not None else None
    if dry_run:
        figures = estimate(prepared, settings, backend=backend, prompts=prompts, tokenizer=tokenizer)
        return GenerateResult(backend_name, model, tuple(prepared), estimate=figures)
    result = write(
        prepared,
        settings,
        backend=backend,
        prompts=prompts,
        progress=progress,
        templates_dir=templates_dir,
        today=today,
        now=now,
    )
    progress(f"done in {time.perf_counter() - started:.1f} s")
    return result


# ------------------------------------------------------------------- the nightly run (issue 7)


def run(
    settings: Settings,
    *,
    ledger: Any,
    backend: llm.Backend | None = None,
    progress: Progress | None = None,
    dry_run: bool = False,
    wait: bool = False,
    wait_timeout: float | None = None,
    trigger: str = "manual",
    prompts: PromptRegistry | None = None,
    tokenizer: Tokenizer | None = None,
    embedder: Any = None,
    templates_dir: Path | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> nightly.RunResult:
    """The nightly job: every new inbox transcript -> draft(s), crash-safe (order in generator/nightly.py).

    Wires the real stages into nightly.run: `prepare` per input (a failure stays with its input),
    `write` per edition, the outbox's drafts as the record of what is already published.
    """
    progress = progress or _noop
    if backend is not None and prompts is None:
        prompts = PromptRegistry(default_root(), settings.prompts)
    night = None
    if settings.llm.batch and hasattr(backend, "request_body") and not dry_run:
        from generator.nightly.batches import BatchNight  # batch mode: [llm] batch / NEWSLETTER_BATCH

        night = BatchNight(settings, ledger, backend, clock=clock)
        backend = night.backend
    stages = _NightlyStages(settings, backend, prompts, progress, templates_dir, tokenizer, embedder)
    outbox_dir = settings.paths.outbox
    result = nightly.run(
        settings,
        ledger=ledger,
        process=stages.process,
        write=stages.write_group,
        find_drafted=lambda shas: nightly.drafts_holding(outbox_dir, shas),
        cleanup_outbox=lambda: nightly.remove_unfinished_drafts(outbox_dir, clock=clock),
        estimate=stages.estimate_new,
        progress=progress,
        dry_run=dry_run,
        wait=wait,
        wait_timeout=wait_timeout,
        trigger=trigger,
        clock=clock,
        sleep=sleep,
        batches=night,
    )
    if settings.delivery.auto and not dry_run:  # [delivery] auto: approved editions go out (issue 24)
        result = delivery.with_deliveries(settings, result, progress)
    return result


@dataclass
class _NightlyStages:
    """The real stages as nightly.run's callables; the tokenizer and embedder are built on first use."""

    settings: Settings
    backend: llm.Backend | None
    prompts: PromptRegistry | None
    progress: Progress
    templates_dir: Path | None
    tokenizer: Tokenizer | None
    embedder: Any
    _tokenizer: Tokenizer | None = field(default=None, init=False)  # the given one, else one built

    def tools(self) -> tuple[Tokenizer, Any]:
        """The tokenizer and embedder, built on first use: a night with nothing new loads no model."""
        settings = self.settings
        if self._tokenizer is None:
            self._tokenizer = self.tokenizer or get_tokenizer(
                getattr(self.backend, "model", None) or settings.llm.model
            )
        if self.embedder is None:
            from generator.topics.embeddings import USEEmbedder

            state = settings.paths.state
            self.embedder = USEEmbedder(cache_dir=state / "embeddings" if state.is_dir() else None)
        return self._tokenizer, self.embedder

    def process(self, f: nightly.InboxFile, report: Progress) -> Prepared:
        """One inbox file -> its prepared episode (raises on a bad input, which stays with it)."""
        tok, emb = self.tools()
        return prepare(
            f.path,
            self.settings,
            backend=self.backend,
            prompts=self.prompts,
            tokenizer=tok,
            embedder=emb,
            progress=report,
        )

    def write_group(
        self, group: Sequence[tuple[nightly.InboxFile, Prepared]], report: Progress
    ) -> nightly.WrittenDraft:
        """One edition from these prepared inputs, written to the outbox."""
        result = write(
            [p for _, p in group],
            self.settings,
            backend=self.backend,
            prompts=self.prompts,
            progress=report,
            templates_dir=self.templates_dir,
        )
        assert result.draft is not None and result.provenance is not None
        return nightly.WrittenDraft(
            result.draft.id, str(result.draft.path), result.provenance.usage, result.provenance.cost_estimate
        )

    def estimate_new(self, files: Sequence[nightly.InboxFile]) -> dict[str, Any]:
        """--dry-run figures for these new inputs; one that would fail is reported and left out."""
        tok, emb = self.tools()
        settings, prompts, progress = self.settings, self.prompts, self.progress
        prepared = []
        for f in files:
            try:
                prepared.append(
                    prepare(
                        f.path,
                        settings,
                        backend=None,
                        prompts=prompts,
                        tokenizer=tok,
                        embedder=emb,
                        progress=progress,
                    )
                )
            except NewsletterError as exc:
                progress(f"{f.name}: would fail: {exc}")
        if not prepared:
            return {}
        return estimate(prepared, settings, backend=self.backend, prompts=prompts, tokenizer=tok)
