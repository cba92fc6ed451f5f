"""The real transcripts of ../shared/real (read-only, never copied here): every file read as published.

Generic checks only: the same must hold on real shows of other layouts. Skipped when ../shared is absent.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from conftest import SHARED

from generator.cli import main
from generator.config import Settings
from generator.transcript.ingestion import load_episode

REAL = SHARED / "real"
SYMBOLS = "%€°"
MARKUP = re.compile(
    r"https?://|\]\(|</?(?:p|a|div|strong|em|br|ul|li|span)\b|href=|^---|episode_number|audio_link|"
    r"^#{1,6}\s|\[Speaker \d+\]",
    re.MULTILINE,
)
# In a Markdown draft, headings and rules are the draft's own: only the source's markup is looked for.
DRAFT_MARKUP = re.compile(
    r"https?://|\]\(|</?(?:p|a|div|strong|em|br|ul|li|span)\b|href=|episode_number|audio_link|\[Speaker \d+\]"
)


def _cases() -> list[tuple[Path, dict]]:
    if not REAL.is_dir():
        return []
    out = []
    for labels in sorted(REAL.glob("*/labels.json")):
        doc = json.loads(labels.read_text(encoding="utf-8"))
        out.append((labels.parent / doc["file"], doc))
    return out


CASES = _cases()
IDS = [p.parent.name for p, _ in CASES]
needs_real = pytest.mark.skipif(not CASES, reason="../shared/real is absent")


def _episode(path: Path):
    return load_episode(path, Settings(), today=dt.date(2026, 12, 4))


def _source_symbols(path: Path) -> dict[str, int]:
    """The symbols of the source's speech, read independently of the readers (a reference, not a parser)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        doc = json.loads(text)
        body = max((v for v in doc.values() if isinstance(v, str)), key=len, default="")
    elif path.suffix == ".vtt":
        auto = "<c>" in text  # rolling automatic captions: the new words are the timed ones
        lines = [ln for ln in text.splitlines() if "-->" not in ln and (not auto or "<c>" in ln)]
        body = re.sub(r"<[^>]*>", "", "\n".join(lines))
    else:
        body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)
        body = re.sub(r"(?:href|src)=\"[^\"]*\"|\]\([^)]*\)|https?://\S+", " ", body)
    return {s: body.count(s) for s in SYMBOLS}


@needs_real
@pytest.mark.parametrize("path, labels", CASES, ids=IDS)
def test_every_real_file_parses_and_its_speech_holds_no_markup(path, labels):
    ep = _episode(path)
    assert ep.utterances
    bad = [u.text for u in ep.utterances if MARKUP.search(u.text)]
    assert not bad, bad[:3]
    assert not any(u.text.startswith(("title:", "date:", "people:", "tags:")) for u in ep.utterances)


@needs_real
@pytest.mark.parametrize("path, labels", CASES, ids=IDS)
def test_every_symbol_of_the_source_speech_is_in_the_cleaned_speech(path, labels):
    ep = _episode(path)
    kept = " ".join(u.text for u in ep.utterances)
    assert {s: kept.count(s) for s in SYMBOLS} == _source_symbols(path)


@needs_real
@pytest.mark.parametrize("path, labels", CASES, ids=IDS)
def test_the_metadata_a_reader_finds_is_found(path, labels):
    ep = _episode(path)
    origins = dict(ep.origins)
    if labels.get("date_in_file"):
        assert ep.date == dt.date.fromisoformat(labels["date"])
        assert origins["date"] == "front matter" and ep.title
    if labels.get("date_in_file") or labels.get("guests_said_on_air"):
        names = {g.name for g in ep.guests}
        assert set(labels["guests"]) <= names, (names, origins)
    if labels.get("guests_said_on_air"):
        assert origins["guests"] == "speech"
    if labels.get("show"):
        assert ep.show, "a named show is never left without a name"
    if labels.get("show_said_on_air"):
        assert ep.show == labels["show"] and origins["show"] == "speech"


@pytest.mark.slow
@needs_real
@pytest.mark.parametrize("path, labels", CASES, ids=IDS)
def test_an_offline_draft_has_no_markup_and_names_a_named_show(path, labels, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["generate", str(path), "--backend", "extractive", "-q"]) == 0
    capsys.readouterr()
    (draft,) = (tmp_path / "outbox").iterdir()
    md = (draft / "newsletter.md").read_text(encoding="utf-8")
    body = "\n".join(line for line in md.splitlines() if "écouter l'émission" not in line)
    assert not DRAFT_MARKUP.search(body), DRAFT_MARKUP.search(body)
    quotes = json.loads((draft / "draft.json").read_text(encoding="utf-8"))["quotes"]
    assert quotes and not any(MARKUP.search(q["text"]) for q in quotes)
    if labels.get("show"):
        assert "sans titre" not in md.lower()
