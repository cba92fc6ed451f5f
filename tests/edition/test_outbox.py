"""Outbox: atomic draft folders, suffixes, draft.json, approve/reject transitions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from render_fixtures import NEWSLETTER, one_episode, provenance, three_episodes

from generator.edition import draft_json, outbox, rendering
from generator.errors import OutboxError

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NOW = dt.datetime(2026, 3, 5, 6, 0, tzinfo=dt.UTC)


def _write(outbox_dir: Path, edition=None, prov=None, **kw) -> outbox.DraftInfo:
    edition = edition or one_episode()
    prov = prov or provenance()
    rendered = rendering.render(edition, prov, NEWSLETTER, TEMPLATES)
    return outbox.write_draft(outbox_dir, edition, prov, rendered, now=kw.get("now", NOW))


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------------------------- slugs


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Écran Libre", "ecran-libre"),
        ("Le Câble du lundi", "le-cable-du-lundi"),
        ("Cœur & Âme — Tech !", "coeur-ame-tech"),
        ("L'Œil du Net 2.0", "l-oeil-du-net-2-0"),
        ("../../etc/passwd", "etc-passwd"),
        ("東京テック", "edition"),
        ("   ", "edition"),
        (None, "edition"),
    ],
)
def test_slugify(name, expected):
    assert outbox.slugify(name) == expected


def test_slug_is_short_and_clean_whatever_the_name():
    slug = outbox.slugify("Émission " * 30 + "ÇA-VA_BIEN ?? \u202e\x00 ﬁn")
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) and len(slug) <= outbox.MAX_SLUG


# ------------------------------------------------------------------------------------------- writing


def test_write_draft_creates_the_folder_with_three_formats_and_draft_json(tmp_path):
    edition, prov = three_episodes(), provenance()
    rendered = rendering.render(edition, prov, NEWSLETTER, TEMPLATES)
    info = outbox.write_draft(tmp_path, edition, prov, rendered, now=NOW)

    assert info.id == "2026-03-04-ondes-numeriques-le-cable-du-lundi-ecran-libre"
    assert info.path == tmp_path / info.id
    assert sorted(p.name for p in info.path.iterdir()) == [
        "draft.json",
        "newsletter.html",
        "newsletter.md",
        "newsletter.txt",
    ]
    for fmt, name in outbox.FILES.items():
        assert (info.path / name).read_text(encoding="utf-8") == rendered[fmt]
    assert [p.name for p in tmp_path.iterdir()] == [info.id]  # no temp folder left behind

    doc = json.loads((info.path / "draft.json").read_text(encoding="utf-8"))
    assert doc["id"] == info.id and doc["status"] == "draft"
    assert doc["history"] == [
        {
            "status": "draft",
            "at": "2026-03-05T06:00:00+00:00",
            "user": doc["history"][0]["user"],
            "reason": None,
        }
    ]
    assert doc["history"][0]["user"]
    assert doc["style"] == "cybernetica" and doc["extractive"] is True
    assert doc["backend"] == "openai" and doc["model"] == "modele-test"
    assert doc["title"] == edition.title and doc["created"] == "2026-03-05T06:00:00+00:00"
    assert [s["sha256"] for s in doc["sources"]] == ["a" * 64, "b" * 64, "c" * 64]
    assert (
        doc["sources"][0].items()
        >= {"show": "Ondes Numériques", "date": "2026-03-02", "path": edition.sources[0].path}.items()
    )
    assert doc["sources"][0]["guests"][0] == {
        "name": "Hugo Ferrand",
        "role": "directeur technique d'un hébergeur lyonnais",
    }
    assert doc["sections"][1] == {
        "title": "Les correctifs de sécurité arrivent trop tard",
        "episode": "b" * 64,
        "show": "Le Câble du lundi",
        "start_s": 3600.0,
        "start": "1:00:00",
        "end_s": 4210.0,
        "end": "1:10:10",
        "quotes": 1,
        "warnings": [],
        "kind": "topic",
    }
    assert doc["removed"] == []
    servers = doc["quotes"][0]
    assert (
        servers["text"].startswith("On a déplacé")
        and servers["start"] == "12:34"
        and servers["start_s"] == 754.0
    )
    assert (
        servers["speaker"] == "Hugo Ferrand" and servers["verified"] is True and servers["match"] == "exact"
    )
    assert [q["epigraph"] for q in doc["quotes"]] == [False, True, False]  # the epigraph is the podcast quote
    assert doc["rejected_quotes"] == [
        {
            "text": "Une phrase jamais prononcée.",
            "reason": "absente de la transcription",
            "segment": 2,
            "episode": "a" * 64,
        }
    ]
    assert "segment 4 : résumé impossible (réponse tronquée)" in doc["warnings"]
    assert any(w.startswith("L'énergie devient") for w in doc["warnings"])  # section grounding warning
    assert doc["prompts"] == [
        {"id": "summarise_segment", "version": 1, "hash": "h" * 16},
        {"id": "compose_edition", "version": 2, "hash": "k" * 16},
    ]
    assert doc["tokens"] == {"input": 12000, "output": 1800, "cached": 4000, "estimated": False}
    assert doc["calls"] == 7 and doc["cost_estimate"] == pytest.approx(0.0031)
    assert doc["timings"]["summarise"] == 20.25
    assert doc["files"]["newsletter.md"] == hashlib.sha256(rendered["md"].encode()).hexdigest()

    assert info.quotes_verified == 3 and info.quotes_rejected == 1 and len(info.warnings) == 2
    assert info.episodes == ("Ondes Numériques (2026-03-02)", "Le Câble du lundi (2026-03-01)", "Écran Libre")


def test_folder_date_falls_back_to_now_when_the_edition_has_none(tmp_path):
    info = _write(tmp_path, replace(one_episode(), date=None), now=dt.datetime(2026, 4, 1, 22, 30))
    assert info.id == "2026-04-01-ondes-numeriques"


def test_same_inputs_again_get_suffixes_and_never_overwrite(tmp_path):
    first = _write(tmp_path)
    before = _snapshot(first.path)
    second = _write(tmp_path, replace(one_episode(), title="Une autre version"))
    third = _write(tmp_path)
    assert (first.id, second.id, third.id) == (
        "2026-03-04-ondes-numeriques",
        "2026-03-04-ondes-numeriques-2",
        "2026-03-04-ondes-numeriques-3",
    )
    assert _snapshot(first.path) == before
    assert json.loads((second.path / "draft.json").read_text())["id"] == second.id
    assert "Une autre version" in (second.path / "newsletter.md").read_text()


def test_an_approved_draft_is_never_touched_by_a_later_generation(tmp_path):
    first = _write(tmp_path)
    outbox.approve(tmp_path, first.id, user="relectrice")
    before = _snapshot(first.path)
    again = _write(tmp_path)
    assert again.id == f"{first.id}-2" and again.status == "draft"
    assert _snapshot(first.path) == before
    assert outbox.load_draft(tmp_path, first.id).status == "approved"


def test_failure_mid_write_leaves_no_folder(tmp_path, monkeypatch):
    real = outbox._write_synced
    calls = []

    def failing(path, data):
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(outbox, "_write_synced", failing)
    with pytest.raises(OutboxError, match="impossible d'écrire le brouillon : No space left on device"):
        _write(tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert outbox.list_drafts(tmp_path) == []


def test_nothing_is_visible_until_the_final_rename(tmp_path, monkeypatch):
    real_rename = os.rename
    seen = {}

    def spying_rename(src, dst):
        seen["visible"] = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
        seen["listed"] = outbox.list_drafts(tmp_path)
        seen["tmp"] = Path(src).name
        seen["tmp_files"] = sorted(p.name for p in Path(src).iterdir())
        real_rename(src, dst)

    monkeypatch.setattr(outbox.os, "rename", spying_rename)
    info = _write(tmp_path)
    assert seen["visible"] == [] and seen["listed"] == []
    assert seen["tmp"].startswith(".")
    assert seen["tmp_files"] == ["draft.json", "newsletter.html", "newsletter.md", "newsletter.txt"]
    assert [d.id for d in outbox.list_drafts(tmp_path)] == [info.id]


def test_crash_leftovers_and_stray_entries_are_ignored(tmp_path):
    leftover = tmp_path / ".tmp-2026-03-04-ondes-numeriques-dead"
    leftover.mkdir()
    (leftover / "newsletter.md").write_text("moitié d'un brouil")
    (tmp_path / "notes.txt").write_text("pas un brouillon")
    (tmp_path / "2026-01-01-vide").mkdir()
    broken = tmp_path / "2026-01-02-casse"
    broken.mkdir()
    (broken / "draft.json").write_text("{pas du json")
    info = _write(tmp_path)
    assert [d.id for d in outbox.list_drafts(tmp_path)] == [info.id]
    with pytest.raises(OutboxError, match=r"draft.json: draft.json illisible"):
        outbox.load_draft(tmp_path, "2026-01-02-casse")


def test_missing_format_is_refused(tmp_path):
    with pytest.raises(OutboxError, match="il manque à l.édition rendue : html"):
        outbox.write_draft(tmp_path, one_episode(), provenance(), {"md": "x", "txt": "x"})


# --------------------------------------------------------------------------------------------- reading


def test_load_unknown_or_unsafe_ids(tmp_path):
    _write(tmp_path)
    for bad in ("2026-03-04-inconnu", "../outbox", "/etc", ".tmp-x", "2026-03-04-ondes-numeriques/../x"):
        with pytest.raises(OutboxError, match="brouillon inconnu"):
            outbox.load_draft(tmp_path, bad)
    assert outbox.load_draft(tmp_path, "2026-03-04-ondes-numeriques/").id == "2026-03-04-ondes-numeriques"


def test_find_by_sources(tmp_path):
    one = _write(tmp_path)
    three = _write(tmp_path, three_episodes())
    again = _write(tmp_path, now=NOW + dt.timedelta(minutes=5))
    assert outbox.find_by_sources(tmp_path, ["a" * 64]).id == again.id != one.id
    assert outbox.find_by_sources(tmp_path, ["c" * 64, "a" * 64, "b" * 64]).id == three.id
    assert outbox.find_by_sources(tmp_path, ["a" * 64, "b" * 64]) is None
    assert outbox.find_by_sources(tmp_path / "absent", ["a" * 64]) is None


# ----------------------------------------------------------------------------------------- transitions


def test_approve_records_who_when_and_what(tmp_path):
    info = _write(tmp_path)
    later = NOW + dt.timedelta(hours=2)
    approved = outbox.approve(tmp_path, info.id, user="relectrice", now=later)
    assert approved.status == "approved"
    doc = json.loads((info.path / "draft.json").read_text())
    assert doc["status"] == "approved"
    assert [h["status"] for h in doc["history"]] == ["draft", "approved"]
    last = doc["history"][-1]
    assert (
        last["user"] == "relectrice" and last["at"] == "2026-03-05T08:00:00+00:00" and last["reason"] is None
    )
    assert (
        last["files"]["newsletter.html"]
        == hashlib.sha256((info.path / "newsletter.html").read_bytes()).hexdigest()
    )
    assert sorted(p.name for p in info.path.iterdir()) == sorted([*outbox.FILES.values(), "draft.json"])


def test_default_user_is_the_login_name(tmp_path, monkeypatch):
    monkeypatch.setattr(draft_json.getpass, "getuser", lambda: "compte-test")
    info = _write(tmp_path)
    assert outbox.reject(tmp_path, info.id, "trop long").doc["history"][-1]["user"] == "compte-test"


def test_an_approved_draft_cannot_be_approved_or_rejected_again(tmp_path):
    info = _write(tmp_path)
    outbox.approve(tmp_path, info.id, user="relectrice")
    before = _snapshot(info.path)
    with pytest.raises(
        OutboxError, match="déjà été approuvé .* par relectrice ; un brouillon approuvé ne change plus"
    ):
        outbox.approve(tmp_path, info.id)
    with pytest.raises(OutboxError, match="déjà été approuvé"):
        outbox.reject(tmp_path, info.id, "finalement non")
    assert _snapshot(info.path) == before


def test_reject_then_approve_after_second_thoughts(tmp_path):
    info = _write(tmp_path)
    rejected = outbox.reject(tmp_path, info.id, "  citation   hors sujet ", user="chef")
    assert rejected.status == "rejected"
    assert (
        rejected.doc["history"][-1].items()
        >= {"status": "rejected", "user": "chef", "reason": "citation hors sujet"}.items()
    )
    with pytest.raises(OutboxError, match="déjà été rejeté .* \\(raison : citation hors sujet\\)"):
        outbox.reject(tmp_path, info.id, "encore")
    approved = outbox.approve(tmp_path, info.id, user="chef")
    assert [h["status"] for h in approved.doc["history"]] == ["draft", "rejected", "approved"]


def test_reject_needs_a_reason(tmp_path):
    info = _write(tmp_path)
    with pytest.raises(OutboxError, match="demande une raison"):
        outbox.reject(tmp_path, info.id, "   ")
    assert outbox.load_draft(tmp_path, info.id).status == "draft"


def test_status_update_is_atomic(tmp_path, monkeypatch):
    info = _write(tmp_path)
    before = (info.path / "draft.json").read_bytes()

    def failing_replace(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(outbox.os, "replace", failing_replace)
    with pytest.raises(OutboxError, match="impossible de mettre à jour draft.json"):
        outbox.approve(tmp_path, info.id)
    assert (info.path / "draft.json").read_bytes() == before
    assert sorted(p.name for p in info.path.iterdir()) == sorted([*outbox.FILES.values(), "draft.json"])
