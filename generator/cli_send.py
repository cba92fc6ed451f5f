"""`newsletter send DRAFT [--force] [--json]`: the command line of generator/delivery (prints, exit codes)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from generator.channels import CHANNELS, DEFAULT_METHOD
from generator.config import Settings

EXIT_OK = 0


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """The `send` subcommand, added with cli.py's `add` (which gives it --config and --quiet)."""
    p = add("send", f"send an approved draft through [delivery] method ({CHANNELS.choices_text()})")
    p.add_argument("id", metavar="DRAFT")
    p.add_argument("--force", action="store_true", help="send again although already sent (or interrupted)")
    p.add_argument("--json", action="store_true")


def review_sender(settings: Settings) -> Any:
    """The review page's "Envoyer" button, when [delivery] method names a channel."""
    if settings.delivery.method == DEFAULT_METHOD:
        return None
    from generator.delivery import ReviewSender

    return ReviewSender(settings)


def cmd_send(args: argparse.Namespace, settings: Settings) -> int:
    from generator import delivery
    from generator.nightly import crashpoint

    quiet = getattr(args, "quiet", False)

    def report(message: str) -> None:
        if not quiet:
            print(f"· {message}", file=sys.stderr, flush=True)

    options = delivery.SendOptions(force=args.force, crash=crashpoint.from_env(), progress=report)
    outcome = delivery.send(settings, args.id, options)
    if args.json:
        json.dump(outcome.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(delivery.describe(outcome))
    return EXIT_OK
