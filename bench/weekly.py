"""A week of 20 one-hour episodes selected and written offline (issue 25): target under 30 s.

    .venv/bin/python bench/weekly.py [--episodes 20] [--hours 1] [--runs 2] [--shared ../shared]

The week is built from the timed transcripts of ../shared (corpus and real), cut into five-minute slices;
each episode chains twelve slices drawn without replacement (seeded), with its own show name and date, as
an SRT file plus a `.info.json`. Episodes share some slices (the pool holds about five hours), as shows
of one week share stories; no two share most of their speech, so none is folded as a copy.

Measured, each in a fresh folder, the embedding model loaded once beforehand (about 1 s, reported):
1. cold: no embedding cache (every sentence embedded), the whole `weekly.build` (read, fold copies,
   segment, cluster, rank, write the draft);
2. warm: the embeddings already in state/embeddings, as after the week's nightly runs;
3. whole process: `newsletter generate --weekly` on the 20 files (start-up and model load included).
Without ../shared, the episodes chain the fixtures of tests/fixtures/weekly (much more alike).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import weekly  # noqa: E402
from generator.config import load_settings  # noqa: E402
from generator.model import Utterance  # noqa: E402
from generator.topics.embeddings import USEEmbedder  # noqa: E402
from generator.transcript import clean, ingest  # noqa: E402

SHARED = ROOT.parent / "shared"
SLICE_S = 300.0
NEWSLETTER = ROOT / ".venv" / "bin" / "newsletter"


def sources(shared: Path) -> list[Path]:
    """Timed transcripts of ../shared, or our fixtures when it is absent."""
    found = sorted((shared / "corpus").glob("*.txt")) + sorted((shared / "real").glob("*/*.vtt"))
    found = [p for p in found if "issue" not in p.name]  # the newsletter sample is no transcript
    return found or sorted((ROOT / "tests" / "fixtures" / "weekly").glob("*.srt"))


def slices(paths: list[Path]) -> list[list[Utterance]]:
    """Ten-minute runs of timed sentences."""
    out: list[list[Utterance]] = []
    for path in paths:
        ep = clean(ingest(path))
        timed = [u for u in ep.utterances if u.start_s is not None]
        current: list[Utterance] = []
        for u in timed:
            if current and u.start_s - current[0].start_s >= SLICE_S:
                out.append(current)
                current = []
            current.append(u)
        if len(current) > 20:
            out.append(current)
    return out


def _ts(seconds: float) -> str:
    ms = int(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def write_week(
    folder: Path, pool: list[list[Utterance]], episodes: int, hours: float, seed: int = 25
) -> list[Path]:
    rng = random.Random(seed)
    per = max(1, round(hours * 3600 / SLICE_S))
    files = []
    for k in range(episodes):
        chosen = rng.sample(range(len(pool)), min(per, len(pool)))
        lines, n, t = [], 1, 0.0
        for index in chosen:
            part = pool[index]
            base = part[0].start_s
            for u in part:
                start = t + (u.start_s - base)
                end = t + ((u.end_s or u.start_s + 3.0) - base)
                lines += [str(n), f"{_ts(start)} --> {_ts(max(end, start + 0.5))}", u.text, ""]
                n += 1
            t = start + 5.0
        path = folder / f"emission-{k + 1:02d}.srt"
        path.write_text("\n".join(lines), encoding="utf-8")
        day = dt.date(2026, 11, 23) + dt.timedelta(days=k % 7)
        info = {"series": f"Émission {k + 1:02d}", "upload_date": day.strftime("%Y%m%d"), "title": path.stem}
        path.with_suffix(".info.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        files.append(path)
    return files


def build_once(files: list[Path], root: Path, embedder: USEEmbedder) -> tuple[float, dict]:
    settings = load_settings(env={}, cwd=root)
    options = weekly.WeeklyOptions(weekly.window(None, dt.date(2026, 11, 29), today=dt.date(2026, 11, 29)))
    started = time.perf_counter()
    result = weekly.build(files, settings, options, weekly.WeeklyTools(embedder))
    return time.perf_counter() - started, result.to_json()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--shared", type=Path, default=SHARED, help="the shared material (default: ../shared)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-weekly-") as tmp:
        week = Path(tmp) / "week"
        week.mkdir()
        pool = slices(sources(args.shared))
        files = write_week(week, pool, args.episodes, args.hours)
        speech_h = sum(clean(ingest(f)).duration_s or 0 for f in files[:3]) / 3 / 3600
        print(f"{len(files)} episodes of ~{speech_h:.2f} h from {len(pool)} five-minute slices")
        started = time.perf_counter()
        embedder = USEEmbedder()
        embedder.embed(["Bonjour."])
        print(f"model load: {time.perf_counter() - started:.2f} s")
        for run in range(args.runs):
            root = Path(tmp) / f"cold-{run}"
            root.mkdir()
            cold, doc = build_once(files, root, USEEmbedder())  # a fresh embedder: nothing cached
            (root / "state").mkdir(exist_ok=True)
            warm_embedder = USEEmbedder(cache_dir=root / "state" / "embeddings")
            build_once(files, root, warm_embedder)  # fills the cache, as the nightly runs would
            warm, doc = build_once(files, root, USEEmbedder(cache_dir=root / "state" / "embeddings"))
            timings = doc["timings"]
            print(
                f"run {run + 1}: cold {cold:.1f} s, warm {warm:.1f} s (warm stages: "
                + ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
                + f"); ideas {len(doc['ideas'])}, project {'yes' if doc['project'] else 'no'}, "
                f"shared stories {sum(1 for i in doc['ideas'] if len(i['shows']) > 1)}, "
                f"distinct episodes {len(doc['episodes'])}"
            )
        if NEWSLETTER.exists():
            root = Path(tmp) / "process"
            root.mkdir()
            started = time.perf_counter()
            subprocess.run(
                [str(NEWSLETTER), "generate", "--weekly", "-q", *map(str, files)],
                cwd=root,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            print(
                f"whole process `newsletter generate --weekly` (no cache): {time.perf_counter() - started:.1f} s"
            )
        shutil.rmtree(week, ignore_errors=True)


if __name__ == "__main__":
    main()
