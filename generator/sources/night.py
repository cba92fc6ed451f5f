"""The sources' part of a run or a check: every feed checked, then (in a run) its pending items delivered."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx

from generator.config import Settings
from generator.crashpoint import Crash, never
from generator.i18n import _
from generator.source_kinds import TRANSCRIBERS
from generator.sources import store as st
from generator.sources.check import DEFERRED, FAILED, FeedCheck, SourceReport, check_all
from generator.sources.deliver import Deliverer, Delivery, transcription_cost
from generator.sources.fetch import Fetcher

SOURCES_DIR = "sources"


def open_store(settings: Settings) -> st.SourceStore:
    return st.SourceStore(settings.paths.state / st.STORE_NAME)


def check_sources(
    settings: Settings,
    *,
    deliver: bool = True,
    dry_run: bool = False,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] | None = None,
    crash: Crash = never,
) -> list[SourceReport]:
    """Check every `[[sources]]` feed; with `deliver`, put their new transcripts into the inbox.

    A dry run fetches the feeds but records nothing and downloads nothing: it lists what a run would
    take, with the transcription cost of audio-only items. `crash`: the test hook (Delivery.crash).
    """
    TRANSCRIBERS.get(settings.transcription.backend)  # a wrong name stops here, before any fetch
    if not settings.sources:
        return []
    options = Delivery(
        settings.paths.inbox,
        settings.paths.state / SOURCES_DIR,
        settings.fetch,
        settings.transcription,
        settings.run.settle_seconds,
        dry_run,
        crash=crash,
    )
    note = progress or (lambda message: None)
    with open_store(settings) as store, Fetcher(settings.fetch, transport=transport, sleep=sleep) as fetcher:
        deliverer = Deliverer(store, fetcher, options)

        def cost_of(item: Any) -> float:
            return transcription_cost(item, None, settings.transcription)

        def one(src: Any) -> SourceReport:
            report, _feed = FeedCheck(src, store, fetcher, settings.fetch, not dry_run, cost_of).run()
            if report.error:
                note(
                    _(
                        "{name} : {status} ({error})",
                        name=report.name,
                        status=report.status,
                        error=report.error,
                    )
                )
            else:
                note(_("{name} : {status}", name=report.name, status=report.status))
            if not deliver or report.status in (FAILED, DEFERRED):
                return report
            if dry_run:
                stored = [deliverer.deliver(src.url, row) for row in deliverer.pending(src.url)]
                return replace(report, items=report.items + tuple(stored))
            return replace(report, items=tuple(deliverer.deliver_all(src.url)))

        return check_all(settings.sources, one, settings.fetch.workers)


def source_rows(settings: Settings) -> list[dict[str, Any]]:
    """For `newsletter sources`: each configured source with its last check, status and next item."""
    rows = []
    with open_store(settings) as store:
        for src in settings.sources:
            state = store.feed(src.url)
            waiting = store.items(src.url, (st.PENDING, st.CLAIMED, st.FAILED))
            delivered = store.items(src.url, (st.DELIVERED,))
            rows.append(
                {
                    "url": src.url,
                    "name": src.name or state.title or src.url,
                    "fetch_url": state.fetch_url,
                    "last_check": state.last_check,
                    "status": state.status,
                    "error": state.error,
                    "retry_at": state.retry_at,
                    "next_item": waiting[0].title if waiting else None,
                    "waiting": len(waiting),
                    "delivered": len(delivered),
                    "skipped": len(store.items(src.url, (st.SKIPPED,))),
                }
            )
    return rows
