"""A draft worth sending (issue 14): how the offline draft reads, and what the claim check lets through.

    .venv/bin/python bench/draft.py [--quick] [--llm-url URL]

Four tables, printed as Markdown:
1. offline drafts (`generate --backend extractive`) of our invented show (tests/fixtures/writing,
   33 min of spoken French with tics, fillers, stutters, an aside, an ad and injection lines) and of
   the corpus shows: sections, their kinds, lengths and order, and the sentences a reader sees;
2. the claim check on a labelled set made on the fly from the corpus and our show (never stored):
   supported sentences (the hand summaries of each labelled segment, and the segment's own
   informative sentences tidied) against invented plausible claims about the segment's own entities;
   precision and recall of the removal, and the time per sentence;
3. `generate` against the fake model of tests/claim_mix.py (supported sentences mixed with inventions);
4. an unchanged re-run after model failures: tokens and calls of the second run.
With --llm-url, also table 3 with a real local OpenAI-compatible model (its own claims, unlabelled:
how many of its summary sentences the check removed, with the reasons).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from claim_mix import INVENTED, ClaimMix, entities  # noqa: E402
from draft_checks import offline_metrics, words  # noqa: E402
from fake_llm_server import FakeLLMServer  # noqa: E402

from generator.cli import main  # noqa: E402
from generator.transcript.cleaning import clean  # noqa: E402
from generator.transcript.ingestion import ingest  # noqa: E402
from generator.writing import grounding, tidy  # noqa: E402
from generator.writing.claims import Checker  # noqa: E402
from generator.writing.summariser import metadata_texts  # noqa: E402

OURS = ROOT / "tests" / "fixtures" / "writing" / "circuits-courts-2025-10-14.txt"
CORPUS = ROOT.parent / "shared" / "corpus"
_ENV = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "NEWSLETTER_BACKEND", "NEWSLETTER_MODEL")


def shows(quick: bool) -> list[Path]:
    corpus = (
        [] if quick else sorted(p for p in CORPUS.glob("*.txt") if p.with_suffix(".labels.json").exists())
    )
    return [OURS, *corpus]


def labels_of(path: Path) -> dict[str, Any]:
    return json.loads(path.with_suffix(".labels.json").read_text(encoding="utf-8"))


@contextlib.contextmanager
def workdir(env: dict[str, str]) -> Iterator[Path]:
    """A fresh folder as the current directory, with exactly these LLM variables set."""
    keys = (*_ENV, "NEWSLETTER_MAX_RETRIES", "NEWSLETTER_MAX_CONCURRENCY", "NEWSLETTER_CONTEXT_WINDOW")
    keys += ("NEWSLETTER_TIMEOUT",)
    old_cwd, old_env = Path.cwd(), {k: os.environ.get(k) for k in keys}
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        for k in old_env:
            os.environ.pop(k, None)
        os.environ.update(env)
        try:
            yield Path(tmp)
        finally:
            os.chdir(old_cwd)
            for k, v in old_env.items():
                os.environ.pop(k, None)
                if v is not None:
                    os.environ[k] = v


def generate(path: Path, *extra: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """`newsletter generate --json` in process; (its JSON, newsletter.md, draft.json)."""
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["generate", str(path), "--json", "-q", *extra])
    assert code == 0, f"generate failed on {path.name}"
    doc = json.loads(buf.getvalue())
    folder = Path(doc["path"])
    md = (folder / "newsletter.md").read_text(encoding="utf-8")
    return doc, md, json.loads((folder / "draft.json").read_text(encoding="utf-8"))


def table(headers: list[str], rows: list[list[Any]]) -> None:
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print()


# ------------------------------------------------------------------------------------------ 1. offline


def offline_table(paths: list[Path]) -> None:
    print("### Offline drafts\n")
    rows = []
    with workdir({}):
        for path in paths:
            doc, md, _meta = generate(path, "--backend", "extractive")
            m = offline_metrics(doc, md, clean(ingest(path)), labels_of(path))
            rows.append(
                [
                    path.stem,
                    m["sections"],
                    m["per_hour"],
                    m["not_topic"],
                    m["under_90s"],
                    "yes" if m["in_show_order"] else "no",
                    m["titles_cut"],
                    "yes" if m["show_named"] else "no",
                    m["sentences"],
                    m["not_word_deletions"],
                    m["over_45_words"],
                    f"{m['tic_openings_pct']} %",
                    m["fillers_per_100_words"],
                    m["injection_lines_in_md"],
                ]
            )
    table(
        [
            "show",
            "sections",
            "per hour",
            "not topic",
            "< 90 s",
            "show order",
            "titles cut",
            "show named",
            "sentences",
            "not deletions",
            "> 45 words",
            "tic openings",
            "fillers /100 w",
            "injection lines",
        ],
        rows,
    )
    print("Targets: sections 3-8 per hour, 0 not topic, 0 under 90 s, show order, 0 titles cut, show named,")
    print("0 sentences that are not the transcript with words deleted, 0 over 45 words, ≤ 10 % tic openings,")
    print("≤ 1 filler per 100 words, 0 injection lines. Sentences: summaries and key points.\n")


# --------------------------------------------------------------------------------------- 2. claim check


def _seconds(stamp: str) -> float:
    parts = [int(p) for p in str(stamp).split(":")]
    return float(sum(p * 60**i for i, p in enumerate(reversed(parts))))


def _checker(ep: Any, seg: dict[str, Any]) -> tuple[Checker, list[Any]]:
    a = float(seg["start_s"]) if "start_s" in seg else _seconds(seg["start"])
    b = float(seg["end_s"]) if "end_s" in seg else _seconds(seg["end"])
    utts = [u for u in ep.utterances if u.start_s is not None and a <= u.start_s < b]
    source = " ".join(u.text for u in utts)
    return Checker(source, known=ep.known_names, extra=metadata_texts(ep)), utts


def hand_set() -> list[tuple[Checker, str, bool, str]]:
    """Our show's hand-labelled claims: paraphrases a faithful model could write, and inventions."""
    ep = clean(ingest(OURS))
    labels = labels_of(OURS)
    data = json.loads(OURS.with_suffix(".claims.json").read_text(encoding="utf-8"))
    out = []
    for c in data["claims"]:
        checker, _ = _checker(ep, labels["segments"][c["segment"]])
        origin = "ours: paraphrase (hand)" if c["supported"] else "ours: invented (hand)"
        out.append((checker, c["sentence"], bool(c["supported"]), origin))
    return out


def labelled_set(paths: list[Path]) -> list[tuple[Checker, str, bool, str]]:
    """(checker of the segment, sentence, supported?, origin) for every labelled topic segment."""
    items: list[tuple[Checker, str, bool, str]] = hand_set()
    for path in paths:
        if path == OURS:
            continue
        ep = clean(ingest(path))
        labels = labels_of(path)
        for k, seg in enumerate(labels["segments"]):
            if seg["kind"] not in ("topic", "interview"):
                continue
            checker, utts = _checker(ep, seg)
            hand = grounding.sentences(seg.get("summary_fr", ""))
            own = [p for u in utts for p in tidy.pieces(u.text) if tidy.informative(p, ep.known_names)]
            own = own[:: max(1, len(own) // 6)][:6]
            items += [(checker, s, True, "corpus: labels' summary") for s in hand]
            items += [(checker, s, True, "corpus: transcript, tidied") for s in own]
            names = entities([u.text for u in utts]) or ["Le gouvernement"]
            names = [n for n in names if n.lower() not in ("smart", "tech")] or names
            for j, template in enumerate(INVENTED):
                x, y = names[(j + k) % len(names)], names[(j + k + 1) % len(names)]
                items.append((checker, template.format(a=x, b=y), False, "corpus: invented (templates)"))
    return items


def claims_table(paths: list[Path]) -> None:
    print("### Claim check on a labelled set\n")
    items = labelled_set(paths)
    started = time.perf_counter()
    verdicts = [(c.reason(s) is None, truth, origin) for c, s, truth, origin in items]
    per = (time.perf_counter() - started) / max(len(items), 1) * 1000
    rows = []
    for origin in dict.fromkeys(v[2] for v in verdicts):
        mine = [v for v in verdicts if v[2] == origin]
        kept = sum(v[0] for v in mine)
        rows.append([origin, "supported" if mine[0][1] else "invented", len(mine), kept, len(mine) - kept])
    table(["sentences", "truth", "count", "kept", "removed"], rows)
    for name, subset in (
        ("our show (hand-labelled)", [v for v in verdicts if v[2].startswith("ours")]),
        (
            "corpus (labels' summaries, tidied transcript, templates)",
            [v for v in verdicts if v[2].startswith("corpus")],
        ),
        ("all", verdicts),
    ):
        if not subset:
            continue
        removed_invented = sum(1 for kept, truth, _ in subset if not kept and not truth)
        removed = sum(1 for kept, _, _ in subset if not kept)
        invented = sum(1 for _, truth, _ in subset if not truth)
        supported = [v for v in subset if v[1]]
        kept = sum(v[0] for v in supported)
        print(
            f"- {name}: removal of invented claims precision {removed_invented / max(removed, 1):.2f}, "
            f"recall {removed_invented / max(invented, 1):.2f}; supported kept {kept}/{len(supported)} "
            f"({kept / max(len(supported), 1):.0%})"
        )
    print(f"\n{per:.2f} ms per sentence (checker built once per segment).\n")


# -------------------------------------------------------------------------------------- 3-4. with a model


def _published(sentence: str, md: str) -> bool:
    return " ".join(words(sentence)) in " ".join(words(md))


def fake_model_table(paths: list[Path]) -> None:
    print("### With a test model mixing supported and invented claims (tests/claim_mix.py)\n")
    rows = []
    for path in paths:
        server = FakeLLMServer().start()
        mix = ClaimMix()
        server.responder = mix
        env = {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "bench",
            "NEWSLETTER_MODEL": "fake-model",
            "NEWSLETTER_MAX_RETRIES": "0",
        }
        try:
            with workdir(env):
                _doc, md, meta = generate(path, "--no-cache")
        finally:
            server.stop()
        rec = mix.record
        leaked = sum(_published(s, md) for s in rec.invented)
        kept = sum(_published(s, md) for s in rec.supported)
        injected = sum(_published(s, md) for s in rec.injected)
        rows.append(
            [path.stem, len(rec.invented), leaked, len(rec.supported), kept, len(meta["removed"]), injected]
        )
    table(
        [
            "show",
            "invented proposed",
            "invented published",
            "supported proposed",
            "supported published",
            "removed (draft.json)",
            "injection lines published",
        ],
        rows,
    )


def rerun_table() -> None:
    print("### An unchanged re-run after model failures\n")
    server = FakeLLMServer().start()
    server.responder = ClaimMix()
    server.script("malformed", "malformed", "malformed", "malformed")  # two topics fail twice each
    env = {
        "OPENAI_BASE_URL": server.base_url,
        "OPENAI_API_KEY": "bench",
        "NEWSLETTER_MODEL": "fake-model",
        "NEWSLETTER_MAX_RETRIES": "0",
        "NEWSLETTER_MAX_CONCURRENCY": "1",  # the scripted failures meet the first two topics
    }
    rows = []
    try:
        with workdir(env):
            for label, extra in (
                ("first run", ()),
                ("unchanged re-run", ()),
                ("--retry-failed", ("--retry-failed",)),
            ):
                before = len(server.chat_requests)
                doc, _md, meta = generate(OURS, *extra)
                rows.append(
                    [
                        label,
                        len(server.chat_requests) - before,
                        doc["tokens"]["input"],
                        doc["tokens"]["output"],
                        len(meta["extra"]["failed_segments"]),
                    ]
                )
    finally:
        server.stop()
    table(["run", "calls", "input tokens", "output tokens", "topics failed"], rows)


def local_llm_table(url: str, paths: list[Path]) -> None:
    print(f"### With a real local model ({url})\n")
    rows = []
    env = {
        "OPENAI_BASE_URL": url,
        "OPENAI_API_KEY": "local-llm",
        "NEWSLETTER_MODEL": "qwen2.5-coder-1.5b-instruct",
        "NEWSLETTER_CONTEXT_WINDOW": "8192",
        "NEWSLETTER_MAX_CONCURRENCY": "1",  # the local server runs one request at a time
        "NEWSLETTER_TIMEOUT": "900",
    }
    reasons: dict[str, int] = {}
    for path in paths:
        with workdir(env):
            doc, _md, meta = generate(path)
        written = sum(len(grounding.sentences(s["summary"])) + len(s["key_points"]) for s in doc["sections"])
        for r in meta["removed"]:
            key = re.sub(r"[«(].*", "", r["reason"]).strip(" :")
            reasons[key] = reasons.get(key, 0) + 1
        failed = len(meta["extra"]["failed_segments"])
        rows.append([path.stem, doc["model"], written, len(meta["removed"]), failed, doc["tokens"]["input"]])
        for r in meta["removed"]:
            print(f"- removed ({r['field']}): {r['sentence']} — {r['reason']}")
    print()
    table(
        ["show", "model", "sentences published", "sentences removed", "topics failed", "input tokens"], rows
    )
    print(
        "Reasons: "
        + "; ".join(f"{k} ({v})" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))
        + "\n"
    )


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="our show only")
    parser.add_argument("--llm-url", help="also run against this OpenAI-compatible server")
    parser.add_argument("--llm-ours", action="store_true", help="with --llm-url: our show only")
    args = parser.parse_args()
    paths = shows(args.quick)
    offline_table(paths)
    claims_table(paths)
    fake_model_table(paths)
    rerun_table()
    if args.llm_url:
        local_llm_table(args.llm_url, [OURS] if args.llm_ours else paths)


if __name__ == "__main__":
    main_bench()
