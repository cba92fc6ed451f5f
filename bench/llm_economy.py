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
import os
import re
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fake_llm_server import FakeLLMServer  # noqa: E402

from generator.config import DEFAULT_BATCH_PRICES, DEFAULT_PRICES, load_settings  # noqa: E402
from generator.llm import (  # noqa: E402
    LLMRequest,
    LLMResult,
    estimate,
    make_backend,
    run_parallel,
    tokens,  # noqa: E402
)
from generator.llm.prompts import PromptRegistry  # noqa: E402
from generator.model import Usage  # noqa: E402
from generator.nightly.ledger import Ledger  # noqa: E402

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


_MARK = re.compile(r"\[\d\d?:\d\d(?::\d\d)?\]\s*")
EPISODE_MODELS = ("gpt-4o-mini", "gpt-4.1-nano", "mistral-small-latest")  # three small models priced
BATCH_MODELS = ("gpt-4o-mini", "gpt-4.1-nano", "gpt-4.1-mini")  # three models OpenAI's Batch API serves


def honest_answer(body: dict) -> dict:
    """A valid, grounded answer of realistic length: real sentences of the topic, its title order."""
    user = body["messages"][-1]["content"]
    if "<resumes>" in user:
        return {
            "title": "Ce que la semaine a montré",
            "intro": "Cette semaine, l'émission a traité plusieurs sujets que voici, dans l'ordre.",
            "closing": "Bonne lecture, et à la semaine prochaine.",
            "order": [int(i) for i in re.findall(r"^\[(\d+)\]", user, re.MULTILINE)],
        }
    # Any prompt version: the transcript between its tags, time marks removed, cut into sentences.
    text = _MARK.sub("", user.split("<transcription>")[-1].split("</transcription>")[0])
    sentences = re.split(r"(?<=[.!?])\s+", text)
    lines = [t.strip() for t in sentences if 8 <= len(t.split()) <= 40] or ["Un sujet de l'émission."]
    return {
        "title": "Un sujet de l'émission",
        "summary": " ".join(lines[:4]),
        "key_points": lines[:3],
        "quotes": [{"text": t} for t in lines[:2]],
        "entities": [],
    }


def bench_episodes(files: list[Path]) -> None:
    """The real pipeline per episode against the fake server: ratio, calls, parallel, re-run, cost."""
    from generator import pipeline
    from generator.llm import cost
    from generator.topics.embeddings import USEEmbedder

    embedder = USEEmbedder(cache_dir=None)
    fake = FakeLLMServer(base_latency=0.3, per_token_latency=0.005, responder=honest_answer).start()
    fake.models = ("gpt-4o-mini",)
    rows, costs, batch_costs = [], [], []
    try:
        for path in files:
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                (folder / "state").mkdir()

                def settings(conc: int, folder: Path = folder):
                    return load_settings(
                        env={"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "bench"},
                        cwd=folder,
                        overrides={
                            "llm": {"model": "gpt-4o-mini", "timeout": 60, "max_concurrency": conc},
                            "paths": {"outbox": folder / "outbox", "state": folder / "state"},
                        },
                    )

                def once(conc: int, ledger: Ledger | None, path: Path = path) -> tuple[float, int, object]:
                    s = settings(conc)
                    before = len(fake.chat_requests)
                    backend = make_backend(s, ledger, no_cache=ledger is None)
                    result = pipeline.generate([path], pipeline.build_tools(s, backend, embedder=embedder))
                    wall = result.provenance.timings["summarise"] + result.provenance.timings["compose"]
                    return wall, len(fake.chat_requests) - before, result

                once(1, None)  # warm-up: embeddings of this episode computed once, outside the timings
                seq, calls, result = once(1, None)
                par, _, _ = once(4, None)
                with Ledger(folder / "state" / "ledger.sqlite") as ledger:
                    once(4, ledger)
                    _, rerun_calls, rerun = once(4, ledger)
            usage = result.provenance.usage
            prepared = result.prepared[0]
            # Counted by the server's own tokenizer, like usage.input, so the ratio compares like with like.
            transcript = fake.count(" ".join(u.text for u in prepared.episode.utterances))
            rows.append(
                row(
                    path.name,
                    f"{prepared.episode.duration_s / 60:.0f} min",
                    f"{transcript:,}",
                    calls,
                    f"{usage.input:,}",
                    f"{usage.input / transcript:.2f}",
                    f"{usage.output:,}",
                    f"{seq:.2f} s",
                    f"{par:.2f} s",
                    f"{seq / par:.1f}x",
                    f"{rerun_calls} calls, {rerun.provenance.usage.input + rerun.provenance.usage.output} tokens",
                )
            )
            hour = 3600 / prepared.episode.duration_s
            scaled = Usage(input=round(usage.input * hour), output=round(usage.output * hour))
            costs.append(
                row(
                    path.name,
                    f"{scaled.input:,} / {scaled.output:,}",
                    *(f"${cost(scaled, m, DEFAULT_PRICES):.4f}" for m in EPISODE_MODELS),
                )
            )
            batched = replace(scaled, batch_input=scaled.input, batch_output=scaled.output)
            batch_costs.append(
                row(
                    path.name,
                    *(
                        f"${cost(scaled, m, DEFAULT_PRICES):.4f} / ${cost(batched, m, DEFAULT_PRICES, DEFAULT_BATCH_PRICES):.4f}"
                        for m in BATCH_MODELS
                    ),
                )
            )
    finally:
        fake.stop()
    print("### Whole episodes through `pipeline.generate` (fake server, 300 ms + 5 ms/output token)\n")
    print(
        "LLM time = summarise + compose stages; sequential = max_concurrency 1, parallel = 4; "
        "re-run = same input again with the ledger's cache (what reached the server). "
        "Tokens as the fake server counts them (tiktoken cl100k_base).\n"
    )
    print(
        row(
            "episode",
            "length",
            "transcript tokens",
            "calls",
            "input tokens",
            "input / transcript",
            "output tokens",
            "LLM time sequential",
            "LLM time parallel",
            "speed-up",
            "unchanged re-run",
        )
    )
    print(row(*["---"] * 11))
    print("\n".join(rows))
    print()
    print("### Estimated cost per one-hour episode (tokens scaled by 3600 s / episode length)\n")
    print(row("from episode", "tokens in / out per hour", *EPISODE_MODELS))
    print(row(*["---"] * (2 + len(EPISODE_MODELS))))
    print("\n".join(costs))
    print()
    print("### The same hour, synchronous / through the Batch API (`[llm] batch = true`, half price)\n")
    print(row("from episode", *BATCH_MODELS))
    print(row(*["---"] * (1 + len(BATCH_MODELS))))
    print("\n".join(batch_costs))
    print()


LOCAL_MODEL = "qwen2.5-coder-1.5b-instruct"
# Where ../shared/tools/local-llm installs its venv and model (`local-llm status` prints it).
LOCAL_LLM_HOME = Path(os.environ.get("LOCAL_LLM_HOME") or Path.home() / ".cache" / "local-llm")
# Qwen2.5's chat template: <|im_start|>role\n ... <|im_end|>\n per message, <|im_start|>assistant\n once.
QWEN_PER_MESSAGE, QWEN_PER_REQUEST = 5, 3
PROMPT_SETS = {
    "v1 (before)": {"summarise_segment": 1, "compose_edition_cybernetica": 1},
    "v2 (lean)": {"summarise_segment": 2, "compose_edition_cybernetica": 2},
}
_COUNT_SCRIPT = """
import glob, json, sys
from llama_cpp import Llama
model = Llama(model_path=glob.glob(sys.argv[1] + "/models/*.gguf")[0], vocab_only=True, verbose=False)
texts = json.load(sys.stdin)
print(json.dumps([len(model.tokenize(t.encode(), add_bos=False, special=False)) for t in texts]))
"""


def local_model_counts(texts: list[str], home: Path = LOCAL_LLM_HOME) -> list[int]:
    """Token counts by the local model's own tokenizer (its GGUF vocabulary, loaded without weights)."""
    import subprocess

    done = subprocess.run(
        [str(home / "venv" / "bin" / "python"), "-c", _COUNT_SCRIPT, str(home)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def bench_lean_prompts(files: list[Path]) -> None:
    """Input tokens per spoken token, prompts v1 against v2, counted with the local model's tokenizer."""
    from generator import pipeline
    from generator.topics.embeddings import USEEmbedder

    embedder = USEEmbedder(cache_dir=None)
    fake = FakeLLMServer(responder=honest_answer).start()
    fake.models = (LOCAL_MODEL,)
    runs = []
    try:
        for label, pins in PROMPT_SETS.items():
            for path in files:
                with tempfile.TemporaryDirectory() as tmp:
                    settings = load_settings(
                        env={"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "bench"},
                        cwd=Path(tmp),
                        overrides={
                            "llm": {"model": LOCAL_MODEL, "context_window": 8192, "max_concurrency": 1}
                        },
                    )

                    settings = replace(settings, prompts=pins)
                    before = len(fake.chat_requests)
                    backend = make_backend(settings, None, no_cache=True)
                    result = pipeline.generate(
                        [path], pipeline.build_tools(settings, backend, embedder=embedder)
                    )
                    bodies = [r.body for r in fake.chat_requests[before:]]
                    spoken = " ".join(u.text for u in result.prepared[0].episode.utterances)
                    summaries = result.prepared[0].summaries
                    quality = (
                        summaries.failures,
                        len(result.provenance.rejected_quotes),
                        sum("phrase retirée" in w for s in summaries.summaries for w in s.warnings),
                    )
                    runs.append((label, path, bodies, spoken, quality))
    finally:
        fake.stop()
    texts = [spoken for _, _, _, spoken, _ in runs]
    texts += [m["content"] for _, _, bodies, _, _ in runs for b in bodies for m in b["messages"]]
    counts = iter(local_model_counts(texts))
    spoken_counts = [next(counts) for _ in runs]
    print("### Leaner prompts: input tokens per spoken token (local model's tokenizer, Qwen2.5)\n")
    print(
        "Whole episodes through `pipeline.generate` against the fake server; every request sent counted "
        "with the local model's tokenizer (chat template included); spoken = the cleaned transcript.\n"
    )
    print(
        row(
            "episode",
            "prompts",
            "calls",
            "spoken tokens",
            "input tokens",
            "input / spoken",
            "system prompt",
            "fallbacks / refused quotes / sentences removed",
        )
    )
    print(row(*["---"] * 8))
    for (label, path, bodies, _, quality), spoken in zip(runs, spoken_counts, strict=True):
        per_call = [
            QWEN_PER_REQUEST + sum(QWEN_PER_MESSAGE + next(counts) for _ in b["messages"]) for b in bodies
        ]
        system = max((len(b["messages"][0]["content"]) for b in bodies), default=0)
        print(
            row(
                path.name,
                label,
                len(bodies),
                f"{spoken:,}",
                f"{sum(per_call):,}",
                f"{sum(per_call) / spoken:.3f}",
                f"{system} chars",
                " / ".join(map(str, quality)),
            )
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=16)
    parser.add_argument("--real", metavar="URL", help="also compare token estimates with a real server")
    parser.add_argument("--episodes", nargs="*", type=Path, help="episodes for the per-episode table")
    parser.add_argument("--quick", action="store_true", help="4 units, the shipped sample only")
    parser.add_argument(
        "--lean", action="store_true", help="only the v1/v2 prompt token ratio (local tokenizer)"
    )
    args = parser.parse_args()
    corpus = ROOT.parent / "shared" / "corpus"
    sample = ROOT / "examples" / "emission-exemple.txt"
    episodes = args.episodes or [
        *sorted(p for p in corpus.glob("*.txt") if p.with_suffix(".labels.json").is_file()),
        sample,
    ]
    if args.quick:
        args.units, episodes = 4, [sample]
    if args.lean:
        bench_lean_prompts(episodes)
        return
    bench_tokenizer()
    bench_calls(args.units)
    bench_episodes(episodes)
    if args.real:
        bench_real(args.real)


if __name__ == "__main__":
    main()
