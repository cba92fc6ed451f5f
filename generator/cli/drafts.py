"""`newsletter drafts`, `show`, `approve`, `reject`, `preview`, `review` and `prompts`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from generator.cli.output import EXIT_OK, emit_json, serve
from generator.cli.send import review_sender
from generator.cli.weekly import review_week
from generator.config import Settings
from generator.i18n import _, current, ngettext


def cmd_drafts(args: argparse.Namespace, settings: Settings) -> int:
    from generator.edition import list_drafts

    drafts = list_drafts(settings.paths.outbox)
    if args.json:
        emit_json([d.as_json() for d in drafts])
        return EXIT_OK
    if not drafts:
        print(_("aucun brouillon dans {outbox}", outbox=settings.paths.outbox), file=sys.stderr)
        return EXIT_OK
    for d in drafts:
        engine = d.backend + (f"/{d.model}" if d.model and d.backend != "extractive" else "")
        warn = ", " + ngettext("{n} alerte", "{n} alertes", len(d.warnings)) if d.warnings else ""
        quotes = _(
            "citations : {verified} / {rejected}",
            verified=ngettext("{n} vérifiée", "{n} vérifiées", d.quotes_verified),
            rejected=ngettext("{n} refusée", "{n} refusées", d.quotes_rejected),
        )
        print(f"{d.id}  [{status_label(d.status)}]  {d.style}  {engine}  {quotes}{warn}")
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
        raise OutboxError(_("fichier du brouillon illisible ({error})", error=exc), path=str(path)) from exc
    sys.stdout.write(text)
    if not args.quiet:
        print(f"· {draft.id} : {status_label(draft.status)}, {path}", file=sys.stderr)
        for warning in draft.warnings:
            print(_("· alerte : {warning}", warning=warning), file=sys.stderr)
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


def status_label(status: str) -> str:
    """A draft's status as a person reads it (draft.json and --json keep the key)."""
    labels = {"draft": _("à relire"), "approved": _("approuvé"), "rejected": _("rejeté")}
    return labels.get(status, status)


def transition_line(draft: Any) -> str:
    last = draft.doc["history"][-1]
    reason = _(" (raison : {reason})", reason=last["reason"]) if last.get("reason") else ""
    return _(
        "{id} : {status} par {user} le {at}{reason}",
        id=draft.id,
        status=status_label(draft.status),
        user=last["user"],
        at=current().datetime(last["at"]),
        reason=reason,
    )


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
    return serve(server, server_url(server), draft.id, _("aperçu"))


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
        week=review_week(settings),
    )
    url = server_url(server)
    return serve(
        server,
        url,
        _("les brouillons de {outbox}", outbox=settings.paths.outbox),
        _("relecture"),
        open_browser=not args.no_open,
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
    print(_("(* = version utilisée ; fixez-en une dans newsletter.toml, section [prompts])"), file=sys.stderr)
    return EXIT_OK
