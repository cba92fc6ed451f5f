"""What the night sorts before it works: new inputs, inputs already in a draft, duplicates; the dry run.

Also the outbox as the record of what is already published (`drafts_holding`) and the clean-up of
draft writes that died (`remove_unfinished_drafts`).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from generator import i18n
from generator.config import Settings
from generator.edition import list_drafts
from generator.nightly import inbox
from generator.nightly.inbox import InboxFile
from generator.nightly.ledger import INPUT_DRAFTED, Ledger
from generator.nightly.result import COMPLETED, DUPLICATE, NEW, InputOutcome, RunResult, WrittenDraft

Progress = Callable[[str], None]
# One input -> an opaque per-episode result (what the writer needs); raises on a bad input.
ProcessFn = Callable[[InboxFile, Progress], Any]
# Successful (input, result) pairs -> one written draft.
WriteFn = Callable[[Sequence[tuple[InboxFile, Any]], Progress], WrittenDraft]
# sha256 values -> {sha256: draft id} for complete drafts in the outbox listing that content as a source.
FindFn = Callable[[Collection[str]], Mapping[str, str]]
# Remove leftover temp folders of interrupted draft writes; returns what was removed.
CleanupFn = Callable[[], Sequence[Path]]
# New inputs -> a cost estimate for --dry-run (calls nothing).
EstimateFn = Callable[[Sequence[InboxFile]], Mapping[str, Any]]

# A copy of content met before: (file, its original in this inbox or None, the draft holding it or None).
Duplicate = tuple[InboxFile, InboxFile | None, str | None]


def classify(
    ready: Sequence[InboxFile], ledger: Ledger, find_drafted: FindFn | None
) -> tuple[list[InboxFile], list[tuple[InboxFile, str]], list[Duplicate]]:
    """Split settled files into new ones, ones whose draft exists (move only), and duplicates."""
    in_drafts = dict(find_drafted({f.sha256 for f in ready})) if find_drafted and ready else {}
    new: list[InboxFile] = []
    to_move: list[tuple[InboxFile, str]] = []
    duplicates: list[Duplicate] = []
    first_by_sha: dict[str, InboxFile] = {}
    for f in ready:
        record = ledger.input_get(f.sha256)
        if (
            record is not None
            and record.done
            and not (record.status == INPUT_DRAFTED and record.name == f.name)
        ):
            duplicates.append((f, None, record.draft_id))  # content a previous run already put in a draft
            continue
        if f.sha256 in first_by_sha:  # two identical files in this inbox: the second follows the first
            duplicates.append((f, first_by_sha[f.sha256], None))
            continue
        first_by_sha[f.sha256] = f
        if record is not None and record.done:  # drafted under this name, the move was interrupted
            to_move.append((f, record.draft_id or in_drafts.get(f.sha256, "?")))
        elif f.sha256 in in_drafts:  # a draft was written but the run died before recording it
            to_move.append((f, in_drafts[f.sha256]))
        else:
            new.append(f)
    return new, to_move, duplicates


def drafts_holding(outbox_dir: Path, sha256s: Collection[str]) -> dict[str, str]:
    """{sha256: draft id} for each wanted content listed among the sources of a complete draft.

    Only renamed (complete) drafts are listed by the outbox, so a draft found here is whole.
    """
    wanted = set(sha256s)
    found: dict[str, str] = {}
    for draft in list_drafts(outbox_dir):  # oldest first: the first draft made wins
        for sha in draft.source_sha256s:
            if sha in wanted:
                found.setdefault(sha, draft.id)
    return found


def remove_unfinished_drafts(
    outbox_dir: Path, *, min_age_s: float = 300.0, clock: Callable[[], float] = time.time
) -> list[Path]:
    """Delete temp folders left by draft writes that died (`.tmp-*`), once surely abandoned.

    They are never visible as drafts; the age guard spares one a concurrent `generate` is writing.
    """
    removed: list[Path] = []
    if not outbox_dir.is_dir():
        return removed
    for folder in outbox_dir.glob(".tmp-*"):
        try:
            if folder.is_dir() and clock() - folder.stat().st_mtime >= min_age_s:
                shutil.rmtree(folder)
                removed.append(folder)
        except OSError:
            continue  # best effort: a leftover temp folder is harmless
    return removed


def first_name(ledger: Ledger, sha256: str) -> str | None:
    record = ledger.input_get(sha256)
    return record.name if record else None


def dry_run(
    settings: Settings,
    ledger: Ledger,
    find_drafted: FindFn | None,
    estimate: EstimateFn | None,
    progress: Progress,
    started: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> RunResult:
    """What a run would do now: nothing is locked, written, moved or recorded."""
    progress(i18n._("lecture de {inbox} (essai à blanc)", inbox=settings.paths.inbox))
    scan = inbox.scan(
        settings.paths.inbox, settle_seconds=settings.run.settle_seconds, clock=clock, sleep=sleep
    )
    new, to_move, duplicates = classify(scan.ready, ledger, find_drafted)
    outcomes = {f.path: InputOutcome(f.name, f.sha256, NEW) for f in new}
    outcomes.update({f.path: InputOutcome(f.name, f.sha256, COMPLETED, draft_id=d) for f, d in to_move})
    outcomes.update(
        {
            f.path: InputOutcome(
                f.name,
                f.sha256,
                DUPLICATE,
                draft_id=d,
                duplicate_of=o.name if o else first_name(ledger, f.sha256),
            )
            for f, o, d in duplicates
        }
    )
    est = estimate(new) if (estimate is not None and new) else None
    return RunResult(
        None,
        "dry_run",
        started,
        clock() - started,
        tuple(outcomes[f.path] for f in scan.ready),
        (),
        scan.settling,
        scan.ignored,
        estimate=est,
    )
