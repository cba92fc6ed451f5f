"""Polite, bounded HTTP with httpx: conditional GET, gzip, redirects, Retry-After, size caps, resumable downloads.

A response is streamed and counted as it comes: a body larger than its cap is refused when the cap is
passed (or at once when Content-Length announces it), never read whole. Connections to one host are
bounded by a semaphore per host, so checking many feeds of one host never opens more than `per_host`.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from generator import __version__
from generator.config import FetchSettings
from generator.errors import SourceError
from generator.i18n import _, current
from generator.retry_after import retry_after

USER_AGENT = f"newsletter-generator/{__version__} (lecteur de flux de podcasts; +https://github.com/)"
PERMANENT = (301, 308)
CHUNK = 64 * 1024
MB = 1024 * 1024


class RetryLater(SourceError):
    """The server asked to come back later (429/503 with a Retry-After longer than we wait)."""

    def __init__(self, message: str, *, path: str | None = None, retry_at: float) -> None:
        super().__init__(message, path=path)
        self.retry_at = retry_at


@dataclass(frozen=True)
class Fetched:
    """A response read whole (under its cap), or a 304."""

    status: int  # 200 (any 2xx) or 304
    url: str  # where the body came from, after redirects
    permanent_url: str | None  # the new address when every redirect on the way was permanent
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _mb(n: float) -> str:
    """ "11,0 Mo" in French, "11.0 MB" in English."""
    return _("{size} Mo", size=current().number(n / MB, 1))


class Fetcher:
    """One httpx client shared by every source of a check (thread-safe), with a semaphore per host."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.sleep, self.clock = sleep, clock
        timeout = httpx.Timeout(settings.timeout, connect=min(10.0, settings.timeout))
        limits = httpx.Limits(
            max_connections=max(settings.workers, settings.per_host) * 2,
            max_keepalive_connections=max(settings.workers, settings.per_host),
        )
        self.client = httpx.Client(
            follow_redirects=True,
            max_redirects=5,
            timeout=timeout,
            limits=limits,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
        )
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ per-host bound

    def _host_slot(self, url: str) -> threading.BoundedSemaphore:
        host = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            if host not in self._hosts:
                self._hosts[host] = threading.BoundedSemaphore(self.settings.per_host)
            return self._hosts[host]

    # ------------------------------------------------------------------ requests

    def get(
        self, url: str, *, cap_mb: float, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET `url` (conditional when a validator is given), honouring one short Retry-After."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for attempt in range(2):
            wait = self._attempt(url, headers, cap_mb, last=attempt == 1)
            if isinstance(wait, Fetched):
                return wait
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, url: str, headers: dict[str, str], cap_mb: float, *, last: bool) -> Fetched | float:
        """One request: the response, or the seconds to wait before the one retry."""
        slot = self._host_slot(url)
        with slot:
            try:
                with self.client.stream("GET", url, headers=headers) as r:
                    status = r.status_code
                    if status in (429, 503):
                        return self._retry_wait(r, url, last=last)
                    if status == 304:
                        return self._fetched(r, b"")
                    if status >= 400:
                        raise SourceError(_("le serveur répond HTTP {status}", status=status), path=url)
                    return self._fetched(r, self._read_capped(r, url, cap_mb))
            except httpx.HTTPError as exc:
                raise SourceError(_network_message(exc), path=url) from None

    def _retry_wait(self, r: httpx.Response, url: str, *, last: bool) -> float:
        now = self.clock()
        wait = retry_after(r.headers.get("Retry-After"), now)
        limit = self.settings.max_retry_wait_s
        if last or wait is None or wait > limit:
            delay = wait if wait is not None else 3600.0
            when = dt.datetime.fromtimestamp(now + delay).strftime("%d/%m %H:%M:%S")
            raise RetryLater(
                _(
                    "le serveur demande d'attendre (HTTP {status}, Retry-After {delay} s) : "
                    "nouvel essai après {when}",
                    status=r.status_code,
                    delay=format(delay, "g"),
                    when=when,
                ),
                path=url,
                retry_at=now + delay,
            )
        return wait

    def _read_capped(self, r: httpx.Response, url: str, cap_mb: float) -> bytes:
        cap = int(cap_mb * MB)
        announced = r.headers.get("Content-Length", "")
        encoded = r.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
        if announced.isdigit() and not encoded and int(announced) > cap:
            raise SourceError(
                _("trop gros : {size} annoncés, limite {cap}", size=_mb(int(announced)), cap=_mb(cap)),
                path=url,
            )
        body = bytearray()
        for chunk in r.iter_bytes(CHUNK):  # decoded (gzip) bytes: the cap also stops a gzip bomb
            body += chunk
            if len(body) > cap:
                raise SourceError(_("trop gros : plus de {cap}, lecture arrêtée", cap=_mb(cap)), path=url)
        return bytes(body)

    def _fetched(self, r: httpx.Response, body: bytes) -> Fetched:
        permanent = None
        if r.history and all(h.status_code in PERMANENT for h in r.history):
            permanent = str(r.url)
        return Fetched(
            r.status_code,
            str(r.url),
            permanent,
            body,
            r.headers.get("ETag"),
            r.headers.get("Last-Modified"),
            r.headers.get("Content-Type", ""),
        )

    def download(self, url: str, target: Path, *, cap_mb: float) -> Path:
        """Stream `url` into `target` (atomically renamed), resuming a `.part` left by an interrupted try."""
        part = target.with_name(f".{target.name}.part")
        have = part.stat().st_size if part.exists() else 0
        headers = {"Accept-Encoding": "identity"}
        if have:
            headers["Range"] = f"bytes={have}-"
        cap = int(cap_mb * MB)
        with self._host_slot(url):
            try:
                with self.client.stream("GET", url, headers=headers) as r:
                    self._write_part(r, url, part, have, cap)
            except httpx.HTTPError as exc:
                raise SourceError(_network_message(exc), path=url) from None
        os.replace(part, target)
        return target

    def _write_part(self, r: httpx.Response, url: str, part: Path, have: int, cap: int) -> None:
        if r.status_code in (429, 503):
            self._retry_wait(r, url, last=True)
        if r.status_code >= 400 and r.status_code != 416:
            raise SourceError(_("le serveur répond HTTP {status}", status=r.status_code), path=url)
        resumed = r.status_code == 206 and r.headers.get("Content-Range", "").startswith(f"bytes {have}-")
        start = have if resumed else 0
        announced = r.headers.get("Content-Length", "")
        if r.status_code == 416:  # the part is already whole
            return
        if announced.isdigit() and start + int(announced) > cap:
            raise SourceError(
                _(
                    "trop gros : {size} annoncés, limite {cap}",
                    size=_mb(start + int(announced)),
                    cap=_mb(cap),
                ),
                path=url,
            )
        size = start
        with part.open("r+b" if resumed else "wb") as fh:
            fh.seek(start)
            for chunk in r.iter_raw(CHUNK):
                size += len(chunk)
                if size > cap:
                    raise SourceError(
                        _("trop gros : plus de {cap}, téléchargement arrêté", cap=_mb(cap)), path=url
                    )
                fh.write(chunk)
            fh.truncate()
            fh.flush()
            os.fsync(fh.fileno())


def _network_message(exc: Any) -> str:
    """One line for an httpx failure, in the process's language."""
    if isinstance(exc, httpx.TimeoutException):
        return _("délai dépassé (le serveur ne répond pas)")
    if isinstance(exc, httpx.TooManyRedirects):
        return _("trop de redirections")
    if isinstance(exc, httpx.ConnectError):
        return _("serveur injoignable (connexion refusée ou nom inconnu)")
    if isinstance(exc, httpx.DecodingError):
        return _("réponse compressée illisible")
    return _("échec réseau ({error})", error=type(exc).__name__)
