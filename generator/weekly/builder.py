"""The weekly edition end to end: material -> distinct episodes -> stories -> choice -> draft.

`build` is used by `newsletter weekly` (the episodes of a window's nightly drafts), by
`generate --weekly FILE…` and by the scheduler on the configured day.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator import llm
from generator.config import Settings
from generator.edition import DraftInfo, list_drafts, render, write_draft
from generator.errors import WeeklyError
from generator.i18n import _, ngettext
from generator.llm import Backend, PromptRegistry, Tokenizer
from generator.model import Provenance, Usage
from generator.styles import STYLES
from generator.weekly import cluster, memory, model_pass, report, write
from generator.weekly.candidates import Loaded, candidates_of, distinct, load_files, segment_all
from generator.weekly.rank import Selection, Story, build_story, select
from generator.weekly.week import Window
from generator.writing import compose_edition, load_phrases

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


@dataclass(frozen=True)
class WeeklyTools:
    """The collaborators of a weekly build: backend None means offline (extractive)."""

    embedder: Any
    backend: Backend | None = None
    prompts: PromptRegistry | None = None
    tokenizer: Tokenizer | None = None
    progress: Progress = _quiet


@dataclass(frozen=True)
class WeeklyOptions:
    """What to build: the window (for the record and the picks), the number of ideas, where to write."""

    window: Window
    ideas: int | None = None  # None: [edition] ideas, else the style's own number
    templates_dir: Path | None = None
    now: dt.datetime | None = None
    notes: tuple[str, ...] = ()  # what finding the material said (sources not found)


@dataclass(frozen=True)
class WeeklyResult:
    """The edition written and why it holds what it holds."""

    loaded: tuple[Loaded, ...]
    selection: Selection
    draft: DraftInfo
    doc: dict[str, Any] = field(default_factory=dict)  # extra.weekly of draft.json

    def to_json(self) -> dict[str, Any]:
        """What `weekly --json` and `generate --weekly --json` print."""
        return {"draft_id": self.draft.id, "path": str(self.draft.path), **self.doc}


def _timed(timings: dict[str, float], stage: str, fn: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        return fn()
    finally:
        timings[stage] = round(timings.get(stage, 0.0) + time.perf_counter() - started, 4)


def stories_of(
    loaded: Sequence[Loaded], tools: WeeklyTools, work: model_pass.ModelWork | None
) -> tuple[list[Story], int]:
    """The week's stories (one per group of same-story topics), and how many pairs were joined."""
    cands = candidates_of(loaded)
    judge = model_pass.judge(work, loaded) if work is not None else None
    groups, joined = cluster.stories(cands, judge)
    return [build_story(g, cands, loaded) for g in groups], len(joined)


def ideas_count(settings: Settings, options: WeeklyOptions) -> int:
    shape = STYLES.get(settings.newsletter.style).weekly
    return options.ideas or settings.edition.ideas or shape.ideas


def build(
    paths: Sequence[Path], settings: Settings, options: WeeklyOptions, tools: WeeklyTools
) -> WeeklyResult:
    """One weekly edition from these transcripts, written to the outbox and its stories recorded."""
    if not paths:
        raise WeeklyError(
            _(
                "aucune émission pour la semaine du {since} au {until} : rien à publier",
                since=options.window.since.isoformat(),
                until=options.window.until.isoformat(),
            )
        )
    timings: dict[str, float] = {}
    progress = tools.progress
    work = None
    if tools.backend is not None:
        if tools.prompts is None or tools.tokenizer is None:
            raise ValueError("a weekly build with a backend needs the prompts and a tokenizer")
        work = model_pass.ModelWork(tools.backend, tools.prompts)
    read, unreadable = _timed(timings, "ingest", lambda: load_files(paths, settings, progress))
    if not read:
        raise WeeklyError(
            _("aucune transcription lisible pour la semaine : {notes}", notes=" ; ".join(unreadable))
        )
    options = replace(options, notes=(*options.notes, *unreadable))
    loaded = distinct(read)
    loaded = _timed(timings, "segment", lambda: segment_all(loaded, settings, tools.embedder, progress))
    stories, joined = _timed(timings, "cluster", lambda: stories_of(loaded, tools, work))
    state = settings.paths.state
    approved = [d.id for d in list_drafts(settings.paths.outbox) if d.status == "approved"]
    remembered = memory.remembered(state, approved)
    picks = memory.picks_for(state, memory.week_of(options.window.until))
    shape = STYLES.get(settings.newsletter.style).weekly
    selection = _timed(
        timings,
        "rank",
        lambda: select(stories, shape, ideas=ideas_count(settings, options), memory=remembered, picks=picks),
    )
    if not selection.ideas:
        raise WeeklyError(
            _("aucune histoire nouvelle cette semaine : toutes ont déjà été publiées ou écartées")
        )
    progress(
        _(
            "{ideas} sur {stories}",
            ideas=ngettext("{n} idée retenue", "{n} idées retenues", len(selection.ideas)),
            stories=ngettext("{n} histoire", "{n} histoires", len(stories)),
        )
    )
    edition, provenance = _timed(
        timings, "write", lambda: _edition(loaded, selection, settings, tools, work, options.window.until)
    )
    doc = report.weekly_doc(loaded, selection, options, joined, [s.title for s in edition.sections])
    provenance = replace(provenance, extra={**provenance.extra, "weekly": doc}, timings=dict(timings))
    templates = options.templates_dir or Path(__file__).resolve().parents[2] / "templates"
    rendered = render(edition, provenance, settings.newsletter, templates)
    transcripts = {item.episode.sha256: item.episode.utterances for item in loaded}
    draft = write_draft(
        settings.paths.outbox, edition, provenance, rendered, now=options.now, transcripts=transcripts
    )
    chosen = [*selection.ideas, *([selection.project] if selection.project else [])]
    records = [report.story_record(s, loaded, t.title) for s, t in zip(chosen, edition.sections, strict=True)]
    memory.record(state, draft.id, edition.date or options.window.until, records)
    return WeeklyResult(tuple(loaded), selection, draft, {**doc, "timings": dict(timings)})


def _edition(
    loaded: Sequence[Loaded],
    selection: Selection,
    settings: Settings,
    tools: WeeklyTools,
    work: model_pass.ModelWork | None,
    day: dt.date,
) -> tuple[Any, Provenance]:
    """The edition of the chosen stories and its provenance (usage, prompts, warnings)."""
    phrases = load_phrases()
    chosen = [*selection.ideas, *([selection.project] if selection.project else [])]
    verifiers = write.verifiers_of(chosen, loaded)
    offline = write.offline_summaries(chosen, loaded, verifiers, tools.embedder)
    written: dict[str, Any] = {}
    if work is not None:
        tools.progress(
            ngettext("modèle : {n} appel, un par idée", "modèle : {n} appels, un par idée", len(chosen))
        )
        written = model_pass.write_ideas(
            work,
            chosen,
            loaded,
            offline,
            verifiers,
            tokenizer=tools.tokenizer,  # type: ignore[arg-type]
            context_window=settings.llm.context_window,
            max_concurrency=settings.llm.max_concurrency,
        )
    url = settings.newsletter.source_url
    sections = [
        write.section_of_story(s, loaded, offline, written.get(s.lead.key), phrases, url) for s in chosen
    ]
    project = sections.pop() if selection.project else None
    lead = {
        s.lead.key: written[s.lead.key][0] if s.lead.key in written else offline[s.lead.key] for s in chosen
    }
    # Every episode listened to is named in the intro; compose sees the ideas' summaries only.
    items = [
        (item.episode, [lead[s.lead.key] for s in selection.ideas if s.lead.loaded == i])
        for i, item in enumerate(loaded)
    ]
    composed = compose_edition(
        items,
        style=settings.newsletter.style,
        backend=tools.backend,
        prompts=tools.prompts,
        newsletter_name=settings.newsletter.name,
        today=day,
        source_url=url,
    )
    model_title = tools.backend is not None and not composed.warnings
    edition = write.assemble(composed.edition, sections, project, model_title=model_title, phrases=phrases)
    edition = replace(edition, extractive=work is None or not written)
    usage = composed.usage + (work.usage if work else Usage())
    uses = [*(work.uses if work else []), *composed.prompts]
    model = (work.model if work else None) or composed.model
    rejected = tuple(r for summary in lead.values() for r in summary.rejected_quotes)
    warnings = [*composed.warnings, *(work.warnings if work else [])]
    return edition, Provenance(
        backend=tools.backend.name if tools.backend is not None else "extractive",
        model=model,
        prompts=tuple(dict.fromkeys(uses)),
        usage=usage,
        cost_estimate=llm.cost(usage, model, settings.prices, settings.batch_prices) if model else 0.0,
        rejected_quotes=rejected,
        warnings=tuple(warnings),
        extra={"judged_pairs": work.judged if work else 0},
    )
