"""Offline segmentation of a two-hour episode: wall time in a fresh process (issue 22: at most 5 s).

    .venv/bin/python bench/long_segmentation.py [--hours 2] [--runs 3] [--real ../shared/real]

The episode is real speech: the timed transcripts of ../shared/real (two Thinkerview interviews,
88 + 34 min) read by the real ingest, laid end to end with their times shifted, repeated until the
length is reached. When ../shared is absent, our own unseen shows (tests/fixtures/unseen) are chained
instead. Each run is a fresh interpreter: imports, the embedding model's load, the embeddings and the
segmentation are all inside the wall time; the transcripts' reading is measured apart (it is not
segmentation). Nothing is cached between runs (no embeddings cache directory).
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CHILD = r"""
import json, pickle, resource, sys, time
t0 = time.perf_counter()
from generator.topics.segmenter import segment
episode = pickle.loads(open(sys.argv[1], "rb").read())
t1 = time.perf_counter()
segments = segment(episode)
t2 = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
longest = max((s.end_s - s.start_s) for s in segments if s.kind in ("topic", "interview"))
print(json.dumps({"segments": len(segments), "import_s": t1 - t0, "segment_s": t2 - t1,
                  "longest_min": longest / 60, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _episodes(real: Path, tmp: Path):
    from generator.config import Settings
    from generator.transcript.ingestion import load_episode

    paths = sorted(real.glob("thinkerview-*/*.vtt")) if real.is_dir() else []
    if paths:
        return "real (Thinkerview, ../shared/real)", [load_episode(p, Settings()) for p in paths]
    import unseen_shows

    eps = []
    for show in unseen_shows.shows():
        path = unseen_shows.write(show, "scraped", tmp)
        eps.append(load_episode(path, Settings()))
    return "our unseen shows (tests/fixtures/unseen)", eps


def long_episode(episodes, hours: float):
    """The episodes' sentences end to end (times shifted) until `hours` of speech."""
    utts, offset, k = [], 0.0, 0
    while offset < hours * 3600:
        ep = episodes[k % len(episodes)]
        for u in ep.utterances:
            if u.start_s is None or offset + u.start_s >= hours * 3600:
                continue
            end = None if u.end_s is None else u.end_s + offset
            utts.append(replace(u, start_s=u.start_s + offset, end_s=end))
        offset += (ep.duration_s or 0.0) + 5.0
        k += 1
    return replace(episodes[0], utterances=tuple(utts), chapters=())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "real")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        source, episodes = _episodes(args.real, Path(tmp))
        episode = long_episode(episodes, args.hours)
        read_s = time.perf_counter() - t0
        path = Path(tmp) / "episode.pickle"
        path.write_bytes(pickle.dumps(episode))
        print(
            f"{args.hours:g} h of {source}: {len(episode.utterances)} sentences "
            f"(reading the transcripts, not timed below: {read_s:.1f} s)"
        )
        load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
        print(f"Load average at the start: {load} (2 cores, shared)\n")
        print(
            "| run | segments | longest topic (min) | imports (s) | segment incl. model load (s) "
            "| whole process, wall (s) | CPU user+sys (s) | peak RSS (MB) |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for run in range(args.runs):
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)],
                cwd=tmp,
                capture_output=True,
                text=True,
                check=True,
                env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            )
            wall = time.perf_counter() - t0
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"| {run + 1} | {r['segments']} | {r['longest_min']:.1f} | {r['import_s']:.2f} "
                f"| {r['segment_s']:.2f} | {wall:.2f} | {r['cpu_s']:.2f} | {r['peak_mb']:.0f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
