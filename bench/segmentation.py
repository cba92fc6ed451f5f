"""Topic segmentation, scored so that we cannot fool ourselves: unseen shows, ablations, baselines.

    .venv/bin/python bench/segmentation.py [--corpus ../shared/corpus] [--no-speed] [--seed 13]

Sets: the labelled corpus episodes (../shared/corpus, skipped when absent); our own labelled shows
(tests/fixtures/unseen, never used to choose a constant) in three shapes: the scraped page, automatic
captions (lower case, no punctuation) and speaker blocks; a spliced Choi-style set (topic segments of
different episodes concatenated, reference = the seams), never used for tuning.
Methods: ours; ours without any host cue (the headline); ours with its one free constant (the valley
z needed beyond the prior count) chosen by leave-one-episode-out on everything labelled; an
untuned sentence-embedding TextTiling; Hearst's TextTiling; even split with the prior count and with
the true count (oracle); random boundaries with the prior count (mean of 20 draws); one segment.
Metrics (generator/topics/scoring.py): Pk and WindowDiff on a one-second grid, k = half the mean
reference segment length; boundary F1 within 20 s; the shortest topic we output (intro/outro aside).
Then the wall time of segmenting a one-hour show in a fresh process (model load included).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
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
sys.path.insert(0, str(ROOT / "tests"))

import unseen_shows  # noqa: E402

from generator.config import Settings  # noqa: E402
from generator.language import lexicon as french  # noqa: E402
from generator.model import Episode, Utterance  # noqa: E402
from generator.topics import evidence, pick  # noqa: E402
from generator.topics import scoring as segscore  # noqa: E402
from generator.topics import segmenter as segmod  # noqa: E402
from generator.topics.embeddings import USEEmbedder  # noqa: E402
from generator.transcript.ingestion import load_episode  # noqa: E402

TOLERANCE_S = 20.0
Z_GRID = (0.5, 1.0, 1.5, 2.0)  # candidate values of pick.EXTRA_VALLEY_Z for leave-one-out


@dataclasses.dataclass
class Item:
    """One labelled episode in one shape: the source show (for leave-one-out), span and reference."""

    name: str
    source: str
    episode: Episode
    start: float
    end: float
    ref: list[float]


def seconds(stamp: str) -> float:
    value = 0
    for part in stamp.split(":"):
        value = value * 60 + int(part)
    return float(value)


def reference(labels: dict) -> tuple[float, float, list[float], list[float]]:
    """Span, main boundaries and main+fine boundaries of a labels file (also used by bench/quality.py)."""
    segs = labels["segments"]
    start, end = seconds(segs[0]["start"]), seconds(segs[-1]["end"])
    main = [seconds(s["start"]) for s in segs[1:]]
    fine = sorted(set(main) | {seconds(b) for b in labels.get("alt_boundaries_fine", [])})
    return start, end, main, fine


# ---------------------------------------------------------------------------------------- sets


def corpus_items(corpus: Path, settings: Settings) -> list[Item]:
    items = []
    for path in sorted(p for p in corpus.glob("*.txt") if p.with_suffix(".labels.json").exists()):
        labels = json.loads(path.with_suffix(".labels.json").read_text(encoding="utf-8"))
        segs = labels["segments"]
        start, end = seconds(segs[0]["start"]), seconds(segs[-1]["end"])
        ref = [seconds(s["start"]) for s in segs[1:]]
        items.append(Item(path.stem, path.stem, load_episode(path, settings), start, end, ref))
    return items


def unseen_items(tmp: Path, settings: Settings) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = {shape: [] for shape in unseen_shows.SHAPES}
    for show in unseen_shows.shows():
        start, end, ref = unseen_shows.reference(show)
        for shape in unseen_shows.SHAPES:
            episode = load_episode(unseen_shows.write(show, shape, tmp), settings)
            out[shape].append(Item(f"{show.name} ({shape})", show.name, episode, start, end, ref))
    return out


def _topic_slices(item: Item, parts: list[tuple[float, float, str]]) -> list[list[Utterance]]:
    utts = item.episode.utterances
    out = []
    for a, b, kind in parts:
        if kind in ("intro", "outro") or b - a < 60:
            continue
        chosen = [u for u in utts if u.start_s is not None and a <= u.start_s < b]
        if chosen:
            out.append(chosen)
    return out


def spliced_items(labelled: list[tuple[Item, list[tuple[float, float, str]]]], seed: int) -> list[Item]:
    """Choi-style documents: 4-6 topic segments of different episodes, the seams as reference."""
    pools = {item.source: _topic_slices(item, parts) for item, parts in labelled}
    pools = {k: v for k, v in pools.items() if v}
    rng = random.Random(seed)
    items = []
    for d in range(10):
        n_parts = rng.randint(4, 6)
        utts: list[Utterance] = []
        ref: list[float] = []
        t, last_source = 0.0, None
        for _ in range(n_parts):
            source = rng.choice(sorted(k for k in pools if k != last_source))
            part = rng.choice(pools[source])
            last_source = source
            base = part[0].start_s
            if utts:
                ref.append(t)
            for u in part:
                end = None if u.end_s is None else t + (u.end_s - base)
                utts.append(dataclasses.replace(u, start_s=t + (u.start_s - base), end_s=end))
            t = utts[-1].end_s or utts[-1].start_s + 5.0
            t += 1.0
        episode = Episode(f"spliced-{d}", "0" * 64, "spliced", "utf-8", tuple(utts), cleaned=True)
        items.append(Item(f"spliced-{d}", f"spliced-{d}", episode, 0.0, t, ref))
    return items


def corpus_parts(path: Path) -> list[tuple[float, float, str]]:
    labels = json.loads(path.with_suffix(".labels.json").read_text(encoding="utf-8"))
    return [(seconds(s["start"]), seconds(s["end"]), s["kind"]) for s in labels["segments"]]


# ----------------------------------------------------------------------------------- baselines


def texttiling(episode: Episode, w: int = 20, k: int = 10) -> list[float]:
    """Hearst's TextTiling: token-sequence gaps, block cosine, depth scores, cutoff mean - sd/2."""
    tokens: list[tuple[str, float]] = []
    for u in episode.utterances:
        for word in french.split_words(u.text):
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


def embedding_texttiling(episode: Episode, embedder: USEEmbedder, window: float = 120.0) -> list[float]:
    """Untuned TextTiling on sentence embeddings: 2-minute windows, depth, cutoff mean - sd/2."""
    utts = episode.utterances
    times = np.maximum.accumulate(np.array([u.start_s or 0.0 for u in utts], dtype=float))
    vectors = np.asarray(embedder.embed([u.text for u in utts]), dtype=np.float64)
    weights = np.array([max(1, len(u.text.split())) for u in utts], dtype=float)
    depth = evidence.depth(evidence.window_similarity(vectors, weights, times, window), times, window)
    cutoff = depth.mean() - depth.std() / 2
    bounds = []
    for i in range(1, len(depth)):
        peak = depth[i] >= depth[i - 1] and (i + 1 == len(depth) or depth[i] > depth[i + 1])
        if peak and depth[i] > cutoff and (not bounds or times[i] - bounds[-1] >= window / 2):
            bounds.append(float(times[i]))
    return bounds


def even_split(start: float, end: float, n_segments: int) -> list[float]:
    return [start + (end - start) * i / n_segments for i in range(1, n_segments)]


def prior_count(start: float, end: float) -> int:
    """The number of segments our prior gives (topics, plus intro and outro as most shows have)."""
    return pick.topic_prior(end - start, pick.MIN_PART_S)[0] + 2


def random_bounds(start: float, end: float, n_segments: int, rng: random.Random) -> list[float]:
    return sorted(rng.uniform(start, end) for _ in range(n_segments - 1))


def ours(item: Item, embedder: USEEmbedder, *, cues: bool = True, z: float | None = None) -> list:
    saved = pick.EXTRA_VALLEY_Z
    if z is not None:
        pick.EXTRA_VALLEY_Z = z
    try:
        return segmod.segment(item.episode, embedder=embedder, use_cues=cues)
    finally:
        pick.EXTRA_VALLEY_Z = saved


def scores(item: Item, hyp: list[float]) -> tuple[float, float, float]:
    s, e, ref = item.start, item.end, item.ref
    return (
        segscore.pk(ref, hyp, s, e),
        segscore.windowdiff(ref, hyp, s, e),
        segscore.boundary_f1(ref, hyp, TOLERANCE_S, s, e).f1,
    )


def shortest_topic(segments: list) -> float:
    lengths = [
        s.end_s - s.start_s for s in segments if s.kind in ("topic", "interview") and s.start_s is not None
    ]
    return min(lengths) if len(segments) > 1 and lengths else float("nan")


# -------------------------------------------------------------------------------------- tables


def method_table(items: list[Item], embedder: USEEmbedder, loo: dict[str, float]) -> dict[str, list]:
    """Per method: a list of (Pk, WD, F1, n_hyp, n_ref, shortest topic) per item."""
    rng = random.Random(13)
    rows: dict[str, list] = {}

    def add(name: str, item: Item, hyp: list[float], short: float = float("nan")) -> None:
        inner = [b for b in hyp if item.start < b < item.end]
        rows.setdefault(name, []).append((*scores(item, inner), len(inner), len(item.ref), short))

    for item in items:
        segs = ours(item, embedder)
        add("ours", item, [s.start_s for s in segs[1:]], shortest_topic(segs))
        segs = ours(item, embedder, cues=False)
        add("ours, no host cues", item, [s.start_s for s in segs[1:]], shortest_topic(segs))
        if item.source in loo:
            segs = ours(item, embedder, z=loo[item.source])
            add("ours, valley z by leave-one-out", item, [s.start_s for s in segs[1:]], shortest_topic(segs))
        add("embedding TextTiling (untuned)", item, embedding_texttiling(item.episode, embedder))
        add("TextTiling (Hearst, w=20, k=10)", item, texttiling(item.episode))
        add(
            "even split, prior count",
            item,
            even_split(item.start, item.end, prior_count(item.start, item.end)),
        )
        add("even split, true count (oracle)", item, even_split(item.start, item.end, len(item.ref) + 1))
        draws = [
            random_bounds(item.start, item.end, prior_count(item.start, item.end), rng) for _ in range(20)
        ]
        per = np.array([scores(item, d) for d in draws]).mean(axis=0)
        rows.setdefault("random, prior count (20 draws)", []).append(
            (*per, prior_count(item.start, item.end) - 1, len(item.ref), float("nan"))
        )
        add("one segment", item, [])
    return rows


def leave_one_out(items: list[Item], embedder: USEEmbedder) -> tuple[dict[str, float], dict[float, float]]:
    """For each source show, the grid value with the best mean Pk on the other shows."""
    pk_by: dict[float, dict[str, list[float]]] = {}
    for z in Z_GRID:
        pk_by[z] = {}
        for item in items:
            hyp = [s.start_s for s in ours(item, embedder, z=z)[1:]]
            pk_by[z].setdefault(item.source, []).append(scores(item, hyp)[0])
    sources = sorted({i.source for i in items})
    chosen = {}
    for held in sources:

        def rest(z: float, held: str = held) -> float:
            return float(np.mean([v for s, vals in pk_by[z].items() if s != held for v in vals]))

        chosen[held] = min(Z_GRID, key=lambda z: (rest(z), abs(z - pick.EXTRA_VALLEY_Z)))
    overall = {z: float(np.mean([v for vals in pk_by[z].values() for v in vals])) for z in Z_GRID}
    return chosen, overall


def print_table(title: str, rows: dict[str, list]) -> None:
    print(f"\n**{title}**\n")
    print("| method | Pk | WindowDiff | F1@20s | boundaries found / true | shortest topic (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, vals in rows.items():
        a = np.array(vals, dtype=float)
        m = a[:, :3].mean(axis=0)
        short = a[:, 5]
        short_txt = f"{np.nanmin(short):.0f}" if np.isfinite(short).any() else "-"
        label = f"**{name}**" if name == "ours, no host cues" else name
        print(
            f"| {label} | {m[0]:.3f} | {m[1]:.3f} | {m[2]:.2f} | {a[:, 3].sum():.0f} / {a[:, 4].sum():.0f} | {short_txt} |"
        )


def print_items(items: list[Item], embedder: USEEmbedder) -> None:
    print("\n| episode | reader | ours Pk | WD | F1@20s | found / true | segments (start kind title) |")
    print("|---|---|---:|---:|---:|---:|---|")
    for item in items:
        segs = ours(item, embedder)
        inner = [s.start_s for s in segs[1:] if item.start < s.start_s < item.end]
        pk_, wd, f1 = scores(item, inner)
        listing = "; ".join(f"{s.start} {s.kind} {s.title}" for s in segs)
        print(
            f"| {item.name} | {item.episode.format} | {pk_:.3f} | {wd:.3f} | {f1:.2f} | {len(inner)} / {len(item.ref)} | {listing} |"
        )


# --------------------------------------------------------------------------------------- speed

SPEED_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from pathlib import Path
from generator.config import Settings
from generator.transcript.ingestion import load_episode
episode = load_episode(Path(sys.argv[1]), Settings())
t1 = time.perf_counter()
from generator.topics.embeddings import USEEmbedder
from generator.topics.segmenter import segment
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
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", SPEED_CHILD, str(path)],
                cwd=tmp,
                capture_output=True,
                text=True,
                check=True,
                env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            )
            wall = time.perf_counter() - t0
            results.append({**json.loads(out.stdout.strip().splitlines()[-1]), "wall_s": wall})
        return results


# ---------------------------------------------------------------------------------------- main


def llm_check(items: list[Item], embedder: USEEmbedder, base_url: str, model: str) -> None:
    """The optional model pass (topics/refinement.py) against the offline result, file by file."""
    from generator.config import load_settings
    from generator.llm import PromptRegistry, default_root, make_backend
    from generator.topics.refinement import refine

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            env={"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "local"},
            cwd=Path(tmp),
            overrides={"llm": {"model": model, "timeout": 300.0, "max_retries": 0}},
        )
        backend = make_backend(settings, None)
        prompts = PromptRegistry(default_root())
        print(f"\n**Optional model pass ({model} at {base_url})**\n")
        print(
            "| episode | offline Pk / WD / F1 | after the model Pk / WD / F1 | answer | seconds | tokens in/out |"
        )
        print("|---|---|---|---|---:|---|")
        for item in items:
            offline = ours(item, embedder)
            t0 = time.perf_counter()
            result = refine(item.episode, offline, backend=backend, prompts=prompts)
            took = time.perf_counter() - t0
            before = scores(item, [s.start_s for s in offline[1:]])
            after = scores(item, [s.start_s for s in result.segments[1:]])
            status = "used" if result.refined else f"kept offline ({(result.warning or '')[:60]})"
            print(
                f"| {item.name} | {before[0]:.3f} / {before[1]:.3f} / {before[2]:.2f} | "
                f"{after[0]:.3f} / {after[1]:.3f} / {after[2]:.2f} | {status} | {took:.0f} | "
                f"{result.usage.input}/{result.usage.output} |"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--seed", type=int, default=13, help="seed of the spliced set")
    parser.add_argument(
        "--llm", metavar="BASE_URL", help="also run the optional model pass against this server"
    )
    parser.add_argument("--llm-model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--llm-only", action="store_true", help="only the model pass (with --llm)")
    parser.add_argument("--speed-only", action="store_true", help="only the one-hour timing")
    args = parser.parse_args(argv)
    settings = Settings()
    embedder = USEEmbedder(max_cached=512)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = corpus_items(args.corpus, settings) if args.corpus.is_dir() else []
        unseen = unseen_items(Path(tmp), settings)
    labelled = corpus + [i for shape in unseen.values() for i in shape]
    if args.speed_only:
        print_speed(args.corpus, corpus, Path(tmp))
        return 0
    if args.llm:
        llm_check(unseen["scraped"] + corpus, embedder, args.llm, args.llm_model)
        if args.llm_only:
            return 0
    t0 = time.perf_counter()
    chosen, overall = leave_one_out(labelled, embedder)
    print(f"Leave-one-episode-out over {len({i.source for i in labelled})} shows ({len(labelled)} files):")
    print(
        "mean Pk on all labelled files for each valley z: "
        + ", ".join(f"{z}: {v:.3f}" for z, v in overall.items())
    )
    print("value chosen without the held-out show: " + ", ".join(f"{k} {v}" for k, v in chosen.items()))
    print(f"default EXTRA_VALLEY_Z = {pick.EXTRA_VALLEY_Z}")

    shows = {s.name: s for s in unseen_shows.shows()}
    parts = [
        (i, [(a, b, k) for a, b, k, _ in unseen_shows.labelled_parts(shows[i.source])])
        for i in unseen["scraped"]
    ]
    parts += [(i, corpus_parts(args.corpus / f"{i.source}.txt")) for i in corpus]
    spliced = spliced_items(parts, args.seed)
    sets = {
        "Unseen shows, scraped page": unseen["scraped"],
        "Unseen shows, automatic captions (lower case, no punctuation)": unseen["autocaption"],
        "Unseen shows, speaker blocks": unseen["speakers"],
        "Corpus (the two Smart Tech episodes)": corpus,
        f"Spliced Choi-style set ({len(spliced)} documents, seed {args.seed}; never used for tuning)": spliced,
    }
    for title, items in sets.items():
        if items:
            print_table(title, method_table(items, embedder, chosen))
    print("\nPer episode (ours, default settings):")
    print_items(unseen["scraped"] + unseen["autocaption"] + unseen["speakers"] + corpus, embedder)
    print(f"\n(quality part: {time.perf_counter() - t0:.0f} s)")
    if not args.no_speed:
        print_speed(args.corpus, corpus, Path(tmp))
    return 0


def print_speed(corpus_dir: Path, corpus: list[Item], tmp: Path) -> None:
    sources = [corpus_dir / f"{i.source}.txt" for i in corpus]
    if not sources:
        print("\n(no corpus: speed not measured)")
        return
    print("\nOne hour of show (corpus episodes chained, scraped page), each run a fresh process: wall time")
    print("from spawn to exit (interpreter start, imports, ingest, model load, embeddings, segmentation).")
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"Load average at the start: {load} (2 cores; other engineers' suites may be running).\n")
    print(
        "| length | sentences | segments | ingest+clean (s) | segment incl. model load (s) "
        "| whole process, wall (s) | CPU user+sys (s) | peak RSS (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for target, runs in ((3600.0, 5),):
        results = speed(sources, target, runs)
        median = sorted(results, key=lambda r: r["wall_s"])[len(results) // 2]
        for r in results:
            mark = "**" if r is median else ""
            print(
                f"| {r['duration_s'] / 60:.0f} min | {r['sentences']} | {r['segments']} | {r['ingest_clean_s']:.2f} | "
                f"{r['segment_s']:.2f} | {mark}{r['wall_s']:.2f}{mark} | {r['cpu_s']:.2f} | {r['peak_mb']:.0f} |"
            )


if __name__ == "__main__":
    raise SystemExit(main())
