"""Segmentation on the real transcripts of ../shared/real, offline and with the model boundary pass.

    .venv/bin/python bench/real_segmentation.py [--real ../shared/real] [--llm URL] [--llm-model NAME]

Scores each file with `realscore`'s own function (../shared/tools/realscore: reader's boundaries found
within 60 s, or 150 words of the anchor in untimed files; topics per hour; longest topic) and counts
titles a reader would not accept (topics/titles.py `title_problem`). With `--llm`, the model boundary
pass (topics/blocks.py, prompt `segment_blocks`) runs after the offline pass and is scored the same
way: calls, seconds, tokens, and how many hours fell back offline. Files the readers cannot read yet
are listed as such.
"""

from __future__ import annotations

import argparse
import json
import runpy
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.config import Settings, load_settings  # noqa: E402
from generator.errors import NewsletterError  # noqa: E402
from generator.topics.embeddings import USEEmbedder  # noqa: E402
from generator.topics.segmenter import as_json, segment, speaker_names  # noqa: E402
from generator.topics.titles import title_problem  # noqa: E402
from generator.transcript.ingestion import load_episode  # noqa: E402


def _row(name: str, r: dict, titles: list[str], names, extra: str = "") -> str:
    bad = [t for t in titles if title_problem(t.removeprefix("Ouverture : "), names)]
    return (
        f"| {name} | {r['found']}/{r['of']} | {r['topics']} | {r['topics_per_hour']} | {r['longest_min']} "
        f"| {len(bad)}{' (' + '; '.join(bad[:2]) + ')' if bad else ''} |{extra}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "real")
    parser.add_argument("--llm", help="base URL of an OpenAI-compatible server (the model pass)")
    parser.add_argument("--llm-model", default="qwen2.5-coder-1.5b-instruct")
    args = parser.parse_args(argv)
    tool = args.real.parent / "tools" / "realscore"
    if not tool.exists():
        print(f"(no {tool}: nothing to score)")
        return 0
    score = runpy.run_path(str(tool))["score"]
    embedder = USEEmbedder(max_cached=64)
    backend = prompts = None
    if args.llm:
        from generator.llm import PromptRegistry, default_root, make_backend

        tmp = tempfile.mkdtemp()
        settings = load_settings(
            env={"OPENAI_BASE_URL": args.llm, "OPENAI_API_KEY": "local"},
            cwd=Path(tmp),
            overrides={"llm": {"model": args.llm_model, "timeout": 900.0, "max_retries": 0}},
        )
        backend = make_backend(settings, None)
        prompts = PromptRegistry(default_root())
    print(
        "| file | found / reader's | topics | per hour | longest (min) | titles refused |"
        + (
            " with the model: found | topics | longest | titles refused | calls | s | tokens in/out | fell back |"
            if args.llm
            else ""
        )
    )
    print("|---|---:|---:|---:|---:|---|" + ("---:|---:|---:|---|---:|---:|---|---|" if args.llm else ""))
    found = total = found_llm = 0
    for lab in sorted(args.real.glob("*/labels.json")):
        label = json.loads(lab.read_text(encoding="utf-8"))
        src = lab.parent / label["file"]
        source = src.read_text(encoding="utf-8", errors="replace")
        try:
            episode = load_episode(src, Settings())
        except NewsletterError as exc:
            n = len(label.get("boundaries") or label.get("anchors") or [])
            total += n
            print(f"| {label['name']} | not read: {str(exc)[:70]} (0/{n}) | | | | |")
            continue
        offline = segment(episode, embedder=embedder)
        r = score(label, as_json(offline), source)
        found, total = found + r["found"], total + r["of"]
        names = speaker_names(episode)
        extra = ""
        if backend is not None:
            from generator.topics.blocks import model_pass

            t0 = time.perf_counter()
            done = model_pass(episode, offline, backend=backend, prompts=prompts)
            took = time.perf_counter() - t0
            r2 = score(label, as_json(done.segments), source)
            found_llm += r2["found"]
            bad = [
                s.title for s in done.segments if title_problem(s.title.removeprefix("Ouverture : "), names)
            ]
            extra = (
                f" {r2['found']}/{r2['of']} | {r2['topics']} | {r2['longest_min']} | {len(bad)} | {done.calls} "
                f"| {took:.0f} | {done.usage.input}/{done.usage.output} | {len(done.failed)} "
                f"{'(' + done.failed[0][:60] + ')' if done.failed else ''} |"
            )
        print(_row(label["name"], r, [s.title for s in offline], names, extra))
    print(f"\nOffline: {found}/{total} reader's boundaries found ({found / max(total, 1):.0%})")
    if backend is not None:
        print(f"With the model pass: {found_llm}/{total} ({found_llm / max(total, 1):.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
