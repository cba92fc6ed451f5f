"""`newsletter generate`: offline wall time and quote faithfulness per episode; LLM token economy.

    .venv/bin/python bench/generate.py [FILE...] [--llm URL] [--model M] [--ctx 8192]

Without FILE: the corpus transcripts in ../shared/corpus (skipped when absent) and the shipped sample.
Each run is a fresh `newsletter generate --json` process in a temporary folder (wall time includes
Python start-up and the embedding model load). `--llm URL` (e.g. `$(../shared/tools/local-llm url)`)
adds one LLM run per file and checks input tokens <= 1.3 x transcript tokens + 2,000 per call.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.model import Quote  # noqa: E402
from generator.transcript.cleaning import clean  # noqa: E402
from generator.transcript.ingestion import ingest  # noqa: E402
from generator.writing.quotes import Verifier  # noqa: E402

NEWSLETTER = ROOT / ".venv" / "bin" / "newsletter"
CORPUS = ROOT.parent / "shared" / "corpus"


def run(path: Path, env: dict[str, str]) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        out = subprocess.run(
            [str(NEWSLETTER), "generate", str(path), "--json", "-q", "--no-cache"],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"{path}: generate failed: {out.stderr.strip()}")
    return wall, json.loads(out.stdout)


def faithfulness(path: Path, doc: dict) -> tuple[int, int, float]:
    """(verbatim quotes, quotes, worst distance in s between a quote's time and its caption line)."""
    raw = ingest(path)
    speech = " ".join(u.text.strip() for u in clean(raw).utterances)
    lines = Verifier(raw)
    verbatim, worst = 0, 0.0
    for q in doc["quotes"]:
        verbatim += q["text"] in speech
        line = lines.verify(q["text"])
        if isinstance(line, Quote) and q["start_s"] is not None and line.start_s is not None:
            worst = max(worst, abs(q["start_s"] - line.start_s))
        else:
            worst = float("inf")
    return verbatim, len(doc["quotes"]), worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--llm", metavar="URL")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--ctx", type=int, default=8192)
    args = parser.parse_args()
    corpus = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
    files = args.files or [*corpus, ROOT / "examples" / "emission-exemple.txt"]
    files = [f for f in files if not f.name.startswith("cybernetica")]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NEWSLETTER_"))}

    print(
        "| file | backend | wall s | sections | quotes verbatim | worst quote time error s | rejected | calls | input tokens | transcript tokens | budget 1.3T+2000/call | ratio in/T |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for path in files:
        runs = [("extractive", base)]
        if args.llm:
            runs.append(
                (
                    "openai",
                    {
                        **base,
                        "OPENAI_BASE_URL": args.llm,
                        "OPENAI_API_KEY": "local-llm",
                        "NEWSLETTER_MODEL": args.model,
                        "NEWSLETTER_CONTEXT_WINDOW": str(args.ctx),
                        "NEWSLETTER_MAX_CONCURRENCY": "1",
                        "NEWSLETTER_TIMEOUT": "900",
                    },
                )
            )
        for name, env in runs:
            wall, doc = run(path, env)
            verbatim, total, worst = faithfulness(path, doc)
            tokens = doc["tokens"]["input"]
            transcript = sum(e["transcript_tokens"] for e in doc["episodes"])
            budget = 1.3 * transcript + 2000 * doc["calls"]
            ratio = f"{tokens / transcript:.2f}" if tokens else "-"
            print(
                f"| {path.name} | {name} | {wall:.1f} | {len(doc['sections'])} | {verbatim}/{total} | "
                f"{worst:.1f} | {len(doc['rejected_quotes'])} | {doc['calls']} | {tokens} | {transcript} | "
                f"{budget:.0f} | {ratio} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
