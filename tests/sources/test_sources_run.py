"""`newsletter run` with [[sources]] on a local feed server: the issue's "Must show", end to end, offline stages."""

from __future__ import annotations

import json
import re
from collections import deque
from pathlib import Path

import pytest
from fake_speech import FakeSpeech, make_wav
from feed_server import FeedServer, Route, item, rss
from fr_episode import SENTENCES
from shared_embedder import shared_embedder  # noqa: F401 - fixture

from generator.cli import main
from generator.config import load_settings
from generator.edition import outbox
from generator.sources import SourceStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "run"
EN_VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nGood evening and welcome to Open Sky.\n"


def to_vtt(srt: str) -> str:
    blocks = []
    for block in srt.strip().split("\n\n"):
        lines = block.splitlines()
        blocks.append("\n".join([lines[1].replace(",", "."), *lines[2:]]))
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def _feeds(server: FeedServer) -> None:
    ciel = [
        item(
            "ciel-42",
            "Les étoiles variables",
            "Mon, 23 Nov 2026 20:00:00 +0100",
            description="<p>Avec Yannick Le Goff, président du club d'astronomie.</p>",
            extra='<podcast:transcript url="/t/ciel-42.en.vtt" type="text/vtt" language="en" rel="captions"/>'
            '<podcast:transcript url="/t/ciel-42.fr.vtt" type="text/vtt" language="fr"/>'
            '<podcast:chapters url="/t/ciel-42.chapters.json" type="application/json+chapters"/>',
        ),
        item(
            "ciel-41",
            "Ancien épisode",
            "Mon, 16 Nov 2026 20:00:00 +0100",
            extra='<podcast:transcript url="/t/ciel-41.fr.vtt" type="text/vtt" language="fr"/>',
        ),
    ]
    server.routes["/ciel.xml"] = Route(
        rss("Ciel Ouvert", ciel).replace(b'url="/t/', f'url="{server.base}/t/'.encode()),
        etag='"c1"',
        gzip=True,
    )
    pedales = [
        item(
            "urn:pedales:7",
            "Pédales et circuits n°7",
            "Tue, 24 Nov 2026 07:00:00 +0100",
            extra=f'<podcast:transcript url="{server.base}/t/pedales-7" type="text/srt"/>',
        )
    ]
    server.routes["/pedales.xml"] = Route(
        rss("Pédales et circuits", pedales), last_modified="Tue, 24 Nov 2026 06:00:00 GMT"
    )
    server.routes["/t/ciel-42.fr.vtt"] = Route(
        to_vtt((FIXTURES / "ciel-ouvert.srt").read_text("utf-8")).encode(), content_type="text/vtt"
    )
    server.routes["/t/ciel-42.en.vtt"] = Route(EN_VTT.encode(), content_type="text/vtt")
    server.routes["/t/ciel-42.chapters.json"] = Route(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [
                    {"startTime": 0, "title": "Accueil"},
                    {"startTime": 120, "title": "Les variables"},
                ],
            }
        ).encode(),
        content_type="application/json",
    )
    server.routes["/t/pedales-7"] = Route(
        (FIXTURES / "pedales-et-circuits.srt").read_bytes(), content_type="text/srt"
    )


def _config(root: Path, urls: list[str], transcription: str = "") -> None:
    text = "# ma config\n[run]\nsettle_seconds = 2\n"
    for url in urls:
        text += f'\n[[sources]]\nurl = "{url}"\n'
    (root / "newsletter.toml").write_text(text + transcription, encoding="utf-8")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_embedder) -> Path:  # noqa: F811
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NEWSLETTER_BACKEND", "NEWSLETTER_STYLE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(capsys) -> tuple[int, dict]:
    code = main(["run", "--json", "-q"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_two_feeds_one_edition_then_304_and_no_new_draft(workspace: Path, capsys) -> None:
    with FeedServer() as server:
        _feeds(server)
        _config(workspace, [server.url("/ciel.xml"), server.url("/pedales.xml")])
        code, doc = _run(capsys)
        assert code == 0, doc
        assert [s["status"] for s in doc["sources"]] == ["ok", "ok"]
        ciel, pedales = doc["sources"]
        assert ciel["name"] == "Ciel Ouvert" and pedales["name"] == "Pédales et circuits"
        # backfill 1: only the latest item of each feed; the French VTT, not the English captions.
        assert [(i["key"], i["status"]) for i in ciel["items"]] == [("ciel-42", "delivered")]
        assert ciel["items"][0]["transcript_url"] == server.url("/t/ciel-42.fr.vtt")
        assert not server.requests_to("/t/ciel-42.en.vtt") and not server.requests_to("/t/ciel-41.fr.vtt")
        assert pedales["items"][0]["file"].endswith(".srt")
        [draft_id] = doc["drafts"]
        meta = json.loads((workspace / "outbox" / draft_id / "draft.json").read_text("utf-8"))
        origins = {
            (s.get("feed_url"), s.get("guid"), s.get("transcript_url")) for s in meta["extra"]["sources"]
        }
        assert origins == {
            (server.url("/ciel.xml"), "ciel-42", server.url("/t/ciel-42.fr.vtt")),
            (server.url("/pedales.xml"), "urn:pedales:7", server.url("/t/pedales-7")),
        }
        md = (workspace / "outbox" / draft_id / "newsletter.md").read_text("utf-8")
        assert "Ciel Ouvert" in md and "Pédales et circuits" in md

        # Second run: conditional requests, 304, nothing new, no new draft.
        code, doc = _run(capsys)
        assert (
            code == 0 and doc["drafts"] == [] and [s["status"] for s in doc["sources"]] == ["unchanged"] * 2
        )
        assert server.requests_to("/ciel.xml")[-1].headers["If-None-Match"] == '"c1"'
        assert (
            server.requests_to("/pedales.xml")[-1].headers["If-Modified-Since"]
            == "Tue, 24 Nov 2026 06:00:00 GMT"
        )
        assert len(outbox.list_drafts(workspace / "outbox")) == 1


def test_a_malformed_feed_and_a_429_do_not_stop_the_other(workspace: Path, capsys) -> None:
    with FeedServer() as server:
        _feeds(server)
        server.routes["/casse.xml"] = Route(b"<rss><channel><title>oups</channel>")
        server.routes["/lent.xml"] = Route(b"<rss/>", faults=deque([(429, {"Retry-After": "3600"})]))
        server.routes["/bombe.xml"] = Route(
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b"<rss><channel><title>&b;</title></channel></rss>"
        )
        urls = [
            server.url(p) for p in ("/casse.xml", "/lent.xml", "/bombe.xml", "/absent.xml", "/pedales.xml")
        ]
        _config(workspace, urls)
        code = main(["sources", "check", "--json", "-q"])
        doc = json.loads(capsys.readouterr().out)
        assert code == 1
        status = {s["url"].rsplit("/", 1)[1]: (s["status"], s["error"]) for s in doc["sources"]}
        assert status["casse.xml"][0] == "failed" and "mal formé" in status["casse.xml"][1]
        assert status["lent.xml"][0] == "failed" and "HTTP 429" in status["lent.xml"][1]
        assert status["bombe.xml"][0] == "failed" and "entités XML interdites" in status["bombe.xml"][1]
        assert status["absent.xml"][0] == "failed" and "HTTP 404" in status["absent.xml"][1]
        assert status["pedales.xml"] == ("ok", None)
        assert doc["sources"][-1]["items"][0]["status"] == "new"  # check only: nothing downloaded
        assert not server.requests_to("/t/pedales-7") and not (workspace / "inbox").exists()

        # A check recorded the item as pending: the run delivers it even though the feed now answers 304.
        assert main(["sources", "-q"]) == 0
        listing = capsys.readouterr().out
        assert "prochain épisode : Pédales et circuits n°7" in listing and "HTTP 429" in listing
        settings = load_settings(None, env={}, cwd=workspace)
        with SourceStore(settings.paths.state / "sources.sqlite") as store:
            assert store.feed(server.url("/lent.xml")).retry_at is not None
        assert len(server.requests_to("/lent.xml")) == 1


@pytest.mark.slow
def test_audio_only_item_is_transcribed_in_french_and_appears_with_its_times(
    workspace: Path, capsys, tmp_path
) -> None:
    with FeedServer() as server:
        wav = tmp_path / "ep.wav"
        make_wav(wav, [(60.0, True), (1.0, False), (59.0, True)])
        server.routes["/audio/ep.wav"] = Route(wav.read_bytes(), content_type="audio/wav")
        server.routes["/octets.xml"] = Route(
            rss(
                "Octets et Croissants",
                [
                    item(
                        "oc-1",
                        "L'énergie locale",
                        "Mon, 23 Nov 2026 06:00:00 +0100",
                        extra=f'<enclosure url="{server.url("/audio/ep.wav")}" type="audio/wav" length="1920044"/>',
                    )
                ],
            )
        )
        speech = FakeSpeech([text for _, text in SENTENCES])
        speech.install(server)
        _config(
            workspace,
            [server.url("/octets.xml")],
            f'\n[transcription]\nbackend = "openai"\nbase_url = "{server.url("/v1")}"\nmax_upload_mb = 1.5\n',
        )
        code, doc = _run(capsys)
        assert code == 0, doc
        assert speech.calls and all(c["language"] == b"fr" for c in speech.calls) and len(speech.calls) == 2
        [it] = doc["sources"][0]["items"]
        assert (
            it["status"] == "delivered" and it["file"].endswith(".srt") and it["cost"] == pytest.approx(0.012)
        )
        [draft_id] = doc["drafts"]
        meta = json.loads((workspace / "outbox" / draft_id / "draft.json").read_text("utf-8"))
        [source] = meta["extra"]["sources"]
        assert source["audio_url"] == server.url("/audio/ep.wav") and source["guid"] == "oc-1"
        assert source["transcription"]["backend"] == "openai"
        md = (workspace / "outbox" / draft_id / "newsletter.md").read_text("utf-8")
        assert "Octets et Croissants" in md
        assert re.search(r"\b\d{1,2}:\d{2}\b", md), md  # the sections carry their times
        assert not list((workspace / "state" / "sources" / "audio").glob("*.wav"))  # our download, removed


def test_backend_none_lists_the_audio_item_as_skipped(workspace: Path, capsys) -> None:
    with FeedServer() as server:
        server.routes["/octets.xml"] = Route(
            rss(
                "Octets",
                [
                    item(
                        "oc-1",
                        "Sans texte",
                        "Mon, 23 Nov 2026 06:00:00 +0100",
                        extra='<enclosure url="https://exemple.fr/a.mp3" type="audio/mpeg"/>',
                    )
                ],
            )
        )
        _config(workspace, [server.url("/octets.xml")])
        assert main(["run", "-q"]) == 0
        out = capsys.readouterr().out
        assert "- Sans texte (pas de transcription)" in out
        code, doc = _run(capsys)  # listed once: a second run does not list it again
        assert code == 0 and doc["sources"][0]["status"] == "ok" and doc["sources"][0]["items"] == []
        assert main(["sources", "-q"]) == 0
        assert "1 sans transcription" in capsys.readouterr().out


@pytest.mark.slow
def test_run_reports_failing_sources_in_json_and_exit_status_and_drafts_the_good_one(
    workspace: Path, capsys
) -> None:
    with FeedServer() as server:
        _feeds(server)
        server.routes["/casse.xml"] = Route(b"<rss><channel><title>oups</channel>")
        server.routes["/lent.xml"] = Route(b"<rss/>", faults=deque([(429, {"Retry-After": "3600"})]))
        server.routes["/enorme.xml"] = Route(b"<rss>" + b" " * (11 * 1024 * 1024) + b"</rss>")
        _config(
            workspace, [server.url(p) for p in ("/casse.xml", "/lent.xml", "/enorme.xml", "/pedales.xml")]
        )
        code, doc = _run(capsys)
        assert code == 1
        status = [(s["status"], (s["error"] or "")[:40]) for s in doc["sources"]]
        assert [s for s, _ in status] == ["failed", "failed", "failed", "ok"]
        assert "mal formé" in doc["sources"][0]["error"] and "HTTP 429" in doc["sources"][1]["error"]
        assert "trop gros" in doc["sources"][2]["error"]
        assert len(doc["drafts"]) == 1 and doc["sources"][3]["items"][0]["status"] == "delivered"
        # The human output says the same, in French, one line per source.
        code = main(["run"])
        out = capsys.readouterr().out
        assert code == 1
        lines = out.splitlines()
        assert lines[0].endswith("flux mal formé (XML illisible ligne 1, colonne 27)")
        assert (
            "/lent.xml : reporté (le serveur a demandé d'attendre) — le serveur a demandé d'attendre jusqu'au"
            in lines[1]
        )
        assert "trop gros : 11,0 Mo annoncés, limite 10,0 Mo" in lines[2]
        assert lines[3] == "source Pédales et circuits : inchangé (304)"
        assert len(server.requests_to("/lent.xml")) == 1  # deferred: not asked again before its time
