"""The nightly job wired to the real stages: every new inbox transcript -> draft(s), crash-safe.

The order of operations lives in generator/nightly/night.py; this module hands it `prepare` per input
(a failure stays with its input), `write` per edition and the outbox's drafts as the record of what
is already published.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from generator import i18n
from generator.delivery import with_deliveries
from generator.errors import NewsletterError
from generator.nightly import (
    InboxFile,
    NightOptions,
    NightStages,
    RunResult,
    WrittenDraft,
    drafts_holding,
    remove_unfinished_drafts,
    run_night,
)
from generator.pipeline.edition import estimate_dry_run, prepare, write
from generator.pipeline.result import Prepared
from generator.pipeline.tools import Progress, Tools, no_progress


def run_nightly(
    tools: Tools,
    *,
    ledger: Any,
    options: NightOptions | None = None,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RunResult:
    """The nightly job: every new inbox transcript -> draft(s), crash-safe (order in nightly/night.py)."""
    progress = progress or no_progress
    options = options or NightOptions()
    settings, backend, clock = tools.settings, tools.backend, tools.clock
    night = None
    if settings.llm.batch and hasattr(backend, "request_body") and not options.dry_run:
        from generator.nightly import BatchNight  # batch mode: [llm] batch / NEWSLETTER_BATCH

        night = BatchNight(settings, ledger, backend, clock=clock, sync_fallback=options.sync_fallback)
        tools = replace(tools, backend=night.backend)
    stages = _NightlyStages(tools, progress)
    outbox_dir = settings.paths.outbox
    work = NightStages(
        process=stages.process,
        write=stages.write_group,
        find_drafted=lambda shas: drafts_holding(outbox_dir, shas),
        cleanup_outbox=lambda: remove_unfinished_drafts(outbox_dir, clock=clock),
        estimate=stages.estimate_new,
        batches=night,
    )
    result = run_night(settings, ledger, work, options=options, progress=progress, clock=clock, sleep=sleep)
    if settings.delivery.auto and not options.dry_run:  # [delivery] auto: approved editions go out (issue 24)
        result = with_deliveries(settings, result, progress)
    return result


@dataclass(frozen=True)
class _NightlyStages:
    """The real stages as the night's callables (the tools load their models on first use)."""

    tools: Tools
    progress: Progress

    def process(self, f: InboxFile, report: Progress) -> Prepared:
        """One inbox file -> its prepared episode (raises on a bad input, which stays with it)."""
        return prepare(f.path, self.tools, progress=report)

    def write_group(self, group: Sequence[tuple[InboxFile, Prepared]], report: Progress) -> WrittenDraft:
        """One edition from these prepared inputs, written to the outbox."""
        result = write([p for _, p in group], self.tools, progress=report)
        assert result.draft is not None and result.provenance is not None
        return WrittenDraft(
            result.draft.id, str(result.draft.path), result.provenance.usage, result.provenance.cost_estimate
        )

    def estimate_new(self, files: Sequence[InboxFile]) -> dict[str, Any]:
        """--dry-run figures for these new inputs; one that would fail is reported and left out."""
        prepared = []
        for f in files:
            try:
                prepared.append(prepare(f.path, self.tools, progress=self.progress, call_model=False))
            except NewsletterError as exc:
                self.progress(i18n._("{name} : échouerait : {error}", name=f.name, error=exc))
        if not prepared:
            return {}
        return estimate_dry_run(prepared, self.tools)
