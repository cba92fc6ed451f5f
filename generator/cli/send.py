"""`newsletter send DRAFT [--force] [--json]`: the command line of generator/delivery (prints, exit codes)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from generator.channels import CHANNELS, DEFAULT_METHOD
from generator.cli.output import EXIT_OK, emit_json, progress_of
from generator.config import Settings
from generator.i18n import _


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """The `send` subcommand, added with cli/parser.py's `add` (which gives it --config and --quiet)."""
    p = add(
        "send",
        _(
            "envoyer un brouillon approuvé par la méthode de [delivery] ({choices})",
            choices=CHANNELS.choices_text(),
        ),
    )
    p.add_argument("id", metavar="ID", help=_("identifiant du brouillon (voir `newsletter drafts`)"))
    p.add_argument(
        "--force",
        action="store_true",
        help=_("renvoyer même s'il est déjà envoyé (ou si l'envoi a été interrompu)"),
    )
    p.add_argument("--json", action="store_true", help=_("sortie JSON sur stdout (pour les scripts)"))


def review_sender(settings: Settings) -> Any:
    """The review page's "Envoyer" button, when [delivery] method names a channel."""
    if settings.delivery.method == DEFAULT_METHOD:
        return None
    from generator.delivery import ReviewSender

    return ReviewSender(settings)


def cmd_send(args: argparse.Namespace, settings: Settings) -> int:
    from generator import delivery
    from generator.crashpoint import from_env

    options = delivery.SendOptions(force=args.force, crash=from_env(), progress=progress_of(args))
    outcome = delivery.send(settings, args.id, options)
    if args.json:
        emit_json(outcome.as_json())
    else:
        print(delivery.describe(outcome))
    return EXIT_OK
