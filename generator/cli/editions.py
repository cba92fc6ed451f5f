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
from generator.i18n import _, current, ngettext


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
        t = current()
        print(
            _(
                "essai à blanc, {engine} : {calls}, ~{input} en entrée et ≤{output} en sortie, "
                "coût estimé {cost} (API Batch : {batch})",
                engine=engine,
                calls=ngettext("{n} appel", "{n} appels", doc["calls"]),
                input=ngettext("{n} jeton", "{n} jetons", doc["tokens"]["input"]),
                output=t.number(doc["tokens"]["output"]),
                cost=t.money(doc["cost_estimate"]),
                batch=t.money(doc.get("cost_estimate_batch", 0.0)),
            )
        )
        return EXIT_OK
    if not args.quiet:
        usage = doc["tokens"]
        counts = [
            ngettext("{n} section", "{n} sections", len(doc["sections"])),
            ngettext("{n} citation vérifiée", "{n} citations vérifiées", len(doc["quotes"])),
            ngettext("{n} refusée", "{n} refusées", len(doc["rejected_quotes"])),
            ngettext("{n} alerte", "{n} alertes", len(doc["warnings"])),
        ]
        tokens = _(
            "jetons : {input} en entrée / {output} en sortie", input=usage["input"], output=usage["output"]
        )
        print(f"· {', '.join(counts)} ; {tokens}", file=sys.stderr)
    print(str(result.path))
    return EXIT_OK


def _item_detail(item: Any) -> str:
    """What became of one inbox file, in a sentence."""
    if item.status == "failed":
        return _("échec : {error}", error=item.error)
    if item.status == "duplicate":
        return _(
            "même contenu que {other} (brouillon {id}), pas traité une seconde fois",
            other=item.duplicate_of or "?",
            id=item.draft_id or "?",
        )
    if item.status == "completed":
        return _("déjà dans le brouillon {id} (fin d'un passage interrompu)", id=item.draft_id)
    if item.status == "not_written":
        return _("laissé dans l'inbox : {error}", error=item.error)
    if item.status == "new":
        return _("serait traité")
    if item.status == "waiting":
        return _("attend son lot (API Batch)")
    return _("dans le brouillon {id}", id=item.draft_id)


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
        print(_("rien de nouveau dans {inbox}", inbox=inbox_dir))  # --quiet: silence, cron mails only news
    marks = dict(processed="+", completed="+", duplicate="=", failed="x", not_written="!", new="?")
    for item in result.inputs:
        where = f" -> {Path(item.moved_to).relative_to(inbox_dir)}" if item.moved_to else ""
        detail = _item_detail(item)
        print(f"{marks.get(item.status, '-')} {item.name} : {detail}{where}")
    for skipped in result.settling:
        print(_("… {name} : {reason} ; au prochain passage", name=skipped.path.name, reason=skipped.reason))
    for note in result.notes:
        print(f"· {note}", file=sys.stderr)
    for draft_id in result.drafts:
        print(_("brouillon {id} : {path}", id=draft_id, path=settings.paths.outbox / draft_id))
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
            _(
                "estimation : {calls} ({cached} en cache), {input} en entrée / {output} en sortie, "
                "~{cost}, API Batch ~{batch}",
                calls=ngettext("{n} appel au modèle", "{n} appels au modèle", est.get("calls", 0)),
                cached=est.get("cache_hits", 0),
                input=ngettext("{n} jeton", "{n} jetons", tokens.get("input", 0)),
                output=tokens.get("output", 0),
                cost=current().money(float(est.get("cost_estimate") or 0)),
                batch=current().money(float(est.get("cost_estimate_batch") or 0)),
            )
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
