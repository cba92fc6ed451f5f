"""Benchmark: checking many feeds, and streaming a huge body past its cap (issue 23).

Usage: .venv/bin/python bench/sources.py [--feeds 100] [--delay 0.05] [--per-host 4] [--big-mb 200]

1. `--feeds` RSS feeds on one loopback host (each answers after `--delay` s, 10 items with French VTT
   links), checked by `sources.check_sources(deliver=False)`: wall time, and the most connections the
   server saw at once (bounded by [fetch] per_host).
2. A `--big-mb` transcript (no Content-Length, so it must be read to be judged) and a `--big-mb`
   enclosure download, both capped at 20 MB: peak RSS and traced Python memory before/after, bytes the
   server managed to send before the client hung up.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from feed_server import FeedServer, Route, item, rss, zeros  # noqa: E402

from generator.config import FetchSettings, SourceSettings, load_settings  # noqa: E402
from generator.errors import SourceError  # noqa: E402
from generator.sources import Fetcher, check_sources  # noqa: E402

MB = 1024 * 1024


def rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def many_feeds(n: int, delay: float, per_host: int) -> None:
    with FeedServer() as server, tempfile.TemporaryDirectory() as tmp:
        for k in range(n):
            items = [
                item(
                    f"f{k}-e{j}",
                    f"Épisode {j}",
                    f"Mon, {j + 1:02d} Nov 2026 06:00:00 +0100",
                    extra=f'<podcast:transcript url="{server.base}/t/{k}-{j}.vtt" type="text/vtt" language="fr"/>',
                )
                for j in range(10)
            ]
            server.routes[f"/feed/{k}.xml"] = Route(rss(f"Émission {k}", items), etag=f'"{k}"', delay=delay)
        settings = load_settings(None, env={}, cwd=Path(tmp))
        sources = tuple(SourceSettings(server.url(f"/feed/{k}.xml")) for k in range(n))
        settings = replace(settings, sources=sources, fetch=replace(settings.fetch, per_host=per_host))
        for label in ("first check (200, parse, record)", "second check (conditional, 304)"):
            t0 = time.perf_counter()
            reports = check_sources(settings, deliver=False)
            took = time.perf_counter() - t0
            statuses = sorted({r.status for r in reports})
            print(
                f"| {label} | {n} feeds | {took:.2f} s | {statuses} | most at once on the host: {server.peak} "
                f"(per_host = {per_host}, workers = {settings.fetch.workers}) |"
            )
            server.peak = 0


def big_body(big_mb: int) -> None:
    cap = 20.0
    with FeedServer() as server, tempfile.TemporaryDirectory() as tmp:
        server.routes["/big.vtt"] = Route(zeros(big_mb * MB), content_type="text/vtt")
        server.routes["/big.mp3"] = Route(zeros(big_mb * MB), content_type="audio/mpeg")
        server.routes["/announced.mp3"] = Route(
            zeros(big_mb * MB), content_type="audio/mpeg", length=big_mb * MB
        )
        fetcher = Fetcher(FetchSettings())
        cases = [
            (
                "transcript, no length (read until the cap)",
                lambda: fetcher.get(server.url("/big.vtt"), cap_mb=cap),
            ),
            (
                "enclosure, no length (streamed to disk)",
                lambda: fetcher.download(server.url("/big.mp3"), Path(tmp) / "a.mp3", cap_mb=cap),
            ),
            (
                "enclosure, Content-Length announced",
                lambda: fetcher.download(server.url("/announced.mp3"), Path(tmp) / "b.mp3", cap_mb=cap),
            ),
        ]
        for label, call in cases:
            before = rss_kb()
            tracemalloc.start()
            t0 = time.perf_counter()
            try:
                call()
                outcome = "accepted (!)"
            except SourceError as exc:
                outcome = str(exc).split(": ", 1)[-1]
            took = time.perf_counter() - t0
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            time.sleep(0.2)
            print(
                f"| {label} | {big_mb} MB body, cap {cap:g} MB | {took:.2f} s | traced peak {peak / MB:.1f} MB | "
                f"max RSS {before / 1024:.0f} -> {rss_kb() / 1024:.0f} MB | refused: {outcome} |"
            )
        sent = {k: f"{v / MB:.1f} MB" for k, v in server.sent.items()}
        print(f"| bytes the server sent per path before the client hung up | {sent} |")
        fetcher.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=100)
    ap.add_argument("--delay", type=float, default=0.05)
    ap.add_argument("--per-host", type=int, default=4)
    ap.add_argument("--big-mb", type=int, default=200)
    args = ap.parse_args()
    many_feeds(args.feeds, args.delay, args.per_host)
    big_body(args.big_mb)


if __name__ == "__main__":
    main()
