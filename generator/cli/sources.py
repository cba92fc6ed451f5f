"""`newsletter sources` (list, add, check) and the sources' part of `newsletter run`: argv and printing only."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from generator.cli.output import emit_json, progress_of
from generator.config import Settings
from generator.errors import ConfigError
from generator.i18n import N_, _, ngettext
from generator.source_kinds import TRANSCRIBERS

EXIT_SOURCE_FAILED = 1  # as a failed inbox input: the run went on, something needs a look
SOURCES_LOCK = "sources.lock"  # one check at a time: two would download the same new items

_MARKS = {"delivered": "+", "skipped": "-", "failed": "x", "new": "?", "old": "·"}
_STATUS_FR = {  # translated where printed
    "ok": N_("lu"),
    "unchanged": N_("inchangé (304)"),
    "failed": N_("en échec"),
    "deferred": N_("reporté (le serveur a demandé d'attendre)"),
    None: N_("jamais vérifié"),
}


def _status(key: str | None) -> str:
    return _(_STATUS_FR[key]) if key in _STATUS_FR else str(key)


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """The `sources` command and its actions, on the CLI's subparsers."""
    p = add("sources", _("flux de podcasts vérifiés avant chaque passage : list, add URL, check"))
    p.add_argument(
        "action",
        nargs="?",
        choices=("list", "add", "check"),
        default="list",
        help=_("list (par défaut) : les lister ; add : en ajouter un ; check : les vérifier maintenant"),
    )
    p.add_argument("url", nargs="?", metavar="URL", help=_("adresse du flux (sources add)"))
    p.add_argument(
        "--name", metavar=_("NOM"), help=_("nom de l'émission (sources add ; par défaut : le titre du flux)")
    )
    p.add_argument(
        "--backfill",
        type=int,
        metavar="N",
        help=_("derniers épisodes à prendre la première fois (sources add ; 1 par défaut)"),
    )
    p.add_argument("--json", action="store_true", help=_("sortie JSON sur stdout (pour les scripts)"))


def _when(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%d/%m/%Y %H:%M") if ts else _("jamais")


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    from generator import sources

    if args.action == "add":
        if not args.url:
            raise ConfigError(_("sources add : l'adresse du flux manque (newsletter sources add URL)"))
        feed = sources.validate_feed(settings, args.url)
        target = sources.config_target(settings)
        sources.append_source(target, args.url, args.name, args.backfill)
        if args.json:
            emit_json(
                {"added": args.url, "title": feed.title, "items": len(feed.items), "config": str(target)}
            )
        else:
            with_transcript = sum(
                1 for i in feed.items if sources.choose_transcript(i.transcripts, feed.language)
            )
            print(
                _(
                    "ajouté à {target} : {name} ({kind}, {episodes}, {with_transcript} avec transcription)",
                    target=target,
                    name=args.name or feed.title,
                    kind=feed.kind,
                    episodes=ngettext("{n} épisode", "{n} épisodes", len(feed.items)),
                    with_transcript=with_transcript,
                )
            )
        return 0
    if args.action == "check":
        with _lock(settings, wait=False):
            reports = sources.check_sources(settings, deliver=False, progress=progress_of(args))
        if args.json:
            emit_json({"sources": [r.to_json() for r in reports]})
        else:
            print_reports(reports)
        return EXIT_SOURCE_FAILED if any(r.failed for r in reports) else 0
    rows = sources.source_rows(settings)
    if args.json:
        emit_json({"sources": rows})
        return 0
    if not rows:
        print(_("aucune source : ajoutez un flux avec `newsletter sources add URL`"))
    else:
        backend = settings.transcription.backend
        label = _(TRANSCRIBERS.get(backend).label)
        print(_("transcription des épisodes sans texte : {backend} ({label})", backend=backend, label=label))
    for row in rows:
        status = _status(row["status"])
        nxt = row["next_item"] or _("rien en attente")
        print(f"{row['name']} — {row['url']}")
        print(
            _(
                "    dernière vérification : {when} ; état : {status}",
                when=_when(row["last_check"]),
                status=status,
            )
        )
        if row["error"]:
            print(_("    erreur : {error}", error=row["error"]))
        print(
            _(
                "    prochain épisode : {next} ({waiting} en attente, {delivered}, {skipped} sans transcription)",
                next=nxt,
                waiting=row["waiting"],
                delivered=ngettext("{n} reçu", "{n} reçus", row["delivered"]),
                skipped=row["skipped"],
            )
        )
    return 0


def before_run(settings: Settings, progress: Callable[[str], None], *, dry_run: bool) -> list[Any]:
    """`run` checks every source first: new transcripts land in the inbox the run then reads."""
    if not settings.sources:
        return []
    from generator import sources
    from generator.crashpoint import from_env  # the test hook that kills the run at a named point

    if dry_run:  # records nothing, downloads nothing: no lock needed
        return sources.check_sources(settings, deliver=True, dry_run=True, progress=progress)
    with _lock(settings, wait=True, progress=progress):
        return sources.check_sources(settings, deliver=True, progress=progress, crash=from_env())


@contextlib.contextmanager
def _lock(settings: Settings, *, wait: bool, progress: Callable[[str], None] | None = None) -> Iterator[None]:
    """The sources' lock (state/sources.lock): a run waits for a check in progress, a check refuses."""
    from generator.nightly import RunLock

    lock = RunLock(settings.paths.state / SOURCES_LOCK, command="sources")
    note = progress or (lambda message: None)
    lock.acquire(
        wait=wait,
        timeout=600.0,
        on_wait=lambda h: note(_("une vérification des sources est en cours ; attente")),
    )
    try:
        yield
    finally:
        lock.release()


def exit_code(run_code: int, reports: Sequence[Any]) -> int:
    """The run's exit status, raised to 1 when a source failed (the others went on)."""
    return max(run_code, EXIT_SOURCE_FAILED) if any(r.failed for r in reports) else run_code


def run_json(reports: Sequence[Any]) -> dict[str, Any]:
    """`run --json`'s `sources` key (absent when no source is configured)."""
    if not reports:
        return {}
    cost = sum(i.cost for r in reports for i in r.items)
    return {"sources": [r.to_json() for r in reports], "transcription_cost_estimate": round(cost, 6)}


def print_reports(reports: Sequence[Any]) -> None:
    """One line per source, one per item it brought (or skipped, or failed)."""
    for r in reports:
        status = _status(r.status)
        if r.error:
            print(_("source {name} : {status} — {error}", name=r.name, status=status, error=r.error))
        else:
            print(_("source {name} : {status}", name=r.name, status=status))
        for item in r.items:
            mark = _MARKS.get(item.status, "-")
            detail = f" ({item.detail})" if item.detail else ""
            where = f" -> {item.file}" if item.file else ""
            cost = f" ~${item.cost:.4f}" if item.cost else ""
            print(f"  {mark} {item.title or item.key}{detail}{where}{cost}")
