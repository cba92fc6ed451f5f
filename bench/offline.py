"""Offline path: wall time and peak memory per stage, linear scaling, whole-process `generate`.

    .venv/bin/python bench/offline.py [--source FILE] [--runs 3] [--scales 1,4,16] [--quick]

Three tables, each printed as Markdown:
1. per stage (ingest, clean, segment, summarise, compose, render, outbox) for one episode, in process,
   extractive backend, embedding model already loaded, no embedding cache (median of --runs); peak
   memory per stage from tracemalloc (allocations made during the stage above what was live at its
   start), in a separate run because tracing slows Python down;
2. the same on synthetic long episodes: the episode's speech repeated x1, x4, x16 with shifted
   timestamps, and time(xN) / (N x time(x1)) (1.0 = linear; above 1 = worse than linear);
3. whole process: `newsletter generate --backend extractive` in a fresh folder (Python start-up,
   imports and model load included), peak RSS of the child from wait4.

The source is ../shared/corpus/smarttech-2025-01-23.txt, or the shipped sample when ../shared is absent.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import pipeline  # noqa: E402
from generator.config import Settings, load_settings  # noqa: E402
from generator.edition import outbox
from generator.llm.tokens import get_tokenizer  # noqa: E402
from generator.topics.embeddings import USEEmbedder  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE = ROOT / "examples" / "emission-exemple.txt"
NEWSLETTER = ROOT / ".venv" / "bin" / "newsletter"
STAGES = ("ingest", "clean", "segment", "summarise", "compose", "render", "outbox")
# A timestamp glued to the start of a line: MM:SS or H:MM:SS (the scraped-page format).
_STAMP = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(.*)$")
MIB = 1024 * 1024


def default_source() -> Path:
    """The first corpus episode when ../shared exists, else the shipped sample."""
    corpus = CORPUS / "smarttech-2025-01-23.txt"
    return corpus if corpus.is_file() else SAMPLE


def _stamp(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


def repeat(source: Path, times: int, dest: Path) -> Path:
    """The source's header, its speech `times` times with shifted timestamps, then its footer."""
    lines = source.read_text(encoding="utf-8").splitlines()
    speech = [
        i
        for i, line in enumerate(lines)
        if (m := _STAMP.match(line)) and any(c.isalpha() for c in m.group(4))
    ]
    first, last = speech[0], speech[-1]
    header, body, footer = lines[:first], lines[first : last + 1], lines[last + 1 :]

    def seconds(m: re.Match[str]) -> int:
        return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3))

    period = seconds(_STAMP.match(lines[last])) + 5  # type: ignore[arg-type]
    out = list(header)
    for k in range(times):
        for line in body:
            m = _STAMP.match(line)
            out.append(f"{_stamp(seconds(m) + k * period)}{m.group(4)}" if m else line)
    out += footer
    path = dest / f"{source.stem}-x{times}.txt"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def settings_in(folder: Path) -> Settings:
    """Default settings (no config file, no environment) with the outbox inside `folder`."""
    return load_settings(
        env={}, cwd=folder, overrides={"paths": {"outbox": folder / "outbox", "state": folder / "state"}}
    )


@contextlib.contextmanager
def traced_stages(peaks: dict[str, float]) -> Iterator[None]:
    """Record, per stage, the peak traced memory above what was live when the stage started.

    "total" is the highest traced memory seen during the whole generate (tracing starts just
    before it, so the loaded model and imports are not counted).

    Wraps the pipeline's own stage timer and the outbox writer, so the stages measured are exactly
    the ones `newsletter generate` runs.
    """
    timed = pipeline.Timings.stage  # the pipeline's per-stage timer, so this bench follows its stages
    write_draft = outbox.write_draft

    def measure(stage: str, fn: Callable[[], Any]) -> Any:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        try:
            return fn()
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            peaks[stage] = max(peaks.get(stage, 0.0), (peak - before) / MIB)
            peaks["total"] = max(peaks.get("total", 0.0), peak / MIB)

    @contextlib.contextmanager
    def stage(timings: pipeline.Timings, name: str) -> Iterator[None]:
        with timed(timings, name):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            try:
                yield
            finally:
                peak = tracemalloc.get_traced_memory()[1]
                peaks[name] = max(peaks.get(name, 0.0), (peak - before) / MIB)
                peaks["total"] = max(peaks.get("total", 0.0), peak / MIB)

    pipeline.Timings.stage = stage  # type: ignore[method-assign]
    outbox.write_draft = lambda *a, **kw: measure("outbox", lambda: write_draft(*a, **kw))  # type: ignore[assignment]
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()
        pipeline.Timings.stage = timed  # type: ignore[method-assign]
        outbox.write_draft = write_draft  # type: ignore[assignment]


class Runner:
    """Runs `pipeline.generate` (extractive) on a file with one loaded embedder and tokenizer."""

    def __init__(self) -> None:
        started = time.perf_counter()
        self.embedder = USEEmbedder(cache_dir=None)
        self.embedder.embed(["Bonjour à tous."])  # loads the model once, outside the stage timings
        self.tokenizer = get_tokenizer("gpt-4o-mini")
        self.load_s = time.perf_counter() - started

    def tools(self, folder: Path) -> pipeline.Tools:
        return pipeline.build_tools(settings_in(folder), embedder=self.embedder, tokenizer=self.tokenizer)

    def once(self, path: Path) -> tuple[dict[str, float], Any]:
        """Seconds per stage for one generate; the in-memory embedding cache is emptied first."""
        self.embedder._memory.clear()  # each run embeds its sentences again, as a new episode would
        with tempfile.TemporaryDirectory() as tmp:
            result = pipeline.generate([path], self.tools(Path(tmp)))
        timings = dict(result.provenance.timings)
        timings["outbox"] = timings.pop("write", 0.0)
        return {s: timings.get(s, 0.0) for s in STAGES}, result

    def timed(self, path: Path, runs: int) -> tuple[dict[str, list[float]], Any]:
        """Seconds per stage (and total) over `runs` runs."""
        per: dict[str, list[float]] = {s: [] for s in (*STAGES, "total")}
        result = None
        for _ in range(runs):
            t, result = self.once(path)
            for stage, seconds in t.items():
                per[stage].append(seconds)
            per["total"].append(sum(t.values()))
        return per, result

    def peaks(self, path: Path) -> dict[str, float]:
        """MiB per stage (and the whole generate) from one traced run."""
        peaks: dict[str, float] = {}
        with traced_stages(peaks):
            self.embedder._memory.clear()
            with tempfile.TemporaryDirectory() as tmp:
                pipeline.generate([path], self.tools(Path(tmp)))
            peaks["total"] = max(peaks.get("total", 0.0), tracemalloc.get_traced_memory()[1] / MIB)
        return peaks


def whole_process(path: Path, runs: int) -> tuple[list[float], float, dict[str, list[float]]]:
    """Wall seconds of `newsletter generate --backend extractive --json -q` runs, max peak RSS (MiB) and the
    stage seconds the child reports (`timings`), with "start-up" = wall - the stages (interpreter, imports,
    model load).

    As on a user's machine from the second run on: Python writes its bytecode cache (PYTHONDONTWRITEBYTECODE
    is dropped from the child's environment) and one untimed run first fills it and the model caches under
    $XDG_CACHE_HOME/newsletter (vocabulary and weights, built on the very first run).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "NEWSLETTER_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    walls, rss, stages = [], 0.0, {}
    for k in range(runs + 1):
        with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "out.json", "w+b") as out:
            started = time.perf_counter()
            child = subprocess.Popen(
                [str(NEWSLETTER), "generate", str(path), "--backend", "extractive", "--json", "-q"],
                cwd=tmp,
                env=env,
                stdout=out,
                stderr=subprocess.PIPE,
            )
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                err = child.stderr.read().decode() if child.stderr else ""
                raise SystemExit(f"{path}: generate failed ({child.returncode}): {err.strip()}")
            if k == 0:
                continue  # the warm-up run
            walls.append(wall)
            out.seek(0)
            timings = json.loads(out.read())["timings"]
            for stage, seconds in timings.items():
                stages.setdefault(stage, []).append(seconds)
            stages.setdefault("start-up", []).append(wall - timings["total"])
            rss = max(rss, usage.ru_maxrss / 1024)  # KiB on Linux
    return walls, rss, stages


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def med(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def table_stages(runner: Runner, path: Path, runs: int) -> None:
    per, result = runner.timed(path, runs)
    peaks = runner.peaks(path)
    episode = result.prepared[0].episode
    print(
        f"### Per stage, one episode: {path.name} ({episode.duration_s / 60:.0f} min, "
        f"{len(episode.utterances)} sentences, {len(result.prepared[0].segments)} segments), "
        f"{runs} runs\n"
    )
    print(row("stage", "median s", "min s", "max s", "peak traced MiB"))
    print(row("---", "---:", "---:", "---:", "---:"))
    for stage in (*STAGES, "total"):
        values = per[stage]
        print(
            row(
                stage,
                f"{med(values):.3f}",
                f"{min(values):.3f}",
                f"{max(values):.3f}",
                f"{peaks.get(stage, 0):.1f}",
            )
        )
    print(f"\nEmbedding model load (once per process, not in the rows above): {runner.load_s:.2f} s\n")


def table_scaling(
    runner: Runner, source: Path, scales: list[int], runs: int, folder: Path, trace_max: int
) -> None:
    results: dict[int, tuple[dict[str, list[float]], dict[str, float], Any]] = {}
    for n in scales:
        path = repeat(source, n, folder)
        started = time.perf_counter()
        per, result = runner.timed(path, runs if n <= 4 else 1)  # long ones: one run (minutes each)
        peaks = runner.peaks(path) if n <= trace_max else {}
        results[n] = (per, peaks, result)
        print(f"x{n}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    base = scales[0]
    print(f"### Synthetic long episodes: {source.name} repeated with shifted timestamps\n")
    sizes = ", ".join(
        f"x{n}: {r[2].prepared[0].episode.duration_s / 60:.0f} min, {len(r[2].prepared[0].episode.utterances)} "
        f"sentences, {len(r[2].prepared[0].segments)} segments"
        for n, r in results.items()
    )
    print(f"{sizes}. Median seconds (x{max(scales)}: one run); peak traced MiB (- = not traced).\n")
    head = [f"x{n} s" for n in scales] + [f"x{n}/({n}·x{base})" for n in scales if n != base]
    head += [f"x{n} MiB" for n in scales]
    print(row("stage", *head))
    print(row("---", *["---:"] * len(head)))
    for stage in (*STAGES, "total"):
        times = {n: med(results[n][0][stage]) for n in scales}
        cells = [f"{times[n]:.3f}" for n in scales]
        for n in scales:
            if n != base:
                denom = n / base * times[base]
                cells.append(f"{times[n] / denom:.2f}" if denom > 0.0005 else "-")
        cells += [f"{results[n][1][stage]:.1f}" if stage in results[n][1] else "-" for n in scales]
        print(row(stage, *cells))
    print()


def table_whole(files: list[Path], runs: int) -> list[str]:
    """The whole-process table's lines (run before this process loads the model, see main)."""
    lines = [
        f"### Whole process: `newsletter generate --backend extractive`, fresh folder, {runs} runs "
        "after one warm-up (bytecode and model caches filled)\n",
        row("file", "length", "median s", "min s", "max s", "peak RSS MiB", "target ≤ 3 s / hour"),
        row("---", "---:", "---:", "---:", "---:", "---:", "---"),
    ]
    split: list[str] = []
    for path in files:
        walls, rss, stages = whole_process(path, runs)
        minutes = _last_stamp(path) / 60
        ok = "met" if med(walls) <= 3.0 * max(minutes, 60) / 60 else "**missed**"
        lines.append(
            row(path.name, f"{minutes:.0f} min", f"{med(walls):.2f}", f"{min(walls):.2f}", f"{max(walls):.2f}",
                f"{rss:.0f}", ok)
        )  # fmt: skip
        order = ["start-up", *STAGES[:-1], "write"]
        split.append(row(path.name, *(f"{med(stages.get(s, [0.0])):.2f}" for s in order)))
    head = row("file (median s)", "start-up", *STAGES[:-1], "write")
    rule = row("---", *["---:"] * 8)
    return [*lines, "", "Per stage, as the child reports them (start-up = wall - stages: interpreter, imports, "
            "argument parsing):\n", head, rule, *split, ""]  # fmt: skip


def _last_stamp(path: Path) -> int:
    """Seconds of the last timestamped speech line (the length shown in the whole-process table)."""
    last = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _STAMP.match(line)
        if m and any(c.isalpha() for c in m.group(4)):
            last = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
    return last


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=default_source())
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scales", default="1,4,16")
    parser.add_argument("--trace-max-scale", type=int, default=16, help="no tracemalloc run above this scale")
    parser.add_argument("--tables", default="stages,scaling,whole", help="which tables (comma-separated)")
    parser.add_argument("--quick", action="store_true", help="sample only, 1 run, scales 1,2 (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.source, args.runs, args.scales = SAMPLE, 1, "1,2"
    scales = [int(s) for s in args.scales.split(",")]
    tables = set(args.tables.split(","))
    print(f"Source: {args.source}; python {sys.version.split()[0]}; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}\n")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        whole: list[str] = []
        if "whole" in tables:
            # First, while this process is small: a child's ru_maxrss starts from its parent's RSS at
            # fork, so measuring after the model is loaded here would report this process's size.
            files = [args.source] + ([SAMPLE] if args.source != SAMPLE else [])
            if not args.quick:
                files.insert(1, repeat(args.source, 2, folder))  # about an hour
            whole = table_whole(files, args.runs)
        if tables & {"stages", "scaling"}:
            runner = Runner()
            if "stages" in tables:
                table_stages(runner, args.source, args.runs)
            if "scaling" in tables:
                table_scaling(runner, args.source, scales, args.runs, folder, args.trace_max_scale)
        print("\n".join(whole))


if __name__ == "__main__":
    main()
