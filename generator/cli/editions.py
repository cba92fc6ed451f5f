"""`newsletter generate`, `run` and `schedule`: editions made from transcripts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from generator.cadences import check_day
from generator.cli import sources as cli_sources
from generator.cli.output import EXIT_OK, emit_json, progress_of
from generator.config import Settings


def _tools(settings: Settings, ledger: Any, args: argparse.Namespace | None = None) -> Any:
    """The pipeline's toolbox, built once: the prompts, then the configured LLM backend (None: extractive)."""
    from generator import pipeline

    if settings.resolved_backend != "openai":
        return pipeline.build_tools(settings)
    from generator import llm

    prompts = pipeline.prompt_registry(settings)
    no_cache, retry = bool(args and args.no_cache), bool(args and args.retry_failed)
    backend = llm.make_backend(settings, ledger, no_cache=no_cache, prompts=prompts, retry_failed=retry)
    return pipeline.build_tools(settings, backend, prompts=prompts)


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from contextlib import nullcontext

    if getattr(args, "weekly", False):  # the weekly edition of these files (issue 25)
        from generator.cli.weekly import cmd_generate_weekly

        return cmd_generate_weekly(args, settings)

    from generator import pipeline
    from generator.nightly import Ledger

    progress = progress_of(args)
    paths = [Path(f) for f in args.files]
    openai = settings.resolved_backend == "openai"
    # The ledger holds the LLM answer cache; an offline run needs no state at all.
    with Ledger(settings.paths.state / "ledger.sqlite") if openai else nullcontext() as ledger:
        tools = _tools(settings, ledger, args)
        result = pipeline.generate(paths, tools, progress=progress, dry_run=args.dry_run)
    doc = result.to_json()
    if args.json:
        emit_json(doc)
        return EXIT_OK
    if args.dry_run:
        engine = result.backend + (f" ({result.model})" if result.model else "")
        print(
            f"dry run, {engine}: {doc['calls']} call(s), ~{doc['tokens']['input']} input and "
            f"≤{doc['tokens']['output']} output tokens, estimated cost ${doc['cost_estimate']:.4f} "
            f"(Batch API: ${doc.get('cost_estimate_batch', 0.0):.4f})"
        )
        return EXIT_OK
    if not args.quiet:
        usage = doc["tokens"]
        print(
            f"· {len(doc['sections'])} section(s), {len(doc['quotes'])} verified quote(s), "
            f"{len(doc['rejected_quotes'])} rejected, {len(doc['warnings'])} warning(s); "
            f"tokens in {usage['input']} / out {usage['output']}",
            file=sys.stderr,
        )
    print(str(result.path))
    return EXIT_OK


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from generator import pipeline
    from generator.nightly import Ledger, run_logger

    progress = progress_of(args)
    fed = cli_sources.before_run(settings, progress, dry_run=args.dry_run)  # [[sources]] -> inbox
    with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
        result = pipeline.run_nightly(
            _tools(settings, ledger, args),
            ledger=ledger,
            options=pipeline.NightOptions(
                dry_run=args.dry_run, wait=args.wait, trigger="manual", sync_fallback=args.sync_fallback
            ),
            progress=progress,
        )
    if not args.dry_run:
        run_logger(settings.paths.state).info("run finished: %s", result.log_line())
    if args.json:
        emit_json(result.to_json() | cli_sources.run_json(fed))
        return cli_sources.exit_code(result.exit_code, fed)
    cli_sources.print_reports(fed)
    inbox_dir = settings.paths.inbox
    if result.status in ("nothing", "dry_run") and not result.inputs and not args.quiet:
        print(f"nothing new in {inbox_dir}")  # under --quiet, silence: cron mails only real news
    marks = dict(processed="+", completed="+", duplicate="=", failed="x", not_written="!", new="?")
    for item in result.inputs:
        where = f" -> {Path(item.moved_to).relative_to(inbox_dir)}" if item.moved_to else ""
        if item.status == "failed":
            detail = f"failed: {item.error}"
        elif item.status == "duplicate":
            detail = f"same content as {item.duplicate_of or '?'} (draft {item.draft_id or '?'}), not processed again"
        elif item.status == "completed":
            detail = f"already in draft {item.draft_id} (finishing an interrupted run)"
        elif item.status == "not_written":
            detail = f"left in the inbox: {item.error}"
        else:
            detail = {"new": "would be processed", "waiting": "waits for its batch"}.get(
                item.status, f"in draft {item.draft_id}"
            )
        print(f"{marks.get(item.status, '-')} {item.name}: {detail}{where}")
    for skipped in result.settling:
        print(f"… {skipped.path.name}: {skipped.reason}; next run")
    for note in result.notes:
        print(f"· {note}", file=sys.stderr)
    for draft_id in result.drafts:
        print(f"draft {draft_id}: {settings.paths.outbox / draft_id}")
    for w in result.waiting:  # batch mode: the batches this edition waits for
        print(
            f"… batch {w['batch_id']}: {w['status']} ({w['requests']['completed']}/{w['requests']['total']})"
        )
    if result.calls:
        from generator.llm import describe_calls

        print(f"· {describe_calls(result.calls)}", file=sys.stderr)
    if result.estimate:
        est = dict(result.estimate)
        tokens = est.get("tokens") or {}
        print(
            f"estimate: {est.get('calls', 0)} LLM call(s) ({est.get('cache_hits', 0)} cached), "
            f"{tokens.get('input', 0)} tokens in / {tokens.get('output', 0)} out, "
            f"~${float(est.get('cost_estimate') or 0):.4f}, "
            f"Batch API ~${float(est.get('cost_estimate_batch') or 0):.4f}"
        )
        if est.get("batch"):
            b = est["batch"]
            print(
                f"mode lot : {b['rounds']} tour(s) de lots, {b['calls']} requête(s) par lot, "
                f"~${float(b['cost']):.4f} au tarif des lots"
            )
    if not args.dry_run and not args.quiet:
        print(result.log_line(), file=sys.stderr)
    return cli_sources.exit_code(result.exit_code, fed)


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    import datetime as dt

    from generator import pipeline
    from generator.nightly import (
        BATCH_POLL_S,
        Ledger,
        NightlyScheduler,
        build_trigger,
        next_fire_times,
        run_logger,
    )

    check_day(settings.schedule.day)  # the weekly edition's day, refused now rather than on that day
    trigger = build_trigger(settings.schedule)
    if args.next:
        for when in next_fire_times(trigger, dt.datetime.now(trigger.timezone), args.next):
            print(when.isoformat(timespec="minutes"))
        return EXIT_OK
    ledger_path = settings.paths.state / "ledger.sqlite"
    if settings.resolved_backend == "openai":  # a bad LLM setting fails now, not at 06:00
        with Ledger(ledger_path) as ledger:
            _tools(settings, ledger)
    logger = run_logger(
        settings.paths.state, stream=None if args.quiet else sys.stderr, name="generator.nightly.scheduler"
    )

    def job() -> object:
        cli_sources.before_run(settings, lambda m: logger.info("  %s", m), dry_run=False)
        from generator.cli.weekly import after_night

        with Ledger(ledger_path) as ledger:
            result = pipeline.run_nightly(
                _tools(settings, ledger),
                ledger=ledger,
                options=pipeline.NightOptions(
                    wait=True, wait_timeout=settings.schedule.misfire_grace_s, trigger="schedule"
                ),
                progress=lambda m: logger.info("  %s", m),
            )
        after_night(settings, dt.date.today(), logger)  # [edition] cadence = "weekly", on [schedule] day
        return result

    def last_success() -> float | None:
        with Ledger(ledger_path) as ledger:
            return ledger.last_success()

    NightlyScheduler(
        job,
        trigger,
        last_success=last_success,
        misfire_grace_s=settings.schedule.misfire_grace_s,
        logger=logger,
        poll_every_s=BATCH_POLL_S if settings.llm.batch else None,
    ).start()
    return EXIT_OK
