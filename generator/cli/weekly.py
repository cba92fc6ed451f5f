"""The weekly edition's commands: `weekly`, `weekly pin|drop`, `generate --weekly`, the scheduler's day."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from generator.cadences import WEEKDAYS, check_day
from generator.cli.output import EXIT_OK, emit_json, progress_of
from generator.config import Settings
from generator.i18n import _, ngettext


def add_parser(add: Any, llm_flags: Any) -> None:
    """`newsletter weekly [pin|drop MOTS…] [--since D] [--until D] [--ideas N] [--json]`."""
    p = add(
        "weekly",
        _(
            "les meilleures idées de la semaine, toutes émissions confondues, chaque histoire une fois "
            "(ou épingler/écarter une histoire pour la semaine)"
        ),
    )
    p.add_argument(
        "action", nargs="?", choices=("pin", "drop"), help=_("pin : épingler, drop : écarter une histoire")
    )
    p.add_argument(
        "words", nargs="*", metavar=_("MOT"), help=_("mots qui désignent l'histoire (un nom, un titre)")
    )
    p.add_argument(
        "--since", metavar="AAAA-MM-JJ", help=_("premier jour de la fenêtre (par défaut : il y a 7 jours)")
    )
    p.add_argument(
        "--until", metavar="AAAA-MM-JJ", help=_("dernier jour de la fenêtre (par défaut : aujourd'hui)")
    )
    p.add_argument("--ideas", type=int, metavar="N", help=_("nombre d'idées (par défaut : celui du style)"))
    llm_flags(p, estimate=False)  # no estimate of a weekly edition yet: no --dry-run


def add_generate_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--weekly",
        action="store_true",
        help=_("une édition de la semaine avec ces fichiers (chaque histoire une fois)"),
    )
    p.add_argument("--ideas", type=int, metavar="N", help=_("avec --weekly : nombre d'idées"))


def _tools(settings: Settings, ledger: Any, args: argparse.Namespace) -> Any:
    """The weekly build's collaborators, taken from the pipeline's toolbox (built once)."""
    from generator import weekly
    from generator.cli.editions import _tools as pipeline_tools

    tools = pipeline_tools(settings, ledger, args if hasattr(args, "no_cache") else None)
    tokenizer = tools.tokenizer if tools.backend is not None else None
    return weekly.WeeklyTools(tools.embedder, tools.backend, tools.prompts, tokenizer, progress_of(args))


def _window(args: argparse.Namespace, settings: Settings) -> Any:
    from generator import weekly
    from generator.errors import WeeklyError

    if getattr(args, "dry_run", False):
        raise WeeklyError(_("--dry-run : pas encore d'estimation pour l'édition de la semaine ; lancez sans"))

    since = weekly.parse_day(args.since, "--since") if getattr(args, "since", None) else None
    until = weekly.parse_day(args.until, "--until") if getattr(args, "until", None) else None
    return weekly.window(since, until, today=dt.date.today(), days=settings.edition.window_days)


def _print_result(args: argparse.Namespace, result: Any) -> int:
    doc = result.to_json()
    if getattr(args, "json", False):
        emit_json(doc)
        return EXIT_OK
    if not args.quiet:
        for n, idea in enumerate(doc["ideas"], 1):
            shows = ", ".join(dict.fromkeys(s["show"] or Path(s["file"]).name for s in idea["sources"]))
            mark = _(" (suite)") if idea["follow_up"] else ""
            print(
                _("· idée {n}{mark} : {title} — {shows}", n=n, mark=mark, title=idea["title"], shows=shows),
                file=sys.stderr,
            )
        if doc["project"]:
            print(_("· projet : {title}", title=doc["project"]["title"]), file=sys.stderr)
        folded = sum(len(e["duplicates"]) for e in doc["episodes"])
        print(
            _(
                "· {episodes}, {copies}",
                episodes=ngettext("{n} émission distincte", "{n} émissions distinctes", len(doc["episodes"])),
                copies=ngettext("{n} copie écartée", "{n} copies écartées", folded),
            ),
            file=sys.stderr,
        )
        for note in doc["notes"]:
            print(f"· {note}", file=sys.stderr)
    print(doc["path"])
    return EXIT_OK


def cmd_pick(args: argparse.Namespace, settings: Settings) -> int:
    """`weekly pin|drop MOTS…`: for the week of --until (default: this week)."""
    from generator import weekly
    from generator.errors import WeeklyError

    if not args.words:
        raise WeeklyError(
            _("weekly {action} : indiquez les mots qui désignent l'histoire", action=args.action)
        )
    week = weekly.week_of(_window(args, settings).until)
    picks = weekly.add_pick(settings.paths.state, week, args.action, " ".join(args.words))
    print(
        _(
            "semaine {week} : épinglées {pins} ; écartées {drops}",
            week=week,
            pins=picks["pin"] or "-",
            drops=picks["drop"] or "-",
        )
    )
    return EXIT_OK


def review_week(settings: Settings) -> Any:
    """The review page's week: the stories of the coming edition, to pin or drop as `weekly pin|drop` does."""
    from generator import weekly

    return weekly.ReviewWeek(settings)


def cmd_weekly(args: argparse.Namespace, settings: Settings) -> int:
    """`newsletter weekly`: the edition of the episodes the nightly drafts of the window hold."""
    if args.action:
        return cmd_pick(args, settings)
    return build_window(args, settings, _window(args, settings))


def build_window(
    args: argparse.Namespace, settings: Settings, week: Any, now: dt.datetime | None = None
) -> int:
    from generator import weekly
    from generator.nightly import Ledger

    with Ledger(settings.paths.state / "ledger.sqlite") as ledger:

        def moved_to(sha: str) -> str | None:
            record = ledger.input_get(sha)
            return record.moved_to if record else None

        paths, notes = weekly.material(settings.paths.outbox, settings.paths.inbox, week, moved_to)
        options = weekly.WeeklyOptions(week, ideas=getattr(args, "ideas", None), notes=tuple(notes), now=now)
        result = weekly.build(paths, settings, options, _tools(settings, ledger, args))
    return _print_result(args, result)


def cmd_generate_weekly(args: argparse.Namespace, settings: Settings) -> int:
    """`generate --weekly FILE…`: the weekly edition of these files."""
    from generator import weekly
    from generator.nightly import Ledger

    openai = settings.resolved_backend == "openai"
    week = _window(argparse.Namespace(dry_run=args.dry_run), settings)
    with Ledger(settings.paths.state / "ledger.sqlite") if openai else nullcontext() as ledger:
        options = weekly.WeeklyOptions(week, ideas=args.ideas)
        result = weekly.build(
            [Path(f) for f in args.files], settings, options, _tools(settings, ledger, args)
        )
    return _print_result(args, result)


def after_night(settings: Settings, today: dt.date, log: Any) -> str | None:
    """With `[edition] cadence = "weekly"`, on `[schedule] day`: build the week's edition once."""
    from generator import weekly
    from generator.edition import list_drafts
    from generator.errors import WeeklyError

    if settings.edition.cadence != "weekly" or WEEKDAYS[today.weekday()] != check_day(settings.schedule.day):
        return None
    for draft in list_drafts(settings.paths.outbox):
        window = ((draft.doc.get("extra") or {}).get("weekly") or {}).get("window") or {}
        if window.get("until") == today.isoformat():
            return None  # this week's edition is already written
    week = weekly.window(None, today, today=today, days=settings.edition.window_days)
    args = argparse.Namespace(quiet=True, json=False, ideas=None)
    try:
        build_window(args, settings, week)
    except WeeklyError as exc:
        log.warning("weekly edition not built: %s", exc)
        return None
    return week.until.isoformat()
