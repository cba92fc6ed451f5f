"""Quality of the drafts: segmentation, quote faithfulness, name repair, grounding warnings.

    .venv/bin/python bench/quality.py [FILE...] [--llm] [--llm-url URL] [--llm-segments 2] [--quick]

Files: the corpus transcripts in ../shared/corpus (skipped when absent) and the shipped sample.
Each file goes through the real pipeline (ingest, clean, segment, summarise, compose, render, outbox
draft in a temporary folder) with the extractive backend; with `--llm`, also with the LLM backend
when a server answers at --llm-url, NEWSLETTER_TEST_LLM_URL or `../shared/tools/local-llm url`.
A small local model writes ~20 tokens/s, so the LLM run summarises only the first
--llm-segments topics of each file (the compose call sees those).

Tables:
- segmentation, for files with a `.labels.json`: Pk, WindowDiff, boundary F1 within 20 s (same
  metrics and reference as bench/segmentation.py);
- quotes: published quotes (sections + epigraph), how many are verbatim in the cleaned transcript,
  and the error between each quote's timestamp and the time of the raw caption line holding its
  first word (found independently of the pipeline's verifier, by word sequence in the raw lines);
- names: name fixes made by clean, ASR variants of guest names left in the cleaned transcript and
  in the draft (variants from the labels), guests named in the draft and spelled as in the
  description;
- grounding: warnings per draft (draft-level and per section), quotes refused, topics that fell
  back to extractive.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import unicodedata
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from segmentation import TOLERANCE_S, reference  # noqa: E402

from generator import (
    llm,
    pipeline,  # noqa: E402
)
from generator.config import Settings, load_settings  # noqa: E402
from generator.llm.prompts import PromptRegistry, default_root  # noqa: E402
from generator.llm.tokens import get_tokenizer  # noqa: E402
from generator.model import Episode, Quote  # noqa: E402
from generator.topics import scoring as segscore
from generator.topics.embeddings import USEEmbedder  # noqa: E402
from generator.topics.segmenter import segment as segment_episode  # noqa: E402
from generator.transcript.ingestion import ingest, max_bytes_of  # noqa: E402
from generator.writing import extractive, summariser  # noqa: E402
from generator.writing.quotes import Verifier  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE = ROOT / "examples" / "emission-exemple.txt"
LOCAL_LLM = ROOT.parent / "shared" / "tools" / "local-llm"
LLM_MODEL = "qwen2.5-coder-1.5b-instruct"
_WORD = re.compile(r"\w+")


def default_files() -> list[Path]:
    corpus = sorted(p for p in CORPUS.glob("*.txt") if p.with_suffix(".labels.json").is_file())
    return [*corpus, SAMPLE] if CORPUS.is_dir() else [SAMPLE]


def labels_of(path: Path) -> dict[str, Any] | None:
    labels = path.with_suffix(".labels.json")
    return json.loads(labels.read_text(encoding="utf-8")) if labels.is_file() else None


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(unicodedata.normalize("NFC", text))]


# --------------------------------------------------------------------------- the LLM server


def llm_url(explicit: str | None) -> str | None:
    """The first reachable server among --llm-url, NEWSLETTER_TEST_LLM_URL, `local-llm url`."""
    candidates = [explicit, os.environ.get("NEWSLETTER_TEST_LLM_URL")]
    if LOCAL_LLM.is_file():
        try:
            out = subprocess.run([str(LOCAL_LLM), "url"], capture_output=True, text=True, timeout=10)
            candidates.append(out.stdout.strip() if out.returncode == 0 else None)
        except (OSError, subprocess.TimeoutExpired):
            pass
    for url in filter(None, candidates):
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/models", timeout=5):
                return url
        except OSError:
            continue
    return None


# ------------------------------------------------------------------------------ one draft


@dataclass
class Draft:
    """What one pipeline run produced, with the episode as cleaned and the raw fragments."""

    path: Path
    backend: str
    raw: Episode
    episode: Episode
    result: pipeline.GenerateResult
    markdown: str
    topics: int


def make_draft(
    path: Path,
    settings: Settings,
    folder: Path,
    *,
    embedder: USEEmbedder,
    backend: llm.Backend | None = None,
    cap: int | None = None,
) -> Draft:
    """The real stages on one file; with `cap`, only the first `cap` topics are summarised."""
    tokenizer = get_tokenizer(getattr(backend, "model", None) or settings.llm.model)
    prompts = PromptRegistry(default_root(), settings.prompts) if backend is not None else None
    tools = pipeline.build_tools(settings, backend, prompts=prompts, tokenizer=tokenizer, embedder=embedder)
    timings = pipeline.Timings()
    episode, times = pipeline.load(path, tools, timings)
    segments = segment_episode(episode, min_segment_s=settings.segment.min_segment_s, embedder=embedder)
    topics = [s for s in segments if s.kind in extractive.TOPIC_KINDS]
    kept = topics[:cap] if cap else segments
    calls = None
    if backend is not None:
        budget = (settings.llm.context_window, settings.llm.max_concurrency)
        calls = summariser.ModelCalls(backend, prompts, tokenizer, *budget)
    result = summariser.summarise(
        episode,
        kept,
        calls=calls,
        verifier=Verifier(episode, word_times=times),
        embedder=embedder,
    )
    transcript_tokens = tokenizer.count(" ".join(u.text for u in episode.utterances))
    prepared = pipeline.Prepared(episode, tuple(segments), result, timings.seconds, transcript_tokens)
    out = pipeline.write([prepared], tools)
    assert out.draft is not None
    markdown = (out.draft.path / "newsletter.md").read_text(encoding="utf-8")
    raw = ingest(path, max_bytes=max_bytes_of(settings))
    name = "extractive" if backend is None else f"llm ({backend.model}, {len(kept)} topics)"
    n_topics = sum(s.kind in extractive.TOPIC_KINDS for s in kept)
    return Draft(path, name, raw, episode, out, markdown, n_topics)


# ------------------------------------------------------------------------------- measures


def segmentation_row(path: Path, embedder: USEEmbedder, settings: Settings) -> list[str] | None:
    labels = labels_of(path)
    if labels is None:
        return None
    from generator.transcript.ingestion import load_episode

    episode = load_episode(path, settings)
    segs = segment_episode(episode, min_segment_s=settings.segment.min_segment_s, embedder=embedder)
    hyp = [s.start_s for s in segs[1:] if s.start_s is not None]
    start, end, main, fine = reference(labels)
    k = segscore.default_k(main, start, end)
    return [
        path.name,
        f"{len(main) + 1}",
        f"{len(segs)}",
        f"{segscore.pk(main, hyp, start, end, k):.3f}",
        f"{segscore.windowdiff(main, hyp, start, end, k):.3f}",
        f"{segscore.boundary_f1(main, hyp, TOLERANCE_S, start, end).f1:.2f}",
        f"{segscore.boundary_f1(fine, hyp, TOLERANCE_S, start, end).f1:.2f}",
    ]


def published_quotes(result: pipeline.GenerateResult) -> list[Quote]:
    assert result.edition is not None
    quotes = [q for s in result.edition.sections for q in s.quotes]
    if result.edition.epigraph is not None:
        quotes.append(result.edition.epigraph)
    return quotes


def raw_line_time(raw: Episode, text: str) -> float | None:
    """Time of the raw caption line holding the quote's first word (word-sequence search).

    Tries the whole quote, then its first 5 words, then its last 5 (a repaired name or mojibake can
    differ from the raw line); returns None when the quote cannot be found in the raw lines.
    """
    stream: list[tuple[str, float | None]] = [(w, u.start_s) for u in raw.utterances for w in words(u.text)]
    tokens = [w for w, _ in stream]
    quote = words(text)
    if not quote:
        return None
    attempts = [(quote, 0), (quote[:5], 0), (quote[-5:], len(quote) - len(quote[-5:]))]
    for needle, offset in attempts:
        n = len(needle)
        for i in range(len(tokens) - n + 1):
            if tokens[i : i + n] == needle:
                j = max(0, i - offset)
                return stream[j][1]
    return None


def quote_row(d: Draft) -> list[str]:
    quotes = published_quotes(d.result)
    speech = " ".join(u.text for u in d.episode.utterances)
    verbatim = sum(q.text in speech for q in quotes)
    errors, unlocated = [], 0
    for q in quotes:
        t = raw_line_time(d.raw, q.text)
        if t is None or q.start_s is None:
            unlocated += 1
        else:
            errors.append(abs(q.start_s - t))
    assert d.result.provenance is not None
    rejected = len(d.result.provenance.rejected_quotes)
    return [
        d.path.name,
        d.backend,
        str(len(quotes)),
        f"{verbatim}/{len(quotes)}" + (f" ({verbatim / len(quotes):.0%})" if quotes else ""),
        f"{len(errors)}/{len(quotes)}",
        f"{statistics.median(errors):.1f}" if errors else "-",
        f"{max(errors):.1f}" if errors else "-",
        str(rejected),
    ]


def count(text: str, name: str) -> int:
    return len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", text))


def names_row(d: Draft) -> list[str]:
    labels = labels_of(d.path)
    guests = labels["guests"] if labels else [{"name": g.name, "asr_variants": []} for g in d.episode.guests]
    described = {g.name for g in d.episode.guests}
    cleaned = " ".join(u.text for u in d.episode.utterances)
    variants = [v for g in guests for v in g.get("asr_variants", []) if v and v != g["name"]]
    fixes = d.episode.name_fixes
    named = [g["name"] for g in guests if count(d.markdown, g["name"])]
    return [
        d.path.name,
        d.backend,
        f"{sum(g['name'] in described for g in guests)}/{len(guests)}",
        f"{len(fixes)} ({sum(f.count for f in fixes)} replacements)",
        f"{sum(count(cleaned, v) for v in variants)}" if variants else "n/a",
        f"{len(named)}/{len(guests)}",
        f"{sum(count(d.markdown, v) for v in variants)}" if variants else "n/a",
    ]


def grounding_row(d: Draft) -> list[str]:
    result = d.result
    assert result.edition is not None and result.provenance is not None
    sections = result.edition.sections
    section_warnings = sum(len(s.warnings) for s in sections)
    failed = len(result.provenance.extra.get("failed_segments", []))
    return [
        d.path.name,
        d.backend,
        str(len(sections)),
        str(len(result.provenance.warnings)),
        str(section_warnings),
        f"{failed}/{d.topics}",
        str(result.provenance.usage.calls),
    ]


def warnings_of(d: Draft) -> list[str]:
    """Draft-level then section-level warnings of one draft."""
    assert d.result.edition is not None and d.result.provenance is not None
    return [*d.result.provenance.warnings, *(w for s in d.result.edition.sections for w in s.warnings)]


# ---------------------------------------------------------------------------------- output


def table(title: str, head: list[str], rows: list[list[str]]) -> None:
    print(f"### {title}\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()


def settings_for(folder: Path, url: str | None = None) -> Settings:
    env = {}
    if url:
        env = {
            "OPENAI_BASE_URL": url,
            "OPENAI_API_KEY": "local-llm",
            "NEWSLETTER_MODEL": LLM_MODEL,
            "NEWSLETTER_CONTEXT_WINDOW": "8192",
            "NEWSLETTER_MAX_CONCURRENCY": "1",  # the local server runs one request at a time
            "NEWSLETTER_TIMEOUT": "900",
        }
    return load_settings(
        env=env, cwd=folder, overrides={"paths": {"outbox": folder / "outbox", "state": folder / "state"}}
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--llm", action="store_true", help="also run the LLM backend when a server answers")
    parser.add_argument("--llm-url", help="OpenAI-compatible base URL (default: env or local-llm)")
    parser.add_argument("--llm-segments", type=int, default=2, help="topics summarised per file by the LLM")
    parser.add_argument(
        "--llm-files", type=int, default=0, help="only the first N files with the LLM (0: all)"
    )
    parser.add_argument("--quick", action="store_true", help="the shipped sample only (smoke test)")
    parser.add_argument(
        "--pin",
        action="append",
        default=[],
        metavar="ID=N",
        help="LLM run: pin a prompt version (repeatable)",
    )
    args = parser.parse_args(argv)
    pins = {k: int(v) for k, v in (p.split("=", 1) for p in args.pin)}
    files = [SAMPLE] if args.quick else (args.files or default_files())
    embedder = USEEmbedder(cache_dir=None)
    url = llm_url(args.llm_url) if args.llm else None
    if args.llm and url is None:
        print(
            "LLM backend: no server reachable (--llm-url, NEWSLETTER_TEST_LLM_URL, local-llm url); skipped.\n"
        )

    drafts: list[Draft] = []
    seg_rows: list[list[str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        offline = settings_for(folder)
        for path in files:
            row = segmentation_row(path, embedder, offline)
            if row:
                seg_rows.append(row)
            drafts.append(make_draft(path, offline, folder, embedder=embedder))
        if url:
            online = settings_for(folder, url)
            online = dataclasses.replace(online, prompts={**online.prompts, **pins})
            backend = llm.make_backend(online, None, no_cache=True)
            for path in files[: args.llm_files or None]:
                drafts.append(
                    make_draft(
                        path, online, folder, embedder=embedder, backend=backend, cap=args.llm_segments
                    )
                )

    if seg_rows:
        table(
            f"Segmentation against the labels (Pk/WD k = half the mean reference segment, F1 within {TOLERANCE_S:.0f} s)",
            ["file", "ref segments", "our segments", "Pk", "WindowDiff", "F1", "F1 (+fine)"],
            seg_rows,
        )
    table(
        "Published quotes: verbatim in the cleaned transcript, timestamp error vs the raw caption line",
        [
            "file",
            "backend",
            "quotes",
            "verbatim",
            "located in raw",
            "median error s",
            "max error s",
            "refused",
        ],
        [quote_row(d) for d in drafts],
    )
    table(
        "Names: description spelling vs speech-recognition variants (variants from the labels)",
        [
            "file",
            "backend",
            "guests in metadata",
            "name fixes",
            "variants left in cleaned text",
            "guests named in draft",
            "variants in draft",
        ],
        [names_row(d) for d in drafts],
    )
    table(
        "Grounding: warnings per draft",
        [
            "file",
            "backend",
            "sections",
            "draft warnings",
            "section warnings",
            "topics fallen back",
            "LLM calls",
        ],
        [grounding_row(d) for d in drafts],
    )
    listed = [(d, w) for d in drafts for w in warnings_of(d)]
    if listed:
        print("Warnings, as recorded in the drafts:\n")
        for d, w in listed:
            print(f"- {d.path.name}, {d.backend}: {w[:200]}")
        print()


if __name__ == "__main__":
    main()
