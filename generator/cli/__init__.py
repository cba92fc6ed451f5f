"""The command line: the only package that prints, parses argv, builds real clients and sets exit codes."""

from __future__ import annotations

from generator.cli.drafts import (
    cmd_approve,
    cmd_drafts,
    cmd_preview,
    cmd_prompts,
    cmd_reject,
    cmd_review,
    cmd_show,
)
from generator.cli.editions import cmd_generate, cmd_run, cmd_schedule
from generator.cli.language import setup_language
from generator.cli.output import err
from generator.cli.parser import build_parser, overrides
from generator.cli.send import cmd_send
from generator.cli.sources import cmd_sources
from generator.cli.transcripts import cmd_init, cmd_inspect, cmd_segment
from generator.cli.weekly import cmd_weekly
from generator.config import load_settings
from generator.errors import NewsletterError
from generator.i18n import _

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS = {
    "init": cmd_init,
    "inspect": cmd_inspect,
    "segment": cmd_segment,
    "generate": cmd_generate,
    "run": cmd_run,
    "schedule": cmd_schedule,
    "weekly": cmd_weekly,
    "drafts": cmd_drafts,
    "show": cmd_show,
    "approve": cmd_approve,
    "reject": cmd_reject,
    "send": cmd_send,
    "preview": cmd_preview,
    "review": cmd_review,
    "prompts": cmd_prompts,
    "sources": cmd_sources,
}


def main(argv: list[str] | None = None) -> int:
    setup_language()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "init":
            return cmd_init(args, None)
        settings = load_settings(args.config, overrides=overrides(args))
        return COMMANDS[args.command](args, settings)
    except NewsletterError as exc:
        err(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        err(_("interrompu"))
        return 130
