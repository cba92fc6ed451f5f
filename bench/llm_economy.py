"""LLM economy: token counting speed, parallel calls, cache savings, dry-run accuracy.

    .venv/bin/python bench/llm_economy.py [--units 16] [--real URL]

Calls go to tests/fake_llm_server.py on 127.0.0.1 with a latency of 300 ms + 5 ms per output token
(a hosted model's order of magnitude), so the figures measure our layer, not a model. `--real URL`
(e.g. `$(../shared/tools/local-llm url)`) adds how far our offline token estimate is from a real
server's own count (prompt only, 1 output token per call).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fake_llm_server import FakeLLMServer  # noqa: E402

from generator import tokens  # noqa: E402
from generator.config import DEFAULT_PRICES, load_settings  # noqa: E402
from generator.ledger import Ledger  # noqa: E402
from generator.llm import LLMRequest, LLMResult, estimate, make_backend, run_parallel  # noqa: E402
from generator.model import Usage  # noqa: E402
from generator.prompts import PromptRegistry  # noqa: E402

PROMPT = """\
+++
id = "bench_summary"
version = 1
description = "Prompt de mesure."

[inputs.text]
type = "str"
example = "Texte."
+++
system:
Tu résumes des émissions en français. Réponds en JSON avec title, summary et quotes.
user:
<transcription>
{{ text }}
</transcription>
"""
SCHEMA = {"type": "object", "required": ["title", "summary", "quotes"]}
SENTENCES = [
    "On commence avec les nouvelles puces pour ordinateurs portables, plus sobres et plus rapides.",
    "Notre invitée explique comment les centres de données récupèrent leur chaleur.",
    "Il y a aussi cette histoire de batteries qui durent deux fois plus longtemps en hiver.",
    "Bon, on ne va pas se mentir, le prix reste le vrai sujet pour la plupart des gens.",
    "Et puis la question de la réparation : est-ce qu'on peut encore ouvrir ces machines ?",
]


def french_text(n_chars: int) -> str:
    out, i = [], 0
    while sum(map(len, out)) < n_chars:
        out.append(f"[{i // 60:02d}:{i % 60:02d}] {SENTENCES[i % len(SENTENCES)]}")
        i += 1
    return "\n".join(out)


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def bench_tokenizer() -> None:
    started = time.perf_counter()
    tok = tokens.get_tokenizer("gpt-4o-mini")
    load = time.perf_counter() - started
    text = french_text(1_000_000)
    started = time.perf_counter()
    n = tok.count(text)
    speed = len(text) / (time.perf_counter() - started) / 1e6
    print("### Token counting (offline)\n")
    print(row("tokenizer", "estimated", "load", "1 MB of French text", "speed", "chars/token"))
    print(row("---", "---", "---", "---", "---", "---"))
    print(
        row(
            tok.name,
            tok.estimated,
            f"{load * 1000:.0f} ms",
            f"{n:,} tokens",
            f"{speed:.1f} MB/s",
            f"{len(text) / n:.2f}",
        )
    )
    print()


def bench_calls(units: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "prompts" / "bench_summary"
        root.mkdir(parents=True)
        (root / "v1.md").write_text(PROMPT, encoding="utf-8")
        prompt = PromptRegistry(root.parent).get("bench_summary")
        requests = [
            LLMRequest(prompt.render(text=f"Sujet {i}.\n" + french_text(3000)), SCHEMA, 400)
            for i in range(units)
        ]
        fake = FakeLLMServer(base_latency=0.3, per_token_latency=0.005).start()
        try:
            settings = load_settings(
                env={"OPENAI_BASE_URL": fake.base_url},
                cwd=Path(tmp),
                overrides={"llm": {"model": "gpt-4o-mini", "timeout": 30}},
            )
            fake.models = ("gpt-4o-mini",)
            print(f"### {units} summary calls against the fake server (300 ms + 5 ms/output token)\n")
            print(
                row(
                    "run",
                    "max_concurrency",
                    "wall time",
                    "calls",
                    "tokens in",
                    "tokens out",
                    "cost (gpt-4o-mini)",
                )
            )
            print(row("---", "---", "---", "---", "---", "---", "---"))
            with Ledger(Path(tmp) / "ledger.sqlite") as ledger:
                for label, conc, use_ledger, no_cache in (
                    ("no cache", 1, None, True),
                    ("no cache", 4, None, True),
                    ("first run, cache on", 4, ledger, False),
                    ("re-run, same input", 4, ledger, False),
                ):
                    backend = make_backend(settings, use_ledger, no_cache=no_cache)
                    started = time.perf_counter()
                    results = run_parallel(backend, requests, conc)
                    wall = time.perf_counter() - started
                    assert all(isinstance(r, LLMResult) for r in results), results
                    usage = sum((r.usage for r in results), Usage())
                    from generator.llm import cost

                    print(
                        row(
                            label,
                            conc,
                            f"{wall:.2f} s",
                            usage.calls,
                            f"{usage.input:,}",
                            f"{usage.output:,}",
                            f"${cost(usage, 'gpt-4o-mini', DEFAULT_PRICES):.5f}",
                        )
                    )
                dry = estimate(requests, backend.tokenizer, model="gpt-4o-mini", prices=DEFAULT_PRICES)
                fresh = make_backend(settings, ledger, no_cache=True)
                actual = sum((r.usage for r in run_parallel(fresh, requests, 4)), Usage())
            print()
            print("### Dry run (`--dry-run`) against what the calls then spent\n")
            print(row("", "calls", "tokens in", "tokens out", "cost"))
            print(row("---", "---", "---", "---", "---"))
            print(
                row(
                    "estimate (output = max_tokens bound)",
                    dry["calls"],
                    f"{dry['tokens']['input']:,}",
                    f"{dry['tokens']['output']:,}",
                    f"${dry['cost_estimate']:.5f}",
                )
            )
            print(
                row(
                    "actual",
                    actual.calls,
                    f"{actual.input:,}",
                    f"{actual.output:,}",
                    f"${cost(actual, 'gpt-4o-mini', DEFAULT_PRICES):.5f}",
                )
            )
            print()

            fake.retry_after = "1"
            fake.script("429")
            backend = make_backend(settings, None, no_cache=True)
            started = time.perf_counter()
            backend.complete_json(requests[0])
            print(
                f"One 429 with `Retry-After: 1` then success: {time.perf_counter() - started:.2f} s "
                f"(the client waits as told).\n"
            )
        finally:
            fake.stop()


def bench_real(url: str) -> None:
    tok = tokens.get_tokenizer("qwen2.5-coder-1.5b-instruct")
    print(f"### Offline estimate ({tok.name}) against the real server's prompt_tokens\n")
    print(row("prompt chars", "our estimate", "server count", "difference"))
    print(row("---", "---", "---", "---"))
    for size in (300, 1500, 4000):
        messages = [
            {"role": "system", "content": "Tu résumes en français."},
            {"role": "user", "content": french_text(size)},
        ]
        body = json.dumps(
            {"model": "qwen2.5-coder-1.5b-instruct", "messages": messages, "max_tokens": 1}
        ).encode()
        req = urllib.request.Request(
            url.rstrip("/") + "/chat/completions", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=600) as response:
            server = json.load(response)["usage"]["prompt_tokens"]
        ours = tok.count_messages(messages)
        print(row(size, ours, server, f"{(ours - server) / server:+.1%}"))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=16)
    parser.add_argument("--real", metavar="URL", help="also compare token estimates with a real server")
    args = parser.parse_args()
    bench_tokenizer()
    bench_calls(args.units)
    if args.real:
        bench_real(args.real)


if __name__ == "__main__":
    main()
