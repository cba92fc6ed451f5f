"""The command line: the only module that prints, parses argv, builds real clients and sets exit codes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from generator import __version__, cli_weekly
from generator.config import CONFIG_NAME, INIT_TEMPLATE, Settings, load_settings
from generator.errors import NewsletterError
from generator.styles import STYLES

EXIT_OK, EXIT_FAILED_INPUTS, EXIT_USAGE = 0, 1, 2


def _emit_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _err(message: str) -> None:
    print(f"newsletter: error: {message}", file=sys.stderr)


def _progress(args: argparse.Namespace):
    """A callback for stage progress on stderr, silenced by --quiet."""
    quiet = getattr(args, "quiet", False)

    def report(message: str) -> None:
        if not quiet:
            print(f"· {message}", file=sys.stderr, flush=True)

    return report


def _backend(settings: Settings, ledger: Any, *, no_cache: bool = False, retry: bool = False) -> Any:
    """The configured LLM backend, or None for the extractive (offline) one."""
    if settings.resolved_backend != "openai":
        return None
    from generator import llm

    return llm.make_backend(settings, ledger, no_cache=no_cache, retry_failed=retry)


# --------------------------------------------------------------------------------------------- init


def cmd_init(args: argparse.Namespace, settings: Settings | None) -> int:
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_NAME
    if config.exists():
        print(f"{config} existe déjà : laissé tel quel.", file=sys.stderr)
    else:
        config.write_text(INIT_TEMPLATE, encoding="utf-8")
        print(f"écrit {config}", file=sys.stderr)
    for name in ("inbox", "outbox", "state"):
        (root / name).mkdir(exist_ok=True)
    print(str(root.resolve()))
    return EXIT_OK


# ----------------------------------------------------------------------------------- not yet built


def _not_built(name: str) -> int:
    _err(f"`{name}` is not available yet in this version")
    return EXIT_USAGE


def cmd_inspect(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here so other commands do not pay for ftfy/rapidfuzz at start-up.
    from generator.transcript.clean import clean
    from generator.transcript.ingest import ingest, max_bytes_of
    from generator.transcript.inspection import report, report_lines

    raw = ingest(Path(args.file), max_bytes=max_bytes_of(settings))
    episode = clean(raw)
    doc = report(episode, utterances=args.utterances, fragments=len(raw.utterances))
    if args.json:
        _emit_json(doc)
    else:
        print("\n".join(report_lines(doc)))
    return EXIT_OK


def cmd_segment(args: argparse.Namespace, settings: Settings) -> int:
    from generator.topics.embeddings import USEEmbedder
    from generator.topics.segment import as_json, segment
    from generator.transcript.ingest import load_episode

    progress = _progress(args)
    episode = load_episode(Path(args.file), settings)
    # Reuse embeddings across runs only where the user already has a state/ folder.
    state = settings.paths.state
    embedder = USEEmbedder(cache_dir=state / "embeddings" if state.is_dir() else None)
    segments = segment(
        episode, min_segment_s=settings.segment.min_segment_s, embedder=embedder, progress=progress
    )
    if not segments:
        raise NewsletterError("no speech to segment", path=args.file)
    llm_doc = None
    if settings.resolved_backend == "openai" and settings.segment.refine:
        # Optional: a model checks boundaries and titles; the offline segmentation is the fallback.
        from generator import llm
        from generator.llm.prompts import PromptRegistry, default_root
        from generator.nightly.ledger import Ledger
        from generator.topics.refine import refine

        with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
            backend = llm.make_backend(settings, ledger)
            result = refine(
                episode,
                segments,
                backend=backend,
                prompts=PromptRegistry(default_root(), settings.prompts),
                progress=progress,
            )
        segments = result.segments
        llm_doc = {
            "model": result.model,
            "refined": result.refined,
            "fallback": result.warning,
            "prompt": result.prompt.__dict__ if result.prompt else None,
            "tokens": {"input": result.usage.input, "output": result.usage.output},
        }
        if result.warning and not args.json:
            print(
                f"newsletter: warning: {args.file}: offline segmentation kept ({result.warning})",
                file=sys.stderr,
            )
    doc: dict[str, Any] = {"segments": as_json(segments)}
    if llm_doc is not None:
        doc["llm"] = llm_doc
    if args.json:
        _emit_json(doc)
        return EXIT_OK
    for s in segments:
        span = f"{s.start}-{s.end}" if s.start is not None else f"#{s.first}-{s.last - 1}"
        print(f"{span:>17}  {s.kind:<10} {s.title}")
    return EXIT_OK


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from contextlib import nullcontext

    if getattr(args, "weekly", False):  # the weekly edition of these files (issue 25)
        return cli_weekly.cmd_generate_weekly(args, settings)

    from generator import pipeline
    from generator.nightly.ledger import Ledger

    progress = _progress(args)
    paths = [Path(f) for f in args.files]
    openai = settings.resolved_backend == "openai"
    # The ledger holds the LLM answer cache; an offline run needs no state at all.
    with Ledger(settings.paths.state / "ledger.sqlite") if openai else nullcontext() as ledger:
        backend = _backend(settings, ledger, no_cache=args.no_cache, retry=args.retry_failed)
        result = pipeline.generate(
            paths,
            settings,
            backend=backend,
            ledger=ledger,
            progress=progress,
            dry_run=args.dry_run,
            no_cache=args.no_cache,
        )
    doc = result.to_json()
    if args.json:
        _emit_json(doc)
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
    from generator.nightly import scheduler
    from generator.nightly.ledger import Ledger

    progress = _progress(args)
    with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
        backend = _backend(settings, ledger, no_cache=args.no_cache, retry=args.retry_failed)
        result = pipeline.run(
            settings,
            ledger=ledger,
            backend=backend,
            progress=progress,
            dry_run=args.dry_run,
            wait=args.wait,
            trigger="manual",
        )
    if not args.dry_run:
        scheduler.run_logger(settings.paths.state).info("run finished: %s", result.log_line())
    if args.json:
        _emit_json(result.to_json())
        return result.exit_code
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
    if result.estimate:
        est = dict(result.estimate)
        tokens = est.get("tokens") or {}
        print(
            f"estimate: {est.get('calls', 0)} LLM call(s) ({est.get('cache_hits', 0)} cached), "
            f"{tokens.get('input', 0)} tokens in / {tokens.get('output', 0)} out, "
            f"~${float(est.get('cost_estimate') or 0):.4f}, "
            f"Batch API ~${float(est.get('cost_estimate_batch') or 0):.4f}"
        )
    if not args.dry_run and not args.quiet:
        print(result.log_line(), file=sys.stderr)
    return result.exit_code


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    import datetime as dt

    from generator import pipeline
    from generator.nightly import scheduler
    from generator.nightly.ledger import Ledger

    trigger = scheduler.build_trigger(settings.schedule)
    if args.next:
        for when in scheduler.next_fire_times(trigger, dt.datetime.now(trigger.timezone), args.next):
            print(when.isoformat(timespec="minutes"))
        return EXIT_OK
    ledger_path = settings.paths.state / "ledger.sqlite"
    if settings.resolved_backend == "openai":  # a bad LLM setting fails now, not at 06:00
        with Ledger(ledger_path) as ledger:
            _backend(settings, ledger)
    logger = scheduler.run_logger(
        settings.paths.state, stream=None if args.quiet else sys.stderr, name="generator.nightly.scheduler"
    )

    def job() -> object:
        with Ledger(ledger_path) as ledger:
            backend = _backend(settings, ledger)
            result = pipeline.run(
                settings,
                ledger=ledger,
                backend=backend,
                progress=lambda m: logger.info("  %s", m),
                wait=True,
                wait_timeout=settings.schedule.misfire_grace_s,
                trigger="schedule",
            )
        cli_weekly.after_night(settings, dt.date.today(), logger)  # [edition] cadence = "weekly"
        return result

    def last_success() -> float | None:
        with Ledger(ledger_path) as ledger:
            return ledger.last_success()

    scheduler.NightlyScheduler(
        job,
        trigger,
        last_success=last_success,
        misfire_grace_s=settings.schedule.misfire_grace_s,
        logger=logger,
        poll_every_s=scheduler.BATCH_POLL_S if settings.llm.batch else None,
    ).start()
    return EXIT_OK


def cmd_drafts(args: argparse.Namespace, settings: Settings) -> int:
    from generator.edition import outbox

    drafts = outbox.list_drafts(settings.paths.outbox)
    if args.json:
        _emit_json([d.as_json() for d in drafts])
        return EXIT_OK
    if not drafts:
        print(f"no drafts in {settings.paths.outbox}", file=sys.stderr)
        return EXIT_OK
    for d in drafts:
        engine = d.backend + (f"/{d.model}" if d.model and d.backend != "extractive" else "")
        warn = f", {len(d.warnings)} grounding warning(s)" if d.warnings else ""
        print(
            f"{d.id}  [{d.status}]  {d.style}  {engine}  "
            f"quotes {d.quotes_verified} verified / {d.quotes_rejected} rejected{warn}"
        )
        print(f"    {d.title}")
        for episode in d.episodes:
            print(f"    - {episode}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from generator.edition import outbox

    draft = outbox.load_draft(settings.paths.outbox, args.id)
    path = draft.file(args.format)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise outbox.OutboxError(f"cannot read the draft file ({exc})", path=str(path)) from exc
    sys.stdout.write(text)
    if not args.quiet:
        print(f"· {draft.id}: {draft.status}, {path}", file=sys.stderr)
        for warning in draft.warnings:
            print(f"· grounding warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _transition_line(draft: Any) -> str:
    last = draft.doc["history"][-1]
    reason = f" (reason: {last['reason']})" if last.get("reason") else ""
    return f"{draft.id}: {draft.status} by {last['user']} at {last['at']}{reason}"


def cmd_approve(args: argparse.Namespace, settings: Settings) -> int:
    from generator.edition import outbox

    print(_transition_line(outbox.approve(settings.paths.outbox, args.id)))
    return EXIT_OK


def cmd_reject(args: argparse.Namespace, settings: Settings) -> int:
    from generator.edition import outbox

    print(_transition_line(outbox.reject(settings.paths.outbox, args.id, args.reason)))
    return EXIT_OK


def _open_browser(url: str) -> None:
    """Open a graphical browser beside the server; never a text browser that would take the terminal."""
    import os
    import threading
    import webbrowser

    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        print("· no graphical display: open the URL above in a browser", file=sys.stderr)
        return
    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def _serve(server: Any, url: str, what: str, name: str, *, open_browser: bool = False) -> int:
    """Print the URL (first stdout line), optionally open a browser, serve until Ctrl-C."""
    try:
        print(url, flush=True)
        print(f"· serving {what} on 127.0.0.1 only; Ctrl-C to stop", file=sys.stderr, flush=True)
        if open_browser:
            _open_browser(url)
        server.serve_forever()
    except KeyboardInterrupt:
        print(f"· {name} stopped", file=sys.stderr)
    finally:
        server.server_close()
    return EXIT_OK


def cmd_preview(args: argparse.Namespace, settings: Settings) -> int:
    from generator.edition import outbox, preview

    draft = outbox.load_draft(settings.paths.outbox, args.id)
    server = preview.preview_server(draft.file("html"), port=args.port)
    return _serve(server, preview.server_url(server), draft.id, "preview")


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    from generator import pipeline
    from generator.edition import review
    from generator.transcript.ingest import load_episode

    server = review.review_server(
        settings.paths.outbox,
        newsletter=settings.newsletter,
        templates_dir=pipeline.default_templates_dir(),
        port=args.port,
        inbox_dir=settings.paths.inbox,
        load_transcript=lambda path: load_episode(path, settings).utterances,
    )
    url = review.server_url(server)
    return _serve(
        server, url, f"the drafts of {settings.paths.outbox}", "review", open_browser=not args.no_open
    )


def cmd_prompts(args: argparse.Namespace, settings: Settings) -> int:
    from generator.llm.prompts import PromptRegistry, default_root

    registry = PromptRegistry(default_root(), settings.prompts)
    selected = {(p.id, p.version) for p in registry.selected()}
    rows = [
        {
            "id": p.id,
            "version": p.version,
            "hash": p.hash,
            "description": p.description,
            "selected": (p.id, p.version) in selected,
            "pinned": settings.prompts.get(p.id) == p.version,
            "inputs": [spec.name for spec in p.inputs],
            "path": str(p.path),
        }
        for p in registry.all()
    ]
    if args.json:
        _emit_json(rows)
        return EXIT_OK
    for row in rows:
        mark = "*" if row["selected"] else " "
        print(f"{mark} {row['id']:<28} v{row['version']:<3} {row['hash']}  {row['description']}")
    print("(* = version used; pin one in newsletter.toml under [prompts])", file=sys.stderr)
    return EXIT_OK


# ------------------------------------------------------------------------------------------ parser


def _llm_flags(p: argparse.ArgumentParser) -> None:
    """The options shared by generate and run (style, backend, model, budgets, cache)."""
    p.add_argument("--style", choices=STYLES.names())
    p.add_argument("--backend", choices=("auto", "extractive", "openai"))
    p.add_argument("--model")
    p.add_argument("--base-url")
    p.add_argument("--timeout", type=float)
    p.add_argument("--max-retries", type=int)
    p.add_argument("--max-concurrency", type=int)
    p.add_argument("--context-window", type=int)
    p.add_argument("--no-cache", action="store_true", help="ignore cached LLM answers")
    p.add_argument("--retry-failed", action="store_true", help="ask again for answers recorded as failed")
    p.add_argument("--dry-run", action="store_true", help="estimate calls, tokens and cost; call nothing")
    p.add_argument("--json", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help=f"config file (default: ./{CONFIG_NAME})")
    common.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    # The same options after the subcommand; SUPPRESS keeps a value given before it.
    sub_common = argparse.ArgumentParser(add_help=False)
    sub_common.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help=f"config file (default: ./{CONFIG_NAME})"
    )
    sub_common.add_argument(
        "--quiet", "-q", action="store_true", default=argparse.SUPPRESS, help="no progress on stderr"
    )

    parser = argparse.ArgumentParser(
        prog="newsletter",
        description="Transcriptions d'émissions tech -> brouillons de newsletter en français.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=help_, parents=[sub_common])

    p = add("init", "write a commented newsletter.toml and create inbox/, outbox/, state/")
    p.add_argument("dir", nargs="?", default=".")

    p = add("inspect", "parsed metadata and cleaning report of a transcript")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--utterances", action="store_true", help="also list the cleaned sentences")

    p = add("segment", "topics with start/end timestamps and titles")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--min-segment", type=float, metavar="SECONDS")
    p.add_argument("--backend", choices=("auto", "extractive", "openai"))

    p = add("generate", "one edition from these transcripts")
    p.add_argument("files", nargs="+", metavar="FILE")
    _llm_flags(p)
    cli_weekly.add_generate_flags(p)

    p = add("run", "all new inbox transcripts -> one edition (the nightly job)")
    _llm_flags(p)
    p.add_argument("--wait", action="store_true", help="wait for another run's lock instead of exiting")

    cli_weekly.add_parser(sub, [sub_common], _llm_flags)

    p = add("schedule", "the long-running nightly scheduler")
    p.add_argument("--next", type=int, metavar="N", default=0, help="print the next N run times and exit")

    p = add("drafts", "list drafts in the outbox")
    p.add_argument("--json", action="store_true")
    p = add("show", "print a draft")
    p.add_argument("id")
    p.add_argument("--format", choices=("md", "html", "txt"), default="md")
    p = add("approve", "approve a draft")
    p.add_argument("id")
    p = add("reject", "reject a draft")
    p.add_argument("id")
    p.add_argument("--reason", required=True)
    add("preview", "serve a draft's HTML on 127.0.0.1").add_argument("id")
    add("review", "approve, reject, edit drafts in a browser").add_argument("--no-open", action="store_true")
    for name in ("preview", "review"):
        sub.choices[name].add_argument("--port", type=int, default=0)

    p = add("prompts", "list prompt files")
    p.add_argument("--json", action="store_true")
    return parser


COMMANDS = {
    "init": cmd_init,
    "inspect": cmd_inspect,
    "segment": cmd_segment,
    "generate": cmd_generate,
    "run": cmd_run,
    "schedule": cmd_schedule,
    "weekly": cli_weekly.cmd_weekly,
    "drafts": cmd_drafts,
    "show": cmd_show,
    "approve": cmd_approve,
    "reject": cmd_reject,
    "preview": cmd_preview,
    "review": cmd_review,
    "prompts": cmd_prompts,
}


def _overrides(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    get = lambda name: getattr(args, name, None)  # noqa: E731
    return {
        "llm": {
            "backend": get("backend"),
            "model": get("model"),
            "base_url": get("base_url"),
            "timeout": get("timeout"),
            "max_retries": get("max_retries"),
            "max_concurrency": get("max_concurrency"),
            "context_window": get("context_window"),
        },
        "newsletter": {"style": get("style")},
        "segment": {"min_segment_s": get("min_segment")},
    }


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "init":
            return cmd_init(args, None)
        settings = load_settings(args.config, overrides=_overrides(args))
        return COMMANDS[args.command](args, settings)
    except NewsletterError as exc:
        _err(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
