"""One edition from given files: ingest -> clean -> segment -> summarise -> compose -> render -> outbox.

`generate` is the whole chain; the nightly run (pipeline/night.py) reuses `prepare` and `write`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from generator import i18n, llm
from generator.edition import render, write_draft
from generator.model import Episode
from generator.pipeline.result import GenerateResult, Prepared, provenance_of
from generator.pipeline.tools import Progress, Timings, Tools, no_progress
from generator.topics import segment as segment_episode
from generator.transcript import clean, ingest, max_bytes_of
from generator.writing import (
    EDITION_PROMPT_PREFIX,
    ModelCalls,
    SummariseResult,
    Verifier,
    compose_edition,
    night_requests,
    summarise,
    summarise_extractive,
    word_times,
)


def load(path: Path, tools: Tools, timings: Timings) -> tuple[Episode, dict[int, tuple[float, ...]]]:
    """Ingest and clean one file; also the caption-line time of every word (for quote timestamps)."""
    with timings.stage("ingest"):
        raw = ingest(Path(path), max_bytes=max_bytes_of(tools.settings))
    with timings.stage("clean"):
        episode = clean(raw)
        times = word_times(raw, episode)
    return episode, times


def prepare(
    path: Path,
    tools: Tools,
    *,
    progress: Progress = no_progress,
    call_model: bool = True,
    summarise_too: bool = True,
) -> Prepared:
    """One transcript -> cleaned episode, topic segments and their verified summaries.

    `call_model` False summarises offline whatever the backend (a dry run's estimate calls nothing).
    """
    settings = tools.settings
    timings = Timings()
    progress(i18n._("lecture de {path}", path=path))
    episode, times = load(path, tools, timings)
    tools.preload_tokenizer()  # first used after segmenting: loads while the sentences are embedded
    with timings.stage("segment"):
        segments = segment_episode(
            episode, min_segment_s=settings.segment.min_segment_s, embedder=tools.embedder, progress=progress
        )
    verifier = Verifier(episode, word_times=times)
    transcript_tokens = tools.tokenizer.count(" ".join(u.text for u in episode.utterances))
    if summarise_too:
        with timings.stage("summarise"):
            result = summarise(
                episode,
                segments,
                calls=_model_calls(tools) if call_model else None,
                verifier=verifier,
                embedder=tools.embedder,
                progress=progress,
            )
    else:
        result = SummariseResult(tuple(summarise_extractive(episode, segments, verifier=verifier)))
    return Prepared(episode, tuple(segments), result, timings.seconds, transcript_tokens)


def _model_calls(tools: Tools) -> ModelCalls | None:
    """The backend with its prompts, tokenizer and budgets; None for the extractive backend."""
    if tools.backend is None:
        return None
    if tools.prompts is None:
        raise ValueError("summarise with a backend needs the prompt registry")
    llm_settings = tools.settings.llm
    return ModelCalls(
        tools.backend,
        tools.prompts,
        tools.tokenizer,
        llm_settings.context_window,
        llm_settings.max_concurrency,
    )


def write(
    prepared: Sequence[Prepared],
    tools: Tools,
    *,
    progress: Progress = no_progress,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> GenerateResult:
    """Compose one edition from prepared episodes, render it and write the draft atomically."""
    settings, backend = tools.settings, tools.backend
    timings = Timings(_merged_timings(prepared))
    progress(i18n._("composition de l'édition"))
    with timings.stage("compose"):
        composed = compose_edition(
            [(p.episode, p.summaries.summaries) for p in prepared],
            style=settings.newsletter.style,
            backend=backend,
            prompts=tools.prompts,
            newsletter_name=settings.newsletter.name,
            today=today,
            source_url=settings.newsletter.source_url,
        )
    if getattr(backend, "deferred", False):
        # Batch mode: an edition call (or any other) went into a batch; no draft before its answer.
        raise llm.Deferred("compose: the edition waits for a batch answer")
    base = provenance_of(prepared, composed, backend, settings)  # timings: snapshot at each use (they grow)
    edition = composed.edition
    with timings.stage("render"):
        rendered = render(
            edition, replace(base, timings=dict(timings.seconds)), settings.newsletter, tools.templates_dir
        )
    progress(i18n._("écriture du brouillon"))
    # The draft itself records `write` as 0.0 and a total without it: it cannot time its own writing.
    seconds = timings.seconds
    started = time.perf_counter()
    seconds["write"] = 0.0
    seconds["total"] = round(sum(v for k, v in seconds.items() if k != "total"), 4)
    provenance = replace(base, timings=dict(seconds))
    txt = {p.episode.sha256: p.episode.utterances for p in prepared}  # each quote's context, for review
    draft = write_draft(settings.paths.outbox, edition, provenance, rendered, now=now, transcripts=txt)
    seconds["write"] = round(time.perf_counter() - started, 4)
    seconds["total"] = round(seconds["total"] + seconds["write"], 4)
    return GenerateResult(
        base.backend, base.model, tuple(prepared), edition, replace(base, timings=dict(seconds)), draft
    )


def _merged_timings(prepared: Sequence[Prepared]) -> dict[str, float]:
    """Every episode's stage timings, summed per stage."""
    timings: dict[str, float] = {}
    for p in prepared:
        for stage, seconds in p.timings.items():
            timings[stage] = round(timings.get(stage, 0.0) + seconds, 4)
    return timings


def estimate_dry_run(prepared: Sequence[Prepared], tools: Tools) -> dict[str, Any]:
    """--dry-run figures: calls, tokens and cost a real run would spend (nothing is called)."""
    settings, backend, prompts = tools.settings, tools.backend, tools.prompts
    if backend is None or prompts is None:
        return {
            "calls": 0,
            "cache_hits": 0,
            "tokens": {"input": 0, "output": 0},
            "cost_estimate": 0.0,
            "estimated": True,
        }
    requests = night_requests(
        [(p.episode, p.segments, p.summaries.summaries) for p in prepared],
        settings,
        prompts=prompts,
        tokenizer=tools.tokenizer,
    )
    is_cached = getattr(backend, "is_cached", None)
    figures = llm.estimate(
        requests,
        tools.tokenizer,
        model=getattr(backend, "model", settings.llm.model),
        prices=settings.prices,
        is_cached=is_cached,
        batch_prices=settings.batch_prices,
    )
    if settings.llm.batch:
        figures["batch"] = _batch_rounds(requests, is_cached, figures)
    return figures


def _batch_rounds(
    requests: Sequence[llm.LLMRequest], is_cached: Any, figures: dict[str, Any]
) -> dict[str, Any]:
    """Batch mode: the rounds a night needs (per-segment calls, then the edition calls over their
    answers), its calls, and their cost at the batch price; a repair would add a round."""
    todo = [r for r in requests if not (is_cached and is_cached(r))]
    edition = [r for r in todo if r.prompt.id.startswith(EDITION_PROMPT_PREFIX)]
    rounds = int(len(todo) > len(edition)) + int(bool(edition))
    cost = figures.get("cost_estimate_batch", figures.get("cost_estimate", 0.0))
    return {"rounds": rounds, "calls": len(todo), "cost": cost, "synchronous_calls": 0}


def generate(
    paths: Sequence[Path],
    tools: Tools,
    *,
    progress: Progress | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> GenerateResult:
    """One edition from these transcripts, written to the outbox (or only estimated on a dry run).

    `tools.backend` None means the extractive backend; the CLI builds the real one (with the ledger's
    answer cache and --no-cache) before building the tools.
    """
    progress = progress or no_progress
    started = time.perf_counter()
    prepared = [prepare(Path(p), tools, progress=progress, call_model=not dry_run) for p in paths]
    if dry_run:
        figures = estimate_dry_run(prepared, tools)
        return GenerateResult(tools.backend_name, tools.model, tuple(prepared), estimate=figures)
    result = write(prepared, tools, progress=progress, today=today, now=now)
    progress(
        i18n._("terminé en {seconds} s", seconds=i18n.current().number(time.perf_counter() - started, 1))
    )
    return result
