"""Fetching against a real server on 127.0.0.1: conditional GET, gzip, redirects, Retry-After, caps."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
from feed_server import FeedServer, Route, zeros

from generator.config import FetchSettings
from generator.errors import SourceError
from generator.retry_after import retry_after
from generator.sources import USER_AGENT, Fetcher
from generator.sources.fetch import RetryLater

MB = 1024 * 1024


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


def _fetcher(sleeps: list[float] | None = None, **kw) -> Fetcher:
    settings = FetchSettings(**({"timeout": 5.0} | kw))
    return Fetcher(settings, sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_conditional_get_sends_validators_and_304_means_nothing_new(server):
    server.routes["/f.xml"] = Route(b"<rss/>", etag='"v1"', last_modified="Mon, 23 Nov 2026 05:00:00 GMT")
    with _fetcher() as f:
        first = f.get(server.url("/f.xml"), cap_mb=1)
        again = f.get(server.url("/f.xml"), cap_mb=1, etag=first.etag, last_modified=first.last_modified)
    assert first.status == 200 and first.body == b"<rss/>" and first.etag == '"v1"'
    assert again.not_modified and again.body == b""
    sent = server.requests_to("/f.xml")[1].headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Mon, 23 Nov 2026 05:00:00 GMT"
    assert sent["User-Agent"] == USER_AGENT and "newsletter-generator" in USER_AGENT


def test_gzip_is_asked_for_and_decoded(server):
    body = b"<rss>" + "é".encode() * 5000 + b"</rss>"
    server.routes["/g.xml"] = Route(body, gzip=True)
    with _fetcher() as f:
        got = f.get(server.url("/g.xml"), cap_mb=1)
    assert got.body == body and "gzip" in server.requests[0].headers["Accept-Encoding"]
    assert server.sent["/g.xml"] < len(body) / 10  # it travelled compressed


@pytest.mark.parametrize("code, permanent", [(301, True), (308, True), (302, False), (307, False)])
def test_redirects_are_followed_and_only_permanent_ones_move_the_feed(server, code, permanent):
    server.routes["/old.xml"] = Route(redirect=(code, "/new.xml"))
    server.routes["/new.xml"] = Route(b"<rss/>")
    with _fetcher() as f:
        got = f.get(server.url("/old.xml"), cap_mb=1)
    assert got.body == b"<rss/>" and got.url == server.url("/new.xml")
    assert got.permanent_url == (server.url("/new.xml") if permanent else None)


def test_a_short_retry_after_is_waited_once(server):
    server.routes["/f.xml"] = Route(b"<rss/>", faults=deque([(429, {"Retry-After": "2"})]))
    sleeps: list[float] = []
    with _fetcher(sleeps) as f:
        assert f.get(server.url("/f.xml"), cap_mb=1).body == b"<rss/>"
    assert sleeps == [2.0] and len(server.requests_to("/f.xml")) == 2


def test_a_long_retry_after_defers_the_feed_without_waiting(server):
    server.routes["/f.xml"] = Route(b"<rss/>", faults=deque([(503, {"Retry-After": "3600"})]))
    sleeps: list[float] = []
    with _fetcher(sleeps) as f, pytest.raises(RetryLater, match="Retry-After 3600 s") as err:
        f.get(server.url("/f.xml"), cap_mb=1)
    assert sleeps == [] and err.value.retry_at > 0 and len(server.requests) == 1


def test_retry_after_as_a_date():
    assert retry_after("Mon, 23 Nov 2026 06:00:30 GMT", 1795413600.0) == pytest.approx(30, abs=1)
    assert retry_after("bientôt", 0) is None


@pytest.mark.parametrize("status", [404, 500])
def test_errors_are_one_french_line(server, status):
    server.routes["/f.xml"] = Route(faults=deque([(status, {})]))
    with _fetcher() as f, pytest.raises(SourceError, match=f"HTTP {status}"):
        f.get(server.url("/f.xml"), cap_mb=1)


def test_a_server_that_is_down():
    with _fetcher(timeout=2.0) as f, pytest.raises(SourceError, match="injoignable"):
        f.get("http://127.0.0.1:9/f.xml", cap_mb=1)


def test_a_200_mb_body_announced_is_refused_before_reading(server):
    server.routes["/big.vtt"] = Route(zeros(200 * MB), length=200 * MB)
    with _fetcher() as f, pytest.raises(SourceError, match="trop gros : 200,0 Mo annoncés"):
        f.get(server.url("/big.vtt"), cap_mb=20)
    assert server.sent.get("/big.vtt", 0) < 20 * MB


def test_a_200_mb_body_without_length_is_cut_at_the_cap(server):
    server.routes["/big.vtt"] = Route(zeros(200 * MB))
    with _fetcher() as f, pytest.raises(SourceError, match="plus de 2,0 Mo"):
        f.get(server.url("/big.vtt"), cap_mb=2)
    assert server.sent.get("/big.vtt", 0) < 100 * MB  # the client hung up long before the end


def test_download_is_streamed_to_disk_capped_and_atomic(server, tmp_path: Path):
    server.routes["/a.mp3"] = Route(zeros(3 * MB), content_type="audio/mpeg", length=3 * MB)
    with _fetcher() as f:
        path = f.download(server.url("/a.mp3"), tmp_path / "a.mp3", cap_mb=5)
        assert path.stat().st_size == 3 * MB
        with pytest.raises(SourceError, match="trop gros"):
            f.download(server.url("/a.mp3"), tmp_path / "b.mp3", cap_mb=1)
    assert not (tmp_path / "b.mp3").exists()


def test_an_interrupted_download_resumes_with_a_range_request(server, tmp_path: Path):
    audio = bytes(range(256)) * 4096  # 1 MB
    server.routes["/a.mp3"] = Route(audio, content_type="audio/mpeg", ranges=True)
    (tmp_path / ".a.mp3.part").write_bytes(audio[:300_000])  # what a killed run left
    with _fetcher() as f:
        path = f.download(server.url("/a.mp3"), tmp_path / "a.mp3", cap_mb=5)
    assert path.read_bytes() == audio and not (tmp_path / ".a.mp3.part").exists()
    assert (
        server.requests[0].headers["Range"] == "bytes=300000-"
        and server.sent["/a.mp3"] == len(audio) - 300_000
    )


def test_a_server_ignoring_range_restarts_the_download(server, tmp_path: Path):
    audio = b"RIFF" + b"x" * 10_000
    server.routes["/a.wav"] = Route(audio, content_type="audio/wav")
    (tmp_path / ".a.wav.part").write_bytes(b"garbage")
    with _fetcher() as f:
        assert f.download(server.url("/a.wav"), tmp_path / "a.wav", cap_mb=1).read_bytes() == audio
