"""The nightly job wired to the real stages: every new inbox transcript -> draft(s), crash-safe.

The order of operations lives in generator/nightly/run.py; this module hands it `prepare` per input
(a failure stays with its input), `write` per edition and the outbox's drafts as the record of what
is already published.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from generator.errors import NewsletterError
from generator.nightly import run as nightly
from generator.pipeline.edition import estimate, prepare, write
from generator.pipeline.result import Prepared
from generator.pipeline.tools import Progress, Tools, no_progress


@dataclass(frozen=True)
class NightOptions:
    """How `run_nightly` runs: a dry run, waiting for another run's lock, and what started it."""

    dry_run: bool = False
    wait: bool = False
    wait_timeout: float | None = None
    trigger: str = "manual"


def run_nightly(
    tools: Tools,
    *,
    ledger: Any,
    options: NightOptions = NightOptions(),
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> nightly.RunResult:
    """The nightly job: every new inbox transcript -> draft(s), crash-safe (order in nightly/run.py)."""
    progress = progress or no_progress
    settings, backend, clock = tools.settings, tools.backend, tools.clock
    night = None
    if settings.llm.batch and hasattr(backend, "request_body") and not options.dry_run:
        from generator.nightly.batches import BatchNight  # batch mode: [llm] batch / NEWSLETTER_BATCH

        night = BatchNight(settings, ledger, backend, clock=clock)
        tools = replace(tools, backend=night.backend)
    stages = _NightlyStages(tools, progress)
    outbox_dir = settings.paths.outbox
    return nightly.run(
        settings,
        ledger=ledger,
        process=stages.process,
        write=stages.write_group,
        find_drafted=lambda shas: nightly.drafts_holding(outbox_dir, shas),
        cleanup_outbox=lambda: nightly.remove_unfinished_drafts(outbox_dir, clock=clock),
        estimate=stages.estimate_new,
        progress=progress,
        dry_run=options.dry_run,
        wait=options.wait,
        wait_timeout=options.wait_timeout,
        trigger=options.trigger,
        clock=clock,
        sleep=sleep,
        batches=night,
    )


@dataclass(frozen=True)
class _NightlyStages:
    """The real stages as nightly.run's callables (the tools load their models on first use)."""

    tools: Tools
    progress: Progress

    def process(self, f: nightly.InboxFile, report: Progress) -> Prepared:
        """One inbox file -> its prepared episode (raises on a bad input, which stays with it)."""
        return prepare(f.path, self.tools, progress=report)

    def write_group(
        self, group: Sequence[tuple[nightly.InboxFile, Prepared]], report: Progress
    ) -> nightly.WrittenDraft:
        """One edition from these prepared inputs, written to the outbox."""
        result = write([p for _, p in group], self.tools, progress=report)
        assert result.draft is not None and result.provenance is not None
        return nightly.WrittenDraft(
            result.draft.id, str(result.draft.path), result.provenance.usage, result.provenance.cost_estimate
        )

    def estimate_new(self, files: Sequence[nightly.InboxFile]) -> dict[str, Any]:
        """--dry-run figures for these new inputs; one that would fail is reported and left out."""
        prepared = []
        for f in files:
            try:
                prepared.append(prepare(f.path, self.tools, progress=self.progress, call_model=False))
            except NewsletterError as exc:
                self.progress(f"{f.name}: would fail: {exc}")
        if not prepared:
            return {}
        return estimate(prepared, self.tools)
