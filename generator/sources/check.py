"""Check every configured source: fetch its feed (conditionally), record the new items as pending.

One feed failing (down, 404, malformed, too large, asked to wait) is reported in its own
`SourceReport` and never stops the others; feeds are checked by a small thread pool, connections per
host bounded by the fetcher. Validators (ETag, Last-Modified) are stored only once the feed's new
items are recorded, so a crash in between means a full fetch next time, never a missed item.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from generator.config import FetchSettings, SourceSettings
from generator.errors import SourceError
from generator.i18n import _
from generator.source_kinds import FEED, SOURCE_KINDS
from generator.sources import store as st
from generator.sources.feed import Enclosure, Feed, FeedItem, TranscriptLink, choose_transcript, parse_feed
from generator.sources.fetch import Fetcher, RetryLater

# Report statuses of a source.
OK, UNCHANGED, FAILED, DEFERRED = "ok", "unchanged", "failed", "deferred"
MAX_NEW_PER_CHECK = 20  # a feed that renames all its GUIDs at once does not flood the night


@dataclass(frozen=True)
class ItemOutcome:
    """What happened to one item in this check or run (messages in French)."""

    key: str
    title: str
    status: str  # store statuses, or "new" in a dry run
    file: str | None = None
    transcript_url: str | None = None
    audio_url: str | None = None
    detail: str | None = None
    cost: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SourceReport:
    """One source after a check (and, in a run, after its items were delivered)."""

    url: str
    name: str
    status: str  # ok | unchanged | failed | deferred
    error: str | None = None
    fetched_url: str | None = None  # the address now used, after a permanent redirect
    items: tuple[ItemOutcome, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status in (FAILED, DEFERRED) or any(i.status == st.FAILED for i in self.items)

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["items"] = [i.to_json() for i in self.items]
        return doc


def item_to_json(item: FeedItem, show: str, language: str | None) -> str:
    doc = asdict(item)
    doc["published"] = item.published.isoformat() if item.published else None
    doc["show"], doc["feed_language"] = show, language
    return json.dumps(doc, ensure_ascii=False)


def item_from_json(data: str) -> tuple[FeedItem, str, str | None]:
    """(item, show name, feed language) as item_to_json stored them."""
    doc = json.loads(data)
    enc = doc.get("enclosure")
    item = FeedItem(
        guid=doc.get("guid"),
        title=doc.get("title") or "",
        published=dt.datetime.fromisoformat(doc["published"]) if doc.get("published") else None,
        description=doc.get("description") or "",
        link=doc.get("link"),
        enclosure=Enclosure(**enc) if enc else None,
        transcripts=tuple(TranscriptLink(**t) for t in doc.get("transcripts") or ()),
        chapters_url=doc.get("chapters_url"),
        duration_s=doc.get("duration_s"),
    )
    return item, doc.get("show") or "", doc.get("feed_language")


# How each registered source kind is read (names in generator/source_kinds.py): bytes -> Feed.
READERS: dict[str, Callable[[bytes, str], Feed]] = {FEED: parse_feed}


@dataclass
class FeedCheck:
    """One source's check: fetch, parse, record new items; `record=False` (dry run) changes nothing."""

    source: SourceSettings
    store: st.SourceStore
    fetcher: Fetcher
    fetch: FetchSettings
    record: bool = True
    cost_of: Callable[[FeedItem], float] | None = None  # dry run: the transcription cost of an audio item
    clock: Callable[[], float] = time.time
    new: list[ItemOutcome] = field(default_factory=list)

    def run(self) -> tuple[SourceReport, Feed | None]:
        src, state = self.source, self.store.feed(self.source.url)
        name = src.name or state.title or src.url
        if state.retry_at and state.retry_at > self.clock():
            when = dt.datetime.fromtimestamp(state.retry_at).strftime("%d/%m %H:%M")
            return SourceReport(
                src.url, name, DEFERRED, _("le serveur a demandé d'attendre jusqu'au {when}", when=when)
            ), None
        SOURCE_KINDS.get(src.kind)  # ConfigError naming the choices
        parse = READERS[src.kind]
        try:
            got = self.fetcher.get(
                state.fetch_url,
                cap_mb=self.fetch.max_feed_mb,
                etag=state.etag,
                last_modified=state.last_modified,
            )
            moved = {"current_url": got.permanent_url} if got.permanent_url else {}
            if got.not_modified:
                self._save(status=UNCHANGED, error=None, retry_at=None, **moved)
                return SourceReport(src.url, name, UNCHANGED, fetched_url=state.fetch_url), None
            feed = parse(got.body, got.url)
        except RetryLater as exc:
            self._save(status=FAILED, error=str(exc), retry_at=exc.retry_at)
            return SourceReport(src.url, name, FAILED, str(exc)), None
        except SourceError as exc:
            self._save(status=FAILED, error=str(exc))
            return SourceReport(src.url, name, FAILED, str(exc)), None
        name = src.name or feed.title or src.url
        self._record_new(feed, name, first=not state.seen)
        self._save(
            status=OK,
            error=None,
            retry_at=None,
            title=feed.title,
            etag=got.etag,
            last_modified=got.last_modified,
            seen=1,
            **moved,
        )
        return SourceReport(src.url, name, OK, fetched_url=got.url, items=tuple(self.new)), feed

    def _save(self, **values: Any) -> None:
        if self.record:
            self.store.feed_checked(self.source.url, **values)

    def _record_new(self, feed: Feed, name: str, *, first: bool) -> None:
        """Unknown items become pending (on first sight only the `backfill` latest; the rest is old)."""
        unknown = [i for i in feed.items if self.store.item(self.source.url, i.key) is None]
        take = unknown[: self.source.backfill] if first else unknown[:MAX_NEW_PER_CHECK]
        for item in unknown:
            status = st.PENDING if item in take else st.OLD
            link = choose_transcript(item.transcripts, feed.language)
            audio = item.enclosure.url if item.enclosure else None
            if status == st.PENDING:
                detail = (
                    _("transcription publiée")
                    if link
                    else (_("audio seulement") if audio else _("ni transcription ni audio"))
                )
                cost = self.cost_of(item) if self.cost_of and not link and audio else 0.0
                self.new.append(
                    ItemOutcome(item.key, item.title, "new", None, link and link.url, audio, detail, cost)
                )
            if self.record:
                self.store.item_set(
                    self.source.url,
                    item.key,
                    status,
                    title=item.title,
                    published=item.published.isoformat() if item.published else None,
                    transcript_url=link.url if link else None,
                    audio_url=audio,
                    data=item_to_json(item, name, feed.language),
                )


def check_all(
    sources: Sequence[SourceSettings],
    check: Callable[[SourceSettings], SourceReport],
    workers: int,
) -> list[SourceReport]:
    """Run `check` on every source at once (a pool of `workers`); reports in configuration order."""

    def one(src: SourceSettings) -> SourceReport:
        try:
            return check(src)
        except Exception as exc:  # noqa: BLE001 - one source's bug or bad entry never stops the others
            return SourceReport(src.url, src.name or src.url, FAILED, f"{type(exc).__name__}: {exc}")

    if not sources:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(sources)))) as pool:
        return list(pool.map(one, sources))
