"""The nightly run: new inbox files -> drafts, crash-safe. Stages come in as callables (see pipeline.run_nightly).

Order of operations, chosen so that a kill -9 at any point is recovered by the next run:

1. take the run lock; close runs left `running` by a dead process; let the outbox drop its temp folders;
2. scan the inbox (settled files only) and hash them;
3. classify by sha256: content already in a draft (ledger, else the drafts' own `sources`) is only
   moved; identical files met twice are duplicates; the rest is new;
4. record the run and its new inputs as `pending`;
5. process each new input (a failure is caught per input), move failed ones to inbox/failed/;
6. write the draft(s) (the writer renames a complete temp folder: never half visible), then record
   the draft id for its inputs (`drafted`);
7. move drafted inputs to inbox/processed/<day>/ and mark them `processed`; close the run.

A crash before 6 leaves the inputs in the inbox: the next run redoes the work (LLM answers cached).
A crash between the draft rename and the ledger update is caught in step 3 by the drafts' sources,
so no second draft is ever made. A crash while moving leaves files whose content is `drafted`:
they are moved next time. Nothing is ever deleted.

Batch mode (`[llm] batch`, nightly/batches.py) adds three steps: 1b. find batches a dead run left
unrecorded, poll the others, cancel those past their deadline; 3b. new inputs that only wait for a
batch still running: stop there; 5b. answers the stages deferred: submit them, leave the inputs in
the inbox as `waiting` (no draft; a later run takes them further).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import crashpoint, i18n
from generator.config import Settings
from generator.i18n import ngettext
from generator.llm import Deferred
from generator.model import Usage
from generator.nightly import inbox
from generator.nightly.inbox import InboxFile
from generator.nightly.ledger import (
    INPUT_DRAFTED,
    INPUT_FAILED,
    INPUT_PENDING,
    INPUT_PROCESSED,
    RUN_ERROR,
    RUN_OK,
    RUN_PARTIAL,
    Ledger,
)
from generator.nightly.lock import LOCK_NAME, RunLock
from generator.nightly.result import (
    COMPLETED,
    DUPLICATE,
    FAILED,
    NOT_WRITTEN,
    PROCESSED,
    RUN_WAITING,
    WAITING,
    InputOutcome,
    RunResult,
    one_line,
)
from generator.nightly.sorting import (
    CleanupFn,
    Duplicate,
    EstimateFn,
    FindFn,
    ProcessFn,
    Progress,
    WriteFn,
    classify,
    dry_run,
    first_name,
)


def _noop(message: str) -> None:
    pass


@dataclass(frozen=True)
class NightStages:
    """The work of a night, handed in by the pipeline (fakes in tests).

    `process` turns one input into what the writer needs (raises on a bad input); `write` makes one
    draft of processed inputs; `find_drafted` finds content already in a complete draft;
    `cleanup_outbox` removes temp folders of interrupted writes; `estimate` prices new inputs for a dry
    run; `batches` (nightly.batches.BatchNight, batch mode only) polls waiting batches first and submits
    what the stages deferred: inputs whose answers are still to come stay in the inbox, `waiting`.
    """

    process: ProcessFn
    write: WriteFn
    find_drafted: FindFn | None = None
    cleanup_outbox: CleanupFn | None = None
    estimate: EstimateFn | None = None
    batches: Any = None


@dataclass(frozen=True)
class NightOptions:
    """How a night runs: a dry run (nothing changed), waiting for another run's lock, what started it."""

    dry_run: bool = False
    wait: bool = False
    wait_timeout: float | None = None
    trigger: str = "manual"
    sync_fallback: bool = False  # batch mode: lines a batch failed or never ran may go synchronously


def run_night(
    settings: Settings,
    ledger: Ledger,
    stages: NightStages,
    *,
    options: NightOptions | None = None,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    crash: crashpoint.Crash | None = None,
) -> RunResult:
    """Turn every new, settled inbox file into draft(s); see the module docstring for the crash-safe order."""
    progress = progress or _noop
    options = options or NightOptions()
    crash = crash or crashpoint.from_env()
    started = clock()
    lock = RunLock(
        settings.paths.state / LOCK_NAME, command=f"run ({options.trigger})", clock=clock, sleep=sleep
    )
    if options.dry_run:
        return dry_run(
            settings, ledger, stages.find_drafted, stages.estimate, progress, started, clock, sleep
        )
    lock.acquire(
        wait=options.wait,
        timeout=options.wait_timeout,
        on_wait=lambda h: progress(
            f"waiting for the run in progress ({h.describe() if h else 'another process'})"
        ),
    )
    try:
        started = clock()  # after any wait for the lock
        crash("locked")
        return NightlyRun(
            settings, ledger, stages, progress, options.trigger, started, clock, sleep, crash, lock
        ).execute()
    finally:
        lock.release()


@dataclass(frozen=True)
class _Drafted:
    """What step 6 left for step 7: the inputs now in a draft, the drafts, their cost, any write failure."""

    inputs: tuple[tuple[InboxFile, str], ...]
    drafts: tuple[str, ...]
    usage: Usage
    cost: float
    write_failed: bool


@dataclass(frozen=True)
class NightlyRun:
    """One run under the lock: frozen collaborators, and the notes, outcomes and moves its steps gather."""

    settings: Settings
    ledger: Ledger
    stages: NightStages
    progress: Progress
    trigger: str
    started: float
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    crash: crashpoint.Crash
    lock: RunLock
    notes: list[str] = field(default_factory=list)
    outcomes: dict[Path, InputOutcome] = field(default_factory=dict)
    moved: list[tuple[Path, Path]] = field(default_factory=list)  # (inbox path, new folder): sidecars follow
    deferred: list[InboxFile] = field(default_factory=list)  # inputs whose processing waits for a batch

    def execute(self) -> RunResult:
        """Steps 1 to 7 of the module docstring, in that order."""
        self.recover()
        self.recover_batches()
        scan = self.scan()
        # 3. Classify by content.
        new, to_move, duplicates = classify(scan.ready, self.ledger, self.stages.find_drafted)
        if not (new or to_move or duplicates):
            return self.finish_empty(scan)
        shas = [f.sha256 for f in new]
        batches = self.stages.batches
        if batches and new and not (to_move or duplicates) and batches.holding(shas):
            return self.finish_holding(scan, new)
        run_id = self.record(new)
        self.complete_moves(to_move)
        results = self.process_new(new, run_id)
        if batches and batches.flush(run_id, [f.sha256 for f, _ in results], self.crash) or self.deferred:
            drafted = self.wait_for(results)
        else:
            drafted = self.write_drafts(results, run_id)
        self.move_done(drafted, duplicates)
        return self.finish(scan, run_id, drafted)

    def recover(self) -> None:
        """1. Recovery from a previous run that died."""
        if self.lock.stale is not None:
            self.notes.append(
                i18n._("verrou repris à une exécution morte ({holder})", holder=self.lock.stale.describe())
            )
        interrupted = self.ledger.runs_mark_interrupted(finished=self.started)
        if interrupted:
            self.notes.append(
                ngettext(
                    "l'exécution {runs} a été interrompue : son travail est terminé maintenant",
                    "les exécutions {runs} ont été interrompues : leur travail est terminé maintenant",
                    len(interrupted),
                    runs=", ".join(map(str, interrupted)),
                )
            )
        if self.stages.cleanup_outbox is not None:
            removed = self.stages.cleanup_outbox()
            if removed:
                self.notes.append(
                    ngettext(
                        "{n} dossier de brouillon inachevé retiré de l'outbox",
                        "{n} dossiers de brouillon inachevés retirés de l'outbox",
                        len(removed),
                    )
                )
        for note in self.notes:
            self.progress(note)
        self.crash("recovered")

    def scan(self) -> inbox.Scan:
        """2. Scan."""
        inbox_dir = self.settings.paths.inbox
        self.progress(i18n._("lecture de {inbox}", inbox=inbox_dir))
        if not inbox_dir.is_dir():
            self.notes.append(
                i18n._(
                    "le dossier inbox {inbox} n'existe pas : créez-le ou lancez `newsletter init`",
                    inbox=inbox_dir,
                )
            )
        settle = self.settings.run.settle_seconds
        scan = inbox.scan(
            inbox_dir, settle_seconds=settle, seen=self.ledger, clock=self.clock, sleep=self.sleep
        )
        for skipped in scan.settling:
            self.progress(
                i18n._(
                    "{name} : {reason} ; laissé pour le prochain passage",
                    name=skipped.path.name,
                    reason=skipped.reason,
                )
            )
        self.crash("scanned")
        return scan

    def start_run(self, inputs: list[str]) -> int:
        """The run's row in the ledger, as `running`, with the sha256 of its new inputs."""
        pid, host = os.getpid(), socket.gethostname()
        return self.ledger.run_start(
            started=self.started, pid=pid, host=host, trigger=self.trigger, inputs=inputs
        )

    def recover_batches(self) -> None:
        """1b. (batch mode) Find batches a dead run left unrecorded, poll the others, apply deadlines."""
        if self.stages.batches is not None:
            self.notes.extend(self.stages.batches.poll(self.progress, self.crash))

    def wait_for(self, results: Sequence[tuple[InboxFile, Any]]) -> _Drafted:
        """5b. (batch mode) Answers still to come: the inputs stay in the inbox, no draft yet."""
        for f, _ in results:
            self.outcomes[f.path] = InputOutcome(f.name, f.sha256, WAITING)
        self.progress(
            ngettext(
                "{n} fichier attend son lot ; le prochain passage le reprendra",
                "{n} fichiers attendent leur lot ; le prochain passage les reprendra",
                len(results),
            )
        )
        return _Drafted((), (), Usage(), 0.0, False)

    def finish_holding(self, scan: inbox.Scan, new: Sequence[InboxFile]) -> RunResult:
        """3b. (batch mode) Every new input waits for a batch still running: nothing to do yet."""
        run_id = self.start_run([f.sha256 for f in new])
        return self.finish(scan, run_id, self.wait_for([(f, None) for f in new]))

    def finish_empty(self, scan: inbox.Scan) -> RunResult:
        """3. (end) Nothing new, nothing to move: record an empty run and stop."""
        run_id = self.start_run([])
        result = RunResult(
            run_id,
            "nothing",
            self.started,
            self.clock() - self.started,
            settling=scan.settling,
            ignored=scan.ignored,
            notes=tuple(self.notes),
        )
        self.ledger.run_finish(run_id, RUN_OK, result.to_json(), finished=self.clock())
        return result

    def record(self, new: Sequence[InboxFile]) -> int:
        """4. Record the run and its new inputs."""
        run_id = self.start_run([f.sha256 for f in new])
        for f in new:
            self.ledger.input_set(f.sha256, f.name, INPUT_PENDING, run_id=run_id)
        self.crash("run_recorded")
        return run_id

    def relocate(self, f: InboxFile, error: str | None = None) -> str | None:
        """Move to processed/<day>/ (or failed/ with the error); None if the file vanished meanwhile."""
        inbox_dir = self.settings.paths.inbox
        try:
            if error is None:
                day = dt.datetime.fromtimestamp(self.started).strftime("%Y-%m-%d")
                target = inbox.move_processed(f.path, inbox_dir, day)
            else:
                target = inbox.move_failed(f.path, inbox_dir, _error_line(f, error))
        except FileNotFoundError:
            if f.path.exists():
                raise
            self.progress(i18n._("{name} : retiré de l'inbox pendant le passage ; pas déplacé", name=f.name))
            return None
        self.moved.append((f.path, target.parent))
        self.ledger.seen_forget(str(f.path))
        return str(target)

    def complete_moves(self, to_move: Sequence[tuple[InboxFile, str]]) -> None:
        """Content already in a draft: finish the move a previous run could not do."""
        outcomes = self.outcomes
        for f, draft_id in to_move:
            self.ledger.input_set(f.sha256, f.name, INPUT_DRAFTED, draft_id=draft_id)
            target = self.relocate(f)
            self.ledger.input_set(f.sha256, f.name, INPUT_PROCESSED, moved_to=target)
            outcomes[f.path] = InputOutcome(f.name, f.sha256, COMPLETED, draft_id=draft_id, moved_to=target)
            self.progress(
                i18n._(
                    "{name} : déjà dans le brouillon {id} ; déplacé dans processed/", name=f.name, id=draft_id
                )
            )
            self.crash("completed_moved")

    def process_new(self, new: Sequence[InboxFile], run_id: int) -> list[tuple[InboxFile, Any]]:
        """5. Process each new input; one failure never stops the others."""
        progress, ledger, crash = self.progress, self.ledger, self.crash
        results: list[tuple[InboxFile, Any]] = []
        for n, f in enumerate(new, 1):
            tag = f"[{n}/{len(new)}] {f.name}"
            progress(i18n._("{tag} : traitement", tag=tag))
            try:
                result = self.stages.process(f, lambda message, tag=tag: progress(f"{tag} : {message}"))
            except Deferred:  # a stage needs a model answer before going on (e.g. segmentation): it waits
                progress(i18n._("{tag} : attend une réponse d'un lot", tag=tag))
                self.deferred.append(f)
                results.append((f, None))
            except Exception as exc:  # noqa: BLE001 - any failure of one input is reported, others go on
                error = one_line(exc)
                progress(i18n._("{tag} : échec : {error}", tag=tag, error=error))
                ledger.input_set(f.sha256, f.name, INPUT_FAILED, run_id=run_id, error=error)
                crash("failed_recorded")
                target = self.relocate(f, error)
                ledger.input_set(f.sha256, f.name, INPUT_FAILED, run_id=run_id, error=error, moved_to=target)
                self.outcomes[f.path] = InputOutcome(f.name, f.sha256, FAILED, error=error, moved_to=target)
                crash("failed_moved")
            else:
                results.append((f, result))
                crash("processed")
        return results

    def write_drafts(self, results: Sequence[tuple[InboxFile, Any]], run_id: int) -> _Drafted:
        """6. Write the draft(s), then record which draft holds which input."""
        progress, crash = self.progress, self.crash
        groups = [results] if self.settings.run.edition_per == "run" else [[r] for r in results]
        drafts: list[str] = []
        usage, cost = Usage(), 0.0
        write_failed = False
        drafted: list[tuple[InboxFile, str]] = []
        for group in filter(None, groups):
            names = ", ".join(f.name for f, _ in group)
            progress(i18n._("écriture du brouillon ({names})", names=names))
            crash("before_write")
            try:
                written = self.stages.write(group, progress)
            except Deferred:  # the compose call went into a batch: this draft waits for it
                self.wait_for(group)
                if self.stages.batches is not None:
                    self.stages.batches.flush(run_id, [f.sha256 for f, _ in group], crash)
                continue
            except Exception as exc:  # noqa: BLE001 - inputs stay in the inbox for the next run
                error = one_line(exc)
                write_failed = True
                not_written = i18n._("brouillon non écrit : {error}", error=error)
                progress(not_written + i18n._(" ; fichiers laissés dans l'inbox pour le prochain passage"))
                for f, _ in group:
                    self.outcomes[f.path] = InputOutcome(f.name, f.sha256, NOT_WRITTEN, error=not_written)
                continue
            crash("draft_written")
            for f, _ in group:
                self.ledger.input_set(f.sha256, f.name, INPUT_DRAFTED, run_id=run_id, draft_id=written.id)
                drafted.append((f, written.id))
            drafts.append(written.id)
            if self.stages.batches is not None:
                self.stages.batches.consume()
            usage, cost = usage + written.usage, cost + written.cost
            progress(i18n._("brouillon {id} écrit", id=written.id))
            crash("draft_recorded")
        return _Drafted(tuple(drafted), tuple(drafts), usage, cost, write_failed)

    def move_done(self, drafted: _Drafted, duplicates: Sequence[Duplicate]) -> None:
        """7. Move what is in a draft; identical copies follow their original."""
        outcomes = self.outcomes
        for f, draft_id in drafted.inputs:
            target = self.relocate(f)
            self.ledger.input_set(f.sha256, f.name, INPUT_PROCESSED, moved_to=target)
            outcomes[f.path] = InputOutcome(f.name, f.sha256, PROCESSED, draft_id=draft_id, moved_to=target)
            self.crash("moved")
        for f, original, draft_id in duplicates:
            first = outcomes.get(original.path) if original is not None else None
            if first is not None and first.status == FAILED:
                error = f"same content as {original.name}, which failed: {first.error}"
                outcomes[f.path] = InputOutcome(
                    f.name, f.sha256, FAILED, error=error, moved_to=self.relocate(f, error)
                )
                continue
            if first is not None and first.status in (NOT_WRITTEN, WAITING):
                outcomes[f.path] = InputOutcome(
                    f.name, f.sha256, first.status, error=first.error, duplicate_of=original.name
                )
                continue
            draft_id = first.draft_id if first is not None else draft_id
            of = original.name if original is not None else first_name(self.ledger, f.sha256)
            outcomes[f.path] = InputOutcome(
                f.name, f.sha256, DUPLICATE, draft_id=draft_id, moved_to=self.relocate(f), duplicate_of=of
            )
            self.progress(
                i18n._(
                    "{name} : même contenu que {other} ; pas traité une seconde fois, déplacé dans processed/",
                    name=f.name,
                    other=of,
                )
            )
        inbox.move_sidecars(self.moved, self.settings.paths.inbox)
        self.crash("moved_all")

    def finish(self, scan: inbox.Scan, run_id: int, drafted: _Drafted) -> RunResult:
        """Close the run in the ledger with its outcome, inputs in inbox order."""
        ordered = tuple(self.outcomes[f.path] for f in scan.ready if f.path in self.outcomes)
        failed = any(o.status == FAILED for o in ordered)
        waiting = any(o.status == WAITING for o in ordered)
        status = (
            RUN_ERROR
            if drafted.write_failed
            else RUN_PARTIAL
            if failed
            else RUN_WAITING
            if waiting
            else RUN_OK
        )
        result = RunResult(
            run_id,
            status,
            self.started,
            self.clock() - self.started,
            ordered,
            drafted.drafts,
            scan.settling,
            scan.ignored,
            tuple(self.notes),
            drafted.usage,
            drafted.cost,
            waiting=self.stages.batches.waiting() if self.stages.batches is not None else (),
            calls=self.stages.batches.calls() if self.stages.batches is not None else None,
        )
        self.ledger.run_finish(run_id, status, result.to_json(), finished=self.clock())
        self.crash("finished")
        return result


def _error_line(f: InboxFile, error: str) -> str:
    return error if error.startswith(str(f.path)) or error.startswith(f.name) else f"{f.name}: {error}"
