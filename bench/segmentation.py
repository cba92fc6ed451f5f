"""Score topic segmentation on every labelled corpus transcript, beside classic baselines.

    .venv/bin/python bench/segmentation.py [--corpus ../shared/corpus] [--no-speed]

Metrics (generator/segscore.py): Pk and WindowDiff on a one-second grid with k = half the mean
reference segment length, boundary F1 within 20 s; against the main boundaries and against the main
plus `alt_boundaries_fine`. Then the time and peak memory of segmenting a one-hour transcript made
by chaining the corpus episodes, in a fresh process (model load included, no embedding cache).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.config import Settings  # noqa: E402
from generator.language import lexicon as french
from generator.model import Episode  # noqa: E402
from generator.topics import cues
from generator.topics import scoring as segscore  # noqa: E402
from generator.topics import segment as segmod  # noqa: E402
from generator.topics.embeddings import USEEmbedder  # noqa: E402
from generator.transcript.ingest import load_episode  # noqa: E402

TOLERANCE_S = 20.0


def seconds(stamp: str) -> float:
    value = 0
    for part in stamp.split(":"):
        value = value * 60 + int(part)
    return float(value)


def reference(labels: dict) -> tuple[float, float, list[float], list[float]]:
    """Span, main boundaries and main+fine boundaries of a labels file."""
    segs = labels["segments"]
    start, end = seconds(segs[0]["start"]), seconds(segs[-1]["end"])
    main = [seconds(s["start"]) for s in segs[1:]]
    fine = sorted(set(main) | {seconds(b) for b in labels.get("alt_boundaries_fine", [])})
    return start, end, main, fine


# ----------------------------------------------------------------------------------- baselines


def texttiling(episode: Episode, w: int = 20, k: int = 10) -> list[float]:
    """Hearst's TextTiling: token-sequence gaps, block cosine, depth scores, cutoff mean - sd/2."""
    tokens: list[tuple[str, float]] = []
    for u in episode.utterances:
        for word in french.words(u.text):
            tokens.append((word.lower(), u.start_s or 0.0))
    seqs = [tokens[i : i + w] for i in range(0, len(tokens), w)]
    if len(seqs) < 2 * k + 1:
        return []
    bags = [Counter(french.stem(t) for t, _ in s if not french.is_stopword(t)) for s in seqs]
    scores = []
    for gap in range(1, len(seqs)):
        left, right = Counter(), Counter()
        for b in bags[max(0, gap - k) : gap]:
            left.update(b)
        for b in bags[gap : gap + k]:
            right.update(b)
        num = sum(left[t] * right[t] for t in left)
        den = math.sqrt(sum(v * v for v in left.values()) * sum(v * v for v in right.values()))
        scores.append(num / den if den else 0.0)
    s = np.convolve(np.array(scores), np.ones(3) / 3, mode="same")  # Hearst's smoothing
    depth = np.zeros(len(s))
    for i in range(len(s)):
        lp = i
        while lp > 0 and s[lp - 1] >= s[lp]:
            lp -= 1
        rp = i
        while rp < len(s) - 1 and s[rp + 1] >= s[rp]:
            rp += 1
        depth[i] = (s[lp] - s[i]) + (s[rp] - s[i])
    cutoff = depth.mean() - depth.std() / 2
    bounds = []
    for i in range(len(s)):
        left_ok = i == 0 or depth[i] >= depth[i - 1]
        right_ok = i == len(s) - 1 or depth[i] > depth[i + 1]
        if depth[i] > cutoff and left_ok and right_ok:
            bounds.append(seqs[i + 1][0][1])
    return sorted(set(bounds))


def equal_lengths(start: float, end: float, n_segments: int) -> list[float]:
    """n_segments equal spans (n given by the reference: an oracle count)."""
    return [start + (end - start) * i / n_segments for i in range(1, n_segments)]


def ours(episode: Episode, embedder: USEEmbedder, settings: Settings) -> list[float]:
    segs = segmod.segment(episode, min_segment_s=settings.segment.min_segment_s, embedder=embedder)
    return [s.start_s for s in segs[1:]]


def ours_without_cues(episode: Episode, embedder: USEEmbedder, settings: Settings) -> list[float]:
    """Ablation: embeddings + lexical cohesion only (every cue pattern disabled)."""
    never = re.compile(r"(?!x)x")
    saved = {name: getattr(cues, name) for name in ("OPENING", "CLOSING", "GREETING", "RUBRIC", "FAREWELL")}
    try:
        for name in saved:
            setattr(cues, name, never)
        return ours(episode, embedder, settings)
    finally:
        for name, value in saved.items():
            setattr(cues, name, value)


def ours_without_lexical(episode: Episode, embedder: USEEmbedder, settings: Settings) -> list[float]:
    """Ablation: embeddings and cues, no lexical cohesion."""
    saved = segmod.LEXICAL_WEIGHT
    segmod.LEXICAL_WEIGHT = 0.0
    try:
        return ours(episode, embedder, settings)
    finally:
        segmod.LEXICAL_WEIGHT = saved


# --------------------------------------------------------------------------------------- speed

SPEED_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from pathlib import Path
from generator.config import Settings
from generator.transcript.ingest import load_episode
episode = load_episode(Path(sys.argv[1]), Settings())
t1 = time.perf_counter()
from generator.topics.embeddings import USEEmbedder
from generator.topics.segment import segment
segments = segment(episode, embedder=USEEmbedder())
t2 = time.perf_counter()
print(json.dumps({"sentences": len(episode.utterances), "duration_s": episode.duration_s,
                  "segments": len(segments), "ingest_clean_s": t1 - t0, "segment_s": t2 - t1,
                  "total_s": t2 - t0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "cpu_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2])}))
"""


def one_hour_transcript(paths: list[Path], target_s: float = 3600.0) -> str:
    """A scraped-format transcript of at least target_s seconds, chaining the corpus episodes."""
    stamp = re.compile(r"^(?:(\d+):)?(\d\d):(\d\d)(\S.*)$")
    lines = ["Transcription"]
    offset = 0.0
    while offset < target_s:
        for path in paths:
            last = 0.0
            for raw in path.read_text(encoding="utf-8").splitlines():
                if raw.strip() in ("Recommandations", "Commentaires"):
                    break
                m = stamp.match(raw.strip())
                if not m or not m.group(4).strip() or m.group(4).strip() == "...":
                    continue
                t = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
                if offset + t > target_s:
                    return "\n".join(lines) + "\n"
                last = max(last, t)
                total = int(offset + t)
                h, rest = divmod(total, 3600)
                lines.append(f"{h}:{rest // 60:02d}:{rest % 60:02d}{m.group(4)}")
            offset += last + 10
            if offset >= target_s:
                break
    return "\n".join(lines) + "\n"


def speed(paths: list[Path], target_s: float = 3600.0, runs: int = 5) -> list[dict]:
    """Run the child `runs` times on a transcript of target_s seconds; one dict per run."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.txt"
        path.write_text(one_hour_transcript(paths, target_s), encoding="utf-8")
        results = []
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, "-c", SPEED_CHILD, str(path)],
                cwd=tmp,
                capture_output=True,
                text=True,
                check=True,
                env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        return results


# ---------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)
    transcripts = sorted(p for p in args.corpus.glob("*.txt") if p.with_suffix(".labels.json").exists())
    if not transcripts:
        print(f"no labelled transcripts under {args.corpus}")
        return 1
    settings = Settings()
    embedder = USEEmbedder()
    methods = {
        "ours": lambda ep, s, e, n: ours(ep, embedder, settings),
        "ours, no host cues": lambda ep, s, e, n: ours_without_cues(ep, embedder, settings),
        "ours, no lexical": lambda ep, s, e, n: ours_without_lexical(ep, embedder, settings),
        "TextTiling (w=20, k=10)": lambda ep, s, e, n: texttiling(ep),
        "one segment": lambda ep, s, e, n: [],
        "equal lengths (oracle n)": lambda ep, s, e, n: equal_lengths(s, e, n),
    }
    rows: dict[str, list[tuple[float, ...]]] = {m: [] for m in methods}
    print(
        f"{'file':<28} {'method':<26} {'Pk':>6} {'WD':>6} {'F1':>5} {'Pk+f':>6} {'WD+f':>6} {'F1+f':>5}  n/ref"
    )
    for path in transcripts:
        labels = json.loads(path.with_suffix(".labels.json").read_text(encoding="utf-8"))
        start, end, main_b, fine_b = reference(labels)
        episode = load_episode(path, settings)
        for name, method in methods.items():
            hyp = method(episode, start, end, len(main_b) + 1)
            k, kf = segscore.default_k(main_b, start, end), segscore.default_k(fine_b, start, end)
            score = (
                segscore.pk(main_b, hyp, start, end, k),
                segscore.windowdiff(main_b, hyp, start, end, k),
                segscore.boundary_f1(main_b, hyp, TOLERANCE_S, start, end).f1,
                segscore.pk(fine_b, hyp, start, end, kf),
                segscore.windowdiff(fine_b, hyp, start, end, kf),
                segscore.boundary_f1(fine_b, hyp, TOLERANCE_S, start, end).f1,
            )
            rows[name].append(score)
            n_hyp = len([b for b in hyp if start < b < end])
            print(
                f"{path.stem:<28} {name:<26} "
                + " ".join(f"{v:6.3f}" if i % 3 != 2 else f"{v:5.2f}" for i, v in enumerate(score))
                + f"  {n_hyp}/{len(main_b)}"
            )
    print()
    print("Average over", len(transcripts), "transcripts")
    print("| method | Pk | WindowDiff | F1@20s | Pk (+fine) | WD (+fine) | F1@20s (+fine) |")
    print("|---|---|---|---|---|---|---|")
    for name, scores in rows.items():
        m = np.mean(np.array(scores), axis=0)
        print(f"| {name} | {m[0]:.3f} | {m[1]:.3f} | {m[2]:.2f} | {m[3]:.3f} | {m[4]:.3f} | {m[5]:.2f} |")

    if not args.no_speed:
        print()
        t = time.perf_counter()
        print("Long transcripts (corpus episodes chained), each run in a fresh process: model load")
        print("included, no embedding cache. Median of the runs in bold; every run listed. The CPU time")
        print("(user+sys, interpreter start and imports included) is less sensitive to other jobs.")
        print(
            "| length | sentences | segments | ingest+clean (s) | segment incl. model load (s) | total (s) "
            "| CPU time, whole process (s) | peak RSS (MB) |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for target, runs in ((3600.0, 5), (7200.0, 3)):
            results = speed(transcripts, target, runs)
            median = sorted(results, key=lambda r: r["total_s"])[len(results) // 2]
            for r in results:
                mark = "**" if r is median else ""
                print(
                    f"| {r['duration_s'] / 60:.0f} min | {r['sentences']} | {r['segments']} | "
                    f"{r['ingest_clean_s']:.2f} | {mark}{r['segment_s']:.2f}{mark} | {mark}{r['total_s']:.2f}{mark} | "
                    f"{r['cpu_s']:.2f} | {r['peak_mb']:.0f} |"
                )
        print(f"(bench wall time {time.perf_counter() - t:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
