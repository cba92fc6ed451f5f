"""Exactly once: backfill, a feed that changes between checks, crashes between download and record, `sources add`."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from feed_server import FeedServer, Route, item, rss

from generator.cli import main
from generator.config import SourceSettings, load_settings
from generator.errors import ConfigError
from generator.sources import SourceStore, append_source, check_sources
from generator.sources import store as st

SRT = "1\n00:00:01,000 --> 00:00:04,000\nBonjour et bienvenue dans l'émission.\n"


def _items(server: FeedServer, n: int) -> list[str]:
    out = []
    for k in range(1, n + 1):
        server.routes[f"/t/{k}.srt"] = Route(
            SRT.replace("Bonjour", f"Bonjour {k}").encode(), content_type="text/srt"
        )
        out.append(
            item(
                f"ep-{k}",
                f"Épisode {k}",
                f"Mon, {k:02d} Nov 2026 06:00:00 +0100",
                extra=f'<podcast:transcript url="{server.url(f"/t/{k}.srt")}" type="application/srt" language="fr"/>',
            )
        )
    return out


@pytest.fixture
def setup(tmp_path: Path):
    with FeedServer() as server:
        settings = load_settings(None, env={}, cwd=tmp_path)
        settings = replace(settings, sources=(SourceSettings(server.url("/f.xml"), backfill=2),))
        yield server, settings


def _inbox(settings) -> list[str]:
    return sorted(p.name for p in settings.paths.inbox.glob("*.srt"))


def test_backfill_then_only_what_the_changed_feed_adds(setup) -> None:
    server, settings = setup
    server.routes["/f.xml"] = Route(rss("Émission", _items(server, 5)), etag='"v5"')
    [report] = check_sources(settings)
    assert [(i.key, i.status) for i in report.items] == [("ep-4", "delivered"), ("ep-5", "delivered")]
    assert len(_inbox(settings)) == 2
    # The feed changes: one new episode; the run takes it alone (the back catalogue stays old).
    server.routes["/f.xml"] = Route(rss("Émission", _items(server, 6)), etag='"v6"')
    [report] = check_sources(settings)
    assert [(i.key, i.status) for i in report.items] == [("ep-6", "delivered")]
    assert len(_inbox(settings)) == 3
    assert [r.path for r in server.requests if r.path.startswith("/t/")] == [
        "/t/4.srt",
        "/t/5.srt",
        "/t/6.srt",
    ]
    info = json.loads(next(settings.paths.inbox.glob("*.info.json")).read_text("utf-8"))
    assert (
        info["series"] == "Émission"
        and info["feed_url"] == server.url("/f.xml")
        and info["guid"].startswith("ep-")
    )


def test_a_permanent_redirect_moves_the_stored_address(setup) -> None:
    server, settings = setup
    server.routes["/f.xml"] = Route(redirect=(301, "/nouveau.xml"))
    server.routes["/nouveau.xml"] = Route(rss("Émission", _items(server, 1)))
    check_sources(settings)
    check_sources(settings)
    assert [r.path for r in server.requests if r.path.endswith(".xml")] == [
        "/f.xml",
        "/nouveau.xml",
        "/nouveau.xml",
    ]
    with SourceStore(settings.paths.state / st.STORE_NAME) as store:
        assert store.feed(server.url("/f.xml")).fetch_url == server.url("/nouveau.xml")


def test_crash_after_the_file_landed_before_the_record(setup) -> None:
    """The row says claimed, the file is in the inbox (or already processed): delivered, no second download."""
    server, settings = setup
    server.routes["/f.xml"] = Route(rss("Émission", _items(server, 1)))
    check_sources(settings)
    with SourceStore(settings.paths.state / st.STORE_NAME) as store:
        store.item_set(server.url("/f.xml"), "ep-1", st.CLAIMED)  # as if killed before the last write
    [name] = _inbox(settings)
    processed = settings.paths.inbox / "processed" / "2026-11-23"
    processed.mkdir(parents=True)
    os.rename(settings.paths.inbox / name, processed / name)  # the night even moved it already
    [report] = check_sources(settings)
    assert [(i.key, i.status, i.detail) for i in report.items] == [
        ("ep-1", "delivered", "déjà dans la boîte d'entrée")
    ]
    assert len(server.requests_to("/t/1.srt")) == 1 and _inbox(settings) == []


def test_crash_before_the_file_landed(setup) -> None:
    """Claimed but no file: downloaded again (nothing lost), once."""
    server, settings = setup
    server.routes["/f.xml"] = Route(rss("Émission", _items(server, 1)), etag='"v1"')
    server.routes["/t/1.srt"] = Route(b"", status=500)
    [report] = check_sources(settings)
    assert report.items[0].status == "failed"
    server.routes["/t/1.srt"] = Route(SRT.encode(), content_type="text/srt")
    with SourceStore(settings.paths.state / st.STORE_NAME) as store:
        store.item_set(server.url("/f.xml"), "ep-1", st.CLAIMED)
    [report] = check_sources(settings)  # the feed answers 304; the claimed item is still delivered
    assert report.status == "unchanged" and [(i.key, i.status) for i in report.items] == [
        ("ep-1", "delivered")
    ]
    assert len(_inbox(settings)) == 1
    [report] = check_sources(settings)
    assert report.items == () and len(_inbox(settings)) == 1


def test_a_transcript_too_large_fails_its_item_only(setup) -> None:
    server, settings = setup
    settings = replace(settings, fetch=replace(settings.fetch, max_transcript_mb=0.001))
    server.routes["/f.xml"] = Route(rss("Émission", _items(server, 2)))
    server.routes["/t/2.srt"] = Route(b"x" * 5000, content_type="text/srt")
    [report] = check_sources(settings)
    status = {i.key: (i.status, i.detail) for i in report.items}
    assert (
        status["ep-1"][0] == "delivered"
        and status["ep-2"][0] == "failed"
        and "trop gros" in status["ep-2"][1]
    )
    assert report.failed


def test_sources_add_validates_and_keeps_comments(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "newsletter.toml"
    config.write_text(
        "# Ma configuration, commentée à la main\n[run]\nsettle_seconds = 2  # court\n", encoding="utf-8"
    )
    with FeedServer() as server:
        server.routes["/f.xml"] = Route(rss("Émission", _items(server, 3)))
        server.routes["/page.html"] = Route(b"<html><body>Bonjour</body></html>", content_type="text/html")
        assert main(["sources", "add", server.url("/f.xml"), "--name", "Mon émission"]) == 0
        assert "ajouté" in capsys.readouterr().out
        assert main(["sources", "add", server.url("/page.html")]) == 2
        assert "pas un flux RSS ou Atom" in capsys.readouterr().err
        assert main(["sources", "add", server.url("/f.xml")]) == 2
        assert "déjà dans la configuration" in capsys.readouterr().err
        server.routes["/g.xml"] = Route(rss("Autre", []))
        assert main(["sources", "add", server.url("/g.xml"), "--backfill", "3"]) == 0
    text = config.read_text("utf-8")
    assert (
        text.startswith("# Ma configuration, commentée à la main\n") and "settle_seconds = 2  # court" in text
    )
    settings = load_settings(None, env={}, cwd=tmp_path)
    assert settings.sources == (
        SourceSettings(server.url("/f.xml"), "Mon émission", 1),
        SourceSettings(server.url("/g.xml"), None, 3),
    )


def test_append_source_refuses_a_non_list(tmp_path: Path) -> None:
    config = tmp_path / "newsletter.toml"
    config.write_text('sources = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[\[sources\]\]"):
        append_source(config, "https://h/f.xml")


@pytest.mark.parametrize(
    "table, words",
    [
        ("name = 'x'", r"url \(texte\) est obligatoire"),
        ("url = 'ftp://h/f'", "http:// ou https://"),
        ("url = 'https://h/f'\nbackfill = -1", "backfill"),
        ("url = 'https://h/f'\nfoo = 1", "clé inconnue foo"),
    ],
)
def test_bad_sources_tables(tmp_path: Path, table: str, words: str) -> None:
    (tmp_path / "newsletter.toml").write_text(f"[[sources]]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=words):
        load_settings(None, env={}, cwd=tmp_path)


def test_dry_run_estimates_the_transcription_and_changes_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NEWSLETTER_BACKEND"):
        monkeypatch.delenv(var, raising=False)
    with FeedServer() as server:
        server.routes["/f.xml"] = Route(
            rss(
                "Octets",
                [
                    item(
                        "oc-1",
                        "Audio seul",
                        "Mon, 23 Nov 2026 06:00:00 +0100",
                        extra='<enclosure url="https://exemple.fr/a.mp3" type="audio/mpeg" length="1"/>'
                        "<itunes:duration>50:00</itunes:duration>",
                    )
                ],
            ),
            etag='"v1"',
        )
        (tmp_path / "newsletter.toml").write_text(
            f'[[sources]]\nurl = "{server.url("/f.xml")}"\n[transcription]\nbackend = "openai"\n'
            f'base_url = "{server.url("/v1")}"\n',
            encoding="utf-8",
        )
        assert main(["run", "--dry-run", "--json", "-q"]) == 0
        doc = json.loads(capsys.readouterr().out)
        [it] = doc["sources"][0]["items"]
        assert it["status"] == "new" and it["cost"] == pytest.approx(0.30)  # 50 min at $0.006
        assert doc["transcription_cost_estimate"] == pytest.approx(0.30)
        assert not any(r.method == "POST" for r in server.requests) and not (tmp_path / "inbox").exists()
        # Nothing recorded: the real run fetches in full (no validator stored) and finds the item new.
        assert main(["sources", "check", "--json", "-q"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert [i["key"] for i in doc["sources"][0]["items"]] == ["oc-1"]
        assert "If-None-Match" not in server.requests_to("/f.xml")[1].headers


def test_unknown_transcription_backend_is_refused_from_the_registry(tmp_path: Path) -> None:
    (tmp_path / "newsletter.toml").write_text('[transcription]\nbackend = "whisperx"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape("none | openai | faster-whisper")):
        load_settings(None, env={}, cwd=tmp_path)


def test_an_html_only_transcript_arrives_as_text_the_readers_take(setup, capsys) -> None:
    server, settings = setup
    page = (
        "<html><head><style>p{}</style></head><body>"
        "<cite>Marie Dubois :</cite><time>00:00:05</time><p>Bonjour et bienvenue dans Octets, l'émission du lundi.</p>"
        "<cite>Paul Martin :</cite><time>00:01:10</time><p>Aujourd'hui on parle des batteries &amp; du recyclage.</p>"
        "</body></html>"
    )
    server.routes["/t/1.html"] = Route(page.encode(), content_type="text/html")
    server.routes["/f.xml"] = Route(
        rss(
            "Octets",
            [
                item(
                    "h-1",
                    "HTML",
                    "Mon, 23 Nov 2026 06:00:00 +0100",
                    extra=f'<podcast:transcript url="{server.url("/t/1.html")}" type="text/html"/>',
                )
            ],
        )
    )
    [report] = check_sources(settings)
    [it] = report.items
    assert it.status == "delivered" and it.file.endswith(".txt")
    text = (settings.paths.inbox / it.file).read_text("utf-8")
    assert "<" not in text and "batteries & du recyclage" in text and "00:01:10" in text
    assert main(["inspect", str(settings.paths.inbox / it.file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "Octets" in json.dumps(doc, ensure_ascii=False)  # the show, from the .info.json beside it


def test_a_check_refuses_while_another_holds_the_sources_lock(tmp_path: Path, monkeypatch, capsys) -> None:
    from generator.nightly.lock import RunLock

    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsletter.toml").write_text(
        '[[sources]]\nurl = "http://127.0.0.1:9/f.xml"\n', encoding="utf-8"
    )
    with RunLock(tmp_path / "state" / "sources.lock", command="sources"):
        assert main(["sources", "check", "-q"]) == 2
    assert "sources" in capsys.readouterr().err
    assert main(["sources", "check", "-q"]) == 1  # free again: the (unreachable) feed is checked and fails
