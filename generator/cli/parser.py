"""The argparse parser of every command, and the settings its options override."""

from __future__ import annotations

import argparse
from typing import Any

from generator import __version__
from generator.backends import BACKENDS
from generator.cli import weekly
from generator.cli.send import add_parser as add_send_parser
from generator.cli.sources import add_parser as add_sources_parser
from generator.config import CONFIG_NAME
from generator.styles import STYLES


def _llm_flags(p: argparse.ArgumentParser) -> None:
    """The options shared by generate and run (style, backend, model, budgets, cache)."""
    p.add_argument("--style", choices=STYLES.names())
    p.add_argument("--backend", choices=BACKENDS.names())
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
    p.add_argument("--backend", choices=BACKENDS.names())

    p = add("generate", "one edition from these transcripts")
    p.add_argument("files", nargs="+", metavar="FILE")
    _llm_flags(p)
    weekly.add_generate_flags(p)

    p = add("run", "all new inbox transcripts -> one edition (the nightly job)")
    _llm_flags(p)
    p.add_argument("--wait", action="store_true", help="wait for another run's lock instead of exiting")
    p.add_argument(
        "--sync-fallback",
        action="store_true",
        help="mode lot : une requête qu'un lot a ratée part en appel synchrone (plein tarif) "
        "au lieu d'attendre le lot suivant",
    )

    add_sources_parser(add)
    weekly.add_parser(sub, [sub_common], _llm_flags)

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
    add_send_parser(add)
    add("preview", "serve a draft's HTML on 127.0.0.1").add_argument("id")
    add("review", "approve, reject, edit drafts in a browser").add_argument("--no-open", action="store_true")
    for name in ("preview", "review"):
        sub.choices[name].add_argument("--port", type=int, default=0)

    p = add("prompts", "list prompt files")
    p.add_argument("--json", action="store_true")
    return parser


def overrides(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
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
