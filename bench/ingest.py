"""Benchmark: `newsletter inspect` on a one-hour transcript, whole process and in process.

Usage: .venv/bin/python bench/ingest.py [--runs N] [--source FILE]

The one-hour file repeats a corpus episode (or the shipped sample when ../shared is absent) with
shifted timestamps until it lasts an hour, in the scraped-page format with H:MM:SS timestamps.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.transcript.cleaning import clean  # noqa: E402
from generator.transcript.ingestion import DEFAULT_MAX_BYTES, ingest  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "smarttech-2025-01-23.txt"
SAMPLE = ROOT / "examples" / "emission-exemple.txt"
_LINE = re.compile(r"^(\d{1,2}):(\d{2})(.*)$")


def hms(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}"


def one_hour(source: Path, dest: Path, target_s: int = 3600) -> Path:
    """The source's header, then its speech repeated with shifted timestamps up to `target_s`."""
    header, speech = [], []
    for line in source.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line)
        if m and any(c.isalpha() for c in m.group(3)):
            speech.append((int(m.group(1)) * 60 + int(m.group(2)), m.group(3)))
        elif not speech:
            header.append(line)
        elif line.strip() in ("Recommandations", "Commentaires"):
            break
    period = speech[-1][0] + 5
    lines = list(header)
    offset = 0
    while offset < target_s:
        lines.extend(f"{hms(offset + s)}{text}" for s, text in speech if offset + s < target_s)
        offset += period
    lines += ["Recommandations", "28:40", "|", "À suivre", "42:54", "Écris le tout premier commentaire"]
    out = dest / "une-heure.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def whole_process(path: Path, runs: int) -> tuple[list[float], float]:
    """Wall time of `python -m generator inspect FILE --json`, and the child's peak RSS in MiB."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "generator", "inspect", str(path), "--json"],
            capture_output=True,
            env=env,
            cwd=path.parent,
        )
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(done.stderr.decode())
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return times, peak


def in_process(path: Path, runs: int) -> dict[str, list[float]]:
    today = dt.date.today()
    out: dict[str, list[float]] = {"ingest": [], "clean": [], "ingest+clean": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        raw = ingest(path, max_bytes=DEFAULT_MAX_BYTES, today=today)
        t1 = time.perf_counter()
        clean(raw)
        t2 = time.perf_counter()
        out["ingest"].append(t1 - t0)
        out["clean"].append(t2 - t1)
        out["ingest+clean"].append(t2 - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=CORPUS if CORPUS.exists() else SAMPLE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = one_hour(args.source, Path(tmp))
        episode = clean(ingest(path, max_bytes=DEFAULT_MAX_BYTES))
        size_kb = path.stat().st_size / 1024
        print(f"source: {args.source.name}; one-hour file: {size_kb:.0f} KiB, "
              f"{len(episode.utterances)} sentences, duration {episode.duration_s:.0f} s, {args.runs} runs")  # fmt: skip
        rows = []
        wall, peak = whole_process(path, args.runs)
        rows.append(("inspect --json, whole process (wall)", wall))
        for name, values in in_process(path, args.runs).items():
            rows.append((f"{name}, in process", values))
        print(f"| {'measure':<40} | {'median s':>8} | {'min s':>6} | {'max s':>6} |")
        print(f"|{'-' * 42}|{'-' * 9}:|{'-' * 7}:|{'-' * 7}:|")
        for name, values in rows:
            print(
                f"| {name:<40} | {statistics.median(values):>8.3f} | {min(values):>6.3f} | {max(values):>6.3f} |"
            )
        print(f"\npeak RSS of the inspect process: {peak:.0f} MiB; target: whole process < 1 s")


if __name__ == "__main__":
    main()
