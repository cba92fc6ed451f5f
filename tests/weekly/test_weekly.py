"""The weekly edition (issue 25), offline, on our own French week of five short shows.

Week 1 (23-27 November 2026): *Octets du Matin* and *Le Fil Numérique* tell the story of NavéoCloud's
underwater data centre in different words; *Terre Numérique* presents the start-up Potagix. Week 2
adds *Octets du Matin* of 1 December, back on the data centre with new figures.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from shared_embedder import _SHARED, shared_embedder  # noqa: F401 - fixture

from generator import weekly
from generator.cli import main
from generator.config import load_settings
from generator.edition import outbox
from generator.errors import ConfigError
from generator.topics.embeddings import USEEmbedder

WEEK = FIXTURES / "weekly"
OCTETS, FIL, TERRE, CODEURS, OCTETS2 = (
    WEEK / "octets-2026-11-23.srt",
    WEEK / "fil-2026-11-25.srt",
    WEEK / "terre-2026-11-26.srt",
    WEEK / "codeurs-2026-11-27.srt",
    WEEK / "octets-2026-12-01.srt",
)
WEEK1 = [OCTETS, FIL, TERRE, CODEURS]
WEEK2 = [FIL, TERRE, CODEURS, OCTETS2]  # overlaps week 1 (three of its episodes) plus a new one


def embedder() -> USEEmbedder:
    if not _SHARED:
        _SHARED.append(USEEmbedder())
    return _SHARED[0]


def settings_in(root: Path, **toml: str):
    root.mkdir(parents=True, exist_ok=True)
    lines = [f"[{section}]\n{body}\n" for section, body in toml.items()]
    (root / "newsletter.toml").write_text("".join(lines), encoding="utf-8")
    for name in ("inbox", "outbox", "state"):
        (root / name).mkdir(exist_ok=True)
    return load_settings(root / "newsletter.toml", env={})


def build(root: Path, files: list[Path], until: dt.date, **toml: str) -> weekly.WeeklyResult:
    settings = settings_in(root, **toml)
    options = weekly.WeeklyOptions(weekly.window(None, until, today=until))
    return weekly.build(files, settings, options, weekly.WeeklyTools(embedder()))


def shows(idea: dict) -> set[str]:
    return {s["show"] for s in idea["sources"]}


def datacentre(doc: dict) -> list[dict]:
    return [i for i in doc["ideas"] if {"Octets du Matin", "Le Fil Numérique"} <= shows(i)]


@pytest.fixture(scope="module")
def week1(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, weekly.WeeklyResult]:
    root = tmp_path_factory.mktemp("week1")
    # The same episode given twice, and once more as WebVTT (another format, another hash).
    vtt = root / "octets-copie.vtt"
    vtt.write_text(_srt_to_vtt(OCTETS.read_text(encoding="utf-8")), encoding="utf-8")
    result = build(root, [*WEEK1, OCTETS, vtt], dt.date(2026, 11, 28))
    return root, result


def _srt_to_vtt(srt: str) -> str:
    lines = ["WEBVTT", ""]
    for line in srt.splitlines():
        lines.append(line.replace(",", ".") if "-->" in line else line)
    return "\n".join(lines) + "\n"


def test_the_shared_story_is_one_idea_citing_both_shows(week1):
    root, result = week1
    doc = result.to_json()
    assert len(doc["ideas"]) == 3 and doc["project"] is not None  # Cybernetica: three ideas and a project
    assert len({s for i in doc["ideas"] for s in shows(i)}) >= 2
    shared = datacentre(doc)
    assert len(shared) == 1, [i["title"] for i in doc["ideas"]]
    assert all(s["start"] and s["date"] for s in shared[0]["sources"])
    # Nowhere else in the edition: no other idea, nor the project, is told by the same topics.
    keys = [(s["sha256"], s["start_s"]) for i in [*doc["ideas"], doc["project"]] for s in i["sources"]]
    assert len(keys) == len(set(keys))
    md = result.draft.file("md").read_text(encoding="utf-8")
    assert "Voici trois idées pour cette semaine et un projet." in md
    assert "Aussi dans" in md and md.count("NavéoCloud") >= 1
    assert "Le projet de la semaine" in md and "Potagix" in doc["project"]["title"] + md


def test_the_same_episode_twice_or_in_two_formats_counts_once(week1):
    _, result = week1
    doc = result.to_json()
    assert len(doc["episodes"]) == 4
    octets = next(e for e in doc["episodes"] if e["show"] == "Octets du Matin")
    reasons = sorted(d["reason"] for d in octets["duplicates"])
    assert reasons == ["same_file", "same_speech"]
    assert sum(1 for s in datacentre(doc)[0]["sources"] if s["show"] == "Octets du Matin") == 1


def test_why_each_idea_was_chosen_is_for_the_reviewer_only(week1):
    _, result = week1
    meta = json.loads((result.draft.path / "draft.json").read_text(encoding="utf-8"))
    ideas = meta["extra"]["weekly"]["ideas"]
    assert all(i["why"] for i in ideas)
    assert any("deux émissions" in w for w in datacentre({"ideas": ideas})[0]["why"])
    left = meta["extra"]["weekly"]["left_out"]
    assert left and all(item["why"] for item in left)
    for fmt in ("md", "txt", "html"):
        text = result.draft.file(fmt).read_text(encoding="utf-8")
        assert "racontée par" not in text and "min d'antenne" not in text


def test_after_approval_next_week_repeats_nothing_unless_follow_up(tmp_path: Path):
    root = tmp_path / "news"
    first = build(root, WEEK1, dt.date(2026, 11, 28))
    outbox.approve(root / "outbox", first.draft.id)
    second = build(root, WEEK2, dt.date(2026, 12, 2))
    before = first.to_json()
    told = {(s["sha256"], s["start_s"]) for i in [*before["ideas"], before["project"]] for s in i["sources"]}
    after = second.to_json()
    for idea in [*after["ideas"], *([after["project"]] if after["project"] else [])]:
        again = {(s["sha256"], s["start_s"]) for s in idea["sources"]} & told
        assert not again or idea["follow_up"], idea["title"]
    follow = [i for i in after["ideas"] if i["follow_up"]]
    assert len(follow) == 1 and "Octets du Matin" in shows(follow[0])
    assert follow[0]["follow_up"]["draft"] == first.draft.id
    assert follow[0]["follow_up"]["new_figures"]  # what changed: the new figures of 1 December
    md = second.draft.file("md").read_text(encoding="utf-8")
    assert "Suite de « " in md
    left = {item["reason"] for item in after["left_out"]}
    assert "covered" in left


def test_a_rejected_edition_teaches_nothing(tmp_path: Path):
    root = tmp_path / "news"
    first = build(root, WEEK1, dt.date(2026, 11, 28))
    outbox.reject(root / "outbox", first.draft.id, "pas cette semaine")
    again = build(root, WEEK1, dt.date(2026, 11, 29)).to_json()
    assert [i["title"] for i in again["ideas"]] == [i["title"] for i in first.to_json()["ideas"]]
    assert not any(i["follow_up"] for i in again["ideas"])


def test_cli_generate_weekly_json_and_pins(tmp_path: Path, monkeypatch, capsys, shared_embedder):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    settings_in(tmp_path)
    assert main(["weekly", "drop", "NavéoCloud", "--until", "2026-12-04"]) == 0
    assert main(["weekly", "pin", "fibre", "optique", "--until", "2026-12-04"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(weekly.window.__globals__["dt"], "date", _Today)
    code = main(["generate", "--weekly", *map(str, WEEK1), "--json", "-q"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and Path(doc["path"]).is_dir()
    assert set(doc) >= {"episodes", "ideas", "project"}
    assert all(set(i) >= {"title", "sources", "follow_up"} for i in doc["ideas"])
    assert all(set(s) >= {"file", "show", "date", "start"} for i in doc["ideas"] for s in i["sources"])
    assert not datacentre(doc)  # dropped by the editor
    assert any(item["reason"] == "dropped" for item in doc["left_out"])
    pinned = [i for i in doc["ideas"] if i["pinned"]]
    assert pinned and doc["ideas"][0] is pinned[0]
    assert main(["generate", "--weekly", str(OCTETS), "--dry-run", "-q"]) == 2
    assert "--dry-run" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["weekly", "--help"])
    assert "--dry-run" not in capsys.readouterr().out  # not offered where there is no estimate


class _Today(dt.date):
    @classmethod
    def today(cls) -> dt.date:
        return dt.date(2026, 12, 4)


def test_weekly_reads_the_nightly_drafts_of_the_window(tmp_path: Path, monkeypatch, capsys, shared_embedder):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    settings_in(tmp_path)
    processed = tmp_path / "inbox" / "processed"
    for day, path in zip(("2026-11-23", "2026-11-25", "2026-11-26", "2026-11-27"), WEEK1, strict=True):
        # The night moved each input to processed/<day>/; its draft still names the inbox path.
        (processed / day).mkdir(parents=True)
        moved = processed / day / path.name
        shutil.copy(path, moved)
        shutil.copy(path.with_suffix(".info.json"), processed / day / path.with_suffix(".info.json").name)
        _nightly_draft(tmp_path / "outbox", day, tmp_path / "inbox" / path.name, moved)
    _nightly_draft(tmp_path / "outbox", "2026-12-01", tmp_path / "inbox" / OCTETS2.name, OCTETS2)  # outside
    code = main(["weekly", "--since", "2026-11-22", "--until", "2026-11-28", "--json", "-q"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and len(doc["episodes"]) == 4
    assert {e["show"] for e in doc["episodes"]} == {
        "Octets du Matin",
        "Le Fil Numérique",
        "Terre Numérique",
        "Le Club des Codeurs",
    }
    assert len(datacentre(doc)) == 1
    assert main(["weekly", "--since", "2026-12-05", "--until", "2026-12-06", "-q"]) == 2
    assert "aucune émission" in capsys.readouterr().err


def _nightly_draft(out: Path, day: str, recorded: Path, real: Path) -> None:
    import hashlib

    folder = out / f"{day}-nuit"
    folder.mkdir(parents=True)
    doc = {
        "status": "draft",
        "created": f"{day}T06:00:00+00:00",
        "title": "nuit",
        "sources": [{"path": str(recorded), "sha256": hashlib.sha256(real.read_bytes()).hexdigest()}],
    }
    (folder / "draft.json").write_text(json.dumps(doc), encoding="utf-8")


def test_cafetech_leads_with_one_story_and_no_project(tmp_path: Path):
    result = build(tmp_path, WEEK1, dt.date(2026, 11, 28), newsletter='style = "cafetech"')
    doc = result.to_json()
    assert doc["project"] is None and len(doc["ideas"]) == 5
    assert {"Octets du Matin", "Le Fil Numérique"} <= shows(doc["ideas"][0])  # the main story
    assert "Les autres sujets" in result.draft.file("md").read_text(encoding="utf-8")


def test_edition_settings_are_checked(tmp_path: Path):
    with pytest.raises(ConfigError, match="cadence"):
        settings_in(tmp_path, edition='cadence = "mensuelle"')
    settings_in(tmp_path, schedule='day = "lundi"')
    assert main(["--config", str(tmp_path / "newsletter.toml"), "schedule", "--next", "1"]) == 2
    assert settings_in(tmp_path, edition='cadence = "weekly"\nideas = 4').edition.ideas == 4


def test_the_review_page_says_why_each_idea_was_chosen(week1):
    import http.client
    import threading

    from generator.config import NewsletterSettings
    from generator.edition import review

    root, result = week1
    templates = Path(__file__).resolve().parents[2] / "templates"
    server = review.review_server(root / "outbox", newsletter=NewsletterSettings(), templates_dir=templates)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        port = server.server_address[1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"/drafts/{result.draft.id}", headers={"Host": f"127.0.0.1:{port}"})
        resp = conn.getresponse()
        page = resp.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()
    assert resp.status == 200
    assert "Pourquoi ces idées" in page and "racontée par deux émissions" in page
    assert "Histoires écartées" in page and "moins forte que les idées retenues" in page


def test_the_scheduler_builds_the_week_once_on_its_day(tmp_path: Path, monkeypatch, capsys, shared_embedder):  # noqa: F811
    import logging

    from generator.cli.weekly import after_night

    monkeypatch.chdir(tmp_path)
    nightly = settings_in(tmp_path)
    weekly_cfg = settings_in(tmp_path, edition='cadence = "weekly"', schedule='day = "sat"')
    for day, path in (("2026-11-23", OCTETS), ("2026-11-25", FIL)):
        _nightly_draft(tmp_path / "outbox", day, path, path)
    log = logging.getLogger("test-weekly")
    saturday, friday = dt.date(2026, 11, 28), dt.date(2026, 11, 27)
    assert after_night(nightly, saturday, log) is None  # cadence nightly: no weekly edition
    assert after_night(weekly_cfg, friday, log) is None  # not the day
    assert after_night(weekly_cfg, saturday, log) == "2026-11-28"
    assert after_night(weekly_cfg, saturday, log) is None  # already written this week
    weekly_drafts = [
        d for d in outbox.list_drafts(tmp_path / "outbox") if d.doc.get("extra", {}).get("weekly")
    ]
    assert len(weekly_drafts) == 1
    capsys.readouterr()
