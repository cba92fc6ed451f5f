"""Pending items -> transcript files in the inbox, with an `.info.json` beside each (title, date, show,
description, chapters, and where it came from: feed, GUID, transcript or audio URL).

Exactly once (see store.py): claimed before the download, renamed into the inbox whole, then
delivered. The file's mtime is set back past the inbox's settle delay: it was renamed in complete, so
the run need not wait for it to stop changing.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.atomic import write_atomic
from generator.config import FetchSettings, TranscriptionSettings
from generator.crashpoint import Crash, never
from generator.errors import NewsletterError, SourceError
from generator.i18n import N_, _
from generator.source_kinds import TRANSCRIBERS
from generator.sources import store as st
from generator.sources.audio import wav_duration
from generator.sources.check import ItemOutcome, item_from_json
from generator.sources.feed import FeedItem, choose_transcript
from generator.sources.fetch import Fetcher
from generator.sources.speech import transcribe

NO_TRANSCRIPT = N_("pas de transcription")  # translated where used
AUDIO_BYTES_PER_S = 16_000  # 128 kbit/s: the duration of audio whose feed gives only a size


@dataclass(frozen=True)
class Delivery:
    """Where and how items are delivered."""

    inbox: Path
    work: Path  # state/sources: audio being downloaded or transcribed
    fetch: FetchSettings
    transcription: TranscriptionSettings
    settle_seconds: float = 5.0
    dry_run: bool = False
    # Test hook (crashpoint, handed in by the CLI): "source_claimed" after the claim is recorded,
    # "source_placed" once the transcript is in the inbox and before it is recorded delivered.
    crash: Crash = never


def slug(text: str, limit: int = 40) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-") or "podcast"


def file_stem(feed_url: str, item: FeedItem, show: str) -> str:
    """`<show>-<date>-<8 hex of feed+key>`: stable across runs, no dot (sidecars are found by stem)."""
    day = item.published.strftime("%Y-%m-%d") if item.published else "sans-date"
    digest = hashlib.sha256(f"{feed_url}\n{item.key}".encode()).hexdigest()[:8]
    return f"{slug(show)}-{day}-{digest}"


def plain(text: str) -> str:
    """An HTML description as text: paragraphs and line breaks kept as lines, tags dropped."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", text)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</h\d>|</div>|</time>|</cite>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def transcription_cost(item: FeedItem, audio: Path | None, settings: TranscriptionSettings) -> float:
    """USD for transcribing this item's audio (0 for `none` and local engines)."""
    if not TRANSCRIBERS.get(settings.backend).paid:
        return 0.0
    seconds = (wav_duration(audio) if audio else None) or item.duration_s
    if seconds is None and item.enclosure and item.enclosure.length:
        seconds = item.enclosure.length / AUDIO_BYTES_PER_S
    return round((seconds or 0.0) / 60.0 * settings.price_per_minute, 6)


def find_delivered(inbox: Path, stem: str) -> Path | None:
    """The transcript file of this stem, in the inbox or already moved to processed/ or failed/."""
    for folder in (inbox, *sorted((inbox / "processed").glob("*")), inbox / "failed"):
        if folder.is_dir():
            for p in folder.glob(f"{stem}.*"):
                if p.suffix in (".vtt", ".srt", ".json", ".html", ".txt") and not p.name.endswith(
                    ".info.json"
                ):
                    return p
    return None


class Deliverer:
    """Delivers the pending items of one feed (called per feed; items one after the other)."""

    def __init__(self, store: st.SourceStore, fetcher: Fetcher, options: Delivery) -> None:
        self.store, self.fetcher, self.options = store, fetcher, options

    def pending(self, feed_url: str) -> list[st.ItemState]:
        """Items to deliver now: pending, claimed (interrupted), failed under the attempt limit, and
        skipped ones once a transcription backend is configured."""
        statuses = (st.PENDING, st.CLAIMED, st.FAILED)
        if TRANSCRIBERS.get(self.options.transcription.backend).transcribes:
            statuses += (st.SKIPPED,)
        rows = self.store.items(feed_url, statuses)
        return [r for r in rows if r.data and not (r.status == st.FAILED and r.attempts >= st.MAX_ATTEMPTS)]

    def deliver_all(self, feed_url: str) -> list[ItemOutcome]:
        return [self.deliver(feed_url, row) for row in self.pending(feed_url)]

    def deliver(self, feed_url: str, row: st.ItemState) -> ItemOutcome:
        item, show, language = item_from_json(row.data or "{}")
        stem = file_stem(feed_url, item, show)
        link = choose_transcript(item.transcripts, language)
        audio_url = item.enclosure.url if item.enclosure else None
        base = ItemOutcome(item.key, item.title, "", None, link.url if link else None, audio_url)
        if self.options.dry_run:
            cost = 0.0 if link else transcription_cost(item, None, self.options.transcription)
            return _with(base, "new", detail=_("serait pris"), cost=cost)
        found = find_delivered(self.options.inbox, stem)
        if found is not None:  # a crash came after the rename, before the record
            self.store.item_set(feed_url, item.key, st.DELIVERED, file=found.name, error=None)
            return _with(base, st.DELIVERED, file=found.name, detail=_("déjà dans la boîte d'entrée"))
        self.store.item_set(feed_url, item.key, st.CLAIMED, file=stem)
        self.options.crash("source_claimed")
        try:
            if link is not None:
                name, cost = self._transcript(feed_url, item, show, link.url, f"{stem}.{link.format}"), 0.0
            elif audio_url is None:
                raise SourceError(_("ni transcription ni audio dans le flux"), path=feed_url)
            elif not TRANSCRIBERS.get(self.options.transcription.backend).transcribes:
                self.store.item_set(feed_url, item.key, st.SKIPPED, error=_(NO_TRANSCRIPT))
                return _with(base, st.SKIPPED, detail=_(NO_TRANSCRIPT))
            else:
                name, cost = self._speech(feed_url, item, show, stem)
        except NewsletterError as exc:
            self.store.item_set(feed_url, item.key, st.FAILED, error=str(exc))
            return _with(base, st.FAILED, detail=str(exc))
        self.store.item_set(feed_url, item.key, st.DELIVERED, file=name, cost=cost, error=None)
        return _with(base, st.DELIVERED, file=name, cost=cost)

    def _info(self, feed_url: str, item: FeedItem, show: str, extra: dict[str, Any]) -> dict[str, Any]:
        """The yt-dlp-shaped info.json the transcript readers take, plus the item's provenance."""
        doc: dict[str, Any] = {"title": item.title, "series": show, "feed_url": feed_url, "guid": item.key}
        if item.published:
            doc["upload_date"] = item.published.strftime("%Y%m%d")
        if item.link:
            doc["webpage_url"] = item.link
        if item.description:
            doc["description"] = plain(item.description)
        chapters = self._chapters(item.chapters_url)
        if chapters:
            doc["chapters"] = chapters
        return doc | extra

    def _chapters(self, url: str | None) -> list[dict[str, Any]]:
        """`<podcast:chapters>` JSON -> yt-dlp chapters; a missing or bad file only loses the chapters."""
        if not url:
            return []
        try:
            doc = json.loads(self.fetcher.get(url, cap_mb=1.0).body)
        except (SourceError, ValueError):
            return []
        out = []
        for ch in doc.get("chapters", []) if isinstance(doc, dict) else []:
            if isinstance(ch, dict) and isinstance(ch.get("startTime"), (int, float)) and ch.get("title"):
                out.append({"start_time": float(ch["startTime"]), "title": str(ch["title"])})
        return out

    def _place(self, name: str, body: bytes, info: dict[str, Any]) -> str:
        """info.json first (a sidecar the scan ignores), then the transcript, renamed in whole."""
        inbox = self.options.inbox
        inbox.mkdir(parents=True, exist_ok=True)
        stem = name.rsplit(".", 1)[0]
        write_atomic(inbox / f"{stem}.info.json", json.dumps(info, ensure_ascii=False, indent=2).encode())
        settled = time.time() - self.options.settle_seconds - 1.0
        write_atomic(inbox / name, body, mtime=settled)
        self.options.crash("source_placed")
        return name

    def _transcript(self, feed_url: str, item: FeedItem, show: str, url: str, name: str) -> str:
        got = self.fetcher.get(url, cap_mb=self.options.fetch.max_transcript_mb)
        body = got.body
        if name.endswith(".html"):  # the readers refuse markup: its text, one line per paragraph or cue
            body = plain(body.decode("utf-8", errors="replace")).encode("utf-8")
            name = name[: -len(".html")] + ".txt"
        if not body.strip():
            raise SourceError(_("transcription vide"), path=url)
        return self._place(name, body, self._info(feed_url, item, show, {"transcript_url": url}))

    def _speech(self, feed_url: str, item: FeedItem, show: str, stem: str) -> tuple[str, float]:
        assert item.enclosure is not None
        audio_dir = self.options.work / "audio"
        audio_dir.mkdir(parents=True, exist_ok=True)
        ext = re.sub(r"[^a-z0-9]", "", Path(item.enclosure.url.split("?")[0]).suffix.lower())[:5] or "audio"
        audio = self.fetcher.download(
            item.enclosure.url, audio_dir / f"{stem}.{ext}", cap_mb=self.options.fetch.max_audio_mb
        )
        cost = transcription_cost(item, audio, self.options.transcription)
        srt = transcribe(audio, self.options.transcription, audio_dir / stem)
        assert srt is not None
        extra = {
            "audio_url": item.enclosure.url,
            "transcription": {
                "backend": self.options.transcription.backend,
                "model": self.options.transcription.model,
                "cost_estimate": cost,
            },
        }
        name = self._place(f"{stem}.srt", srt.encode("utf-8"), self._info(feed_url, item, show, extra))
        for leftover in [audio, *sorted((audio_dir / stem).glob("*"))]:
            leftover.unlink(missing_ok=True)  # our own download, not an input: the transcript now holds it
        return name, cost


def _with(base: ItemOutcome, status: str, **values: Any) -> ItemOutcome:
    return replace(base, status=status, **values)
