"""`newsletter init`, `inspect` and `segment`: a folder to work in, and one transcript looked at."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from generator.cli.output import EXIT_OK, emit_json, progress_of
from generator.config import CONFIG_NAME, INIT_TEMPLATE, Settings
from generator.errors import NewsletterError
from generator.i18n import _


def cmd_init(args: argparse.Namespace, settings: Settings | None) -> int:
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_NAME
    if config.exists():
        print(_("{config} existe déjà : laissé tel quel.", config=config), file=sys.stderr)
    else:
        config.write_text(INIT_TEMPLATE, encoding="utf-8")
        print(_("écrit {config}", config=config), file=sys.stderr)
    for name in ("inbox", "outbox", "state"):
        (root / name).mkdir(exist_ok=True)
    print(str(root.resolve()))
    return EXIT_OK


# ----------------------------------------------------------------------------------- not yet built


def cmd_inspect(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here so other commands do not pay for ftfy/rapidfuzz at start-up.
    from generator.transcript import clean, ingest, max_bytes_of, report, report_lines

    raw = ingest(Path(args.file), max_bytes=max_bytes_of(settings))
    episode = clean(raw)
    doc = report(episode, utterances=args.utterances, fragments=len(raw.utterances))
    if args.json:
        emit_json(doc)
    else:
        print("\n".join(report_lines(doc)))
    return EXIT_OK


def cmd_segment(args: argparse.Namespace, settings: Settings) -> int:
    from generator import pipeline
    from generator.topics import as_json, segment
    from generator.transcript import load_episode

    progress = progress_of(args)
    episode = load_episode(Path(args.file), settings)
    # Reuse embeddings across runs only where the user already has a state/ folder.
    embedder = pipeline.make_embedder(settings)
    segments = segment(
        episode, min_segment_s=settings.segment.min_segment_s, embedder=embedder, progress=progress
    )
    if not segments:
        raise NewsletterError(_("aucune parole à découper"), path=args.file)
    llm_doc = None
    if settings.resolved_backend == "openai" and settings.segment.refine:
        # Optional: a model checks boundaries and titles; the offline segmentation is the fallback.
        from generator import llm
        from generator.nightly import Ledger
        from generator.topics import model_pass, refine

        with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
            backend = llm.make_backend(settings, ledger)
            prompts = pipeline.prompt_registry(settings)
            # First where the subjects change (numbered blocks, one call per hour), then the check.
            found = model_pass(episode, segments, backend=backend, prompts=prompts, progress=progress)
            result = refine(episode, found.segments, backend=backend, prompts=prompts, progress=progress)
        segments = result.segments
        llm_doc = {
            "model": result.model,
            "refined": result.refined,
            "fallback": result.warning,
            "prompt": result.prompt.__dict__ if result.prompt else None,
            "tokens": {"input": result.usage.input, "output": result.usage.output},
            "blocks": {"calls": found.calls, "changes": len(found.changes), "fallback": found.failed},
        }
        if result.warning and not args.json:
            print(
                _(
                    "newsletter : attention : {file} : découpage hors ligne conservé ({warning})",
                    file=args.file,
                    warning=result.warning,
                ),
                file=sys.stderr,
            )
    doc: dict[str, Any] = {"segments": as_json(segments)}
    if llm_doc is not None:
        doc["llm"] = llm_doc
    if args.json:
        emit_json(doc)
        return EXIT_OK
    for s in segments:
        if s.start is not None:
            print(f"{s.start + '-' + s.end:>17}  {s.kind:<10} {s.title}")
        else:  # untimed: the estimated start, the sentence range and the first words as written
            span = f"{s.approx_start} #{s.first}-{s.last - 1}"
            print(f"{span:>17}  {s.kind:<10} {s.title}  « {s.start_text} »")
    return EXIT_OK
