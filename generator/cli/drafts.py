"""`newsletter drafts`, `show`, `approve`, `reject`, `preview`, `review` and `prompts`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from generator.cli.output import EXIT_OK, emit_json, serve
from generator.cli.send import review_sender
from generator.config import Settings


def cmd_drafts(args: argparse.Namespace, settings: Settings) -> int:
    from generator.edition import list_drafts

    drafts = list_drafts(settings.paths.outbox)
    if args.json:
        emit_json([d.as_json() for d in drafts])
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
    from generator.edition import OutboxError, load_draft

    draft = load_draft(settings.paths.outbox, args.id)
    path = draft.file(args.format)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OutboxError(f"cannot read the draft file ({exc})", path=str(path)) from exc
    sys.stdout.write(text)
    if not args.quiet:
        print(f"· {draft.id}: {draft.status}, {path}", file=sys.stderr)
        for warning in draft.warnings:
            print(f"· grounding warning: {warning}", file=sys.stderr)
        for line in batch_lines(draft.doc):
            print(f"· {line}", file=sys.stderr)
    return EXIT_OK


def batch_lines(doc: dict[str, Any]) -> list[str]:
    """Batch mode: the draft's batches, and its calls and cost per path (batched or synchronous)."""
    from generator.llm import describe_calls

    extra = doc.get("extra") or {}
    out = [f"lots : {', '.join(extra['batches'])}"] if extra.get("batches") else []
    if extra.get("calls"):
        out.append(describe_calls(extra["calls"]))
        out += [f"synchrone : {w['prompt']} ({w['reason']})" for w in extra["calls"]["synchronous"]["why"]]
    return out


def transition_line(draft: Any) -> str:
    last = draft.doc["history"][-1]
    reason = f" (reason: {last['reason']})" if last.get("reason") else ""
    return f"{draft.id}: {draft.status} by {last['user']} at {last['at']}{reason}"


def cmd_approve(args: argparse.Namespace, settings: Settings) -> int:
    from generator.edition import approve

    print(transition_line(approve(settings.paths.outbox, args.id)))
    return EXIT_OK


def cmd_reject(args: argparse.Namespace, settings: Settings) -> int:
    from generator.edition import reject

    print(transition_line(reject(settings.paths.outbox, args.id, args.reason)))
    return EXIT_OK


def cmd_preview(args: argparse.Namespace, settings: Settings) -> int:
    from generator.edition import load_draft, preview_server, server_url

    draft = load_draft(settings.paths.outbox, args.id)
    server = preview_server(draft.file("html"), port=args.port)
    return serve(server, server_url(server), draft.id, "preview")


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    from generator import pipeline
    from generator.edition import review_server, server_url
    from generator.transcript import load_episode

    server = review_server(
        settings.paths.outbox,
        newsletter=settings.newsletter,
        templates_dir=pipeline.default_templates_dir(),
        port=args.port,
        inbox_dir=settings.paths.inbox,
        load_transcript=lambda path: load_episode(path, settings).utterances,
        sender=review_sender(settings),
    )
    url = server_url(server)
    return serve(
        server, url, f"the drafts of {settings.paths.outbox}", "review", open_browser=not args.no_open
    )


def cmd_prompts(args: argparse.Namespace, settings: Settings) -> int:
    from generator import pipeline

    registry = pipeline.prompt_registry(settings)
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
        emit_json(rows)
        return EXIT_OK
    for row in rows:
        mark = "*" if row["selected"] else " "
        print(f"{mark} {row['id']:<28} v{row['version']:<3} {row['hash']}  {row['description']}")
    print("(* = version used; pin one in newsletter.toml under [prompts])", file=sys.stderr)
    return EXIT_OK
