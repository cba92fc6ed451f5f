"""`newsletter generate` end to end: offline drafts, JSON, dry run, bad input, the corpus, the fake LLM."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE, corpus_transcripts
from shared_embedder import shared_embedder  # noqa: F401 - fixture

from generator.cli import main
from generator.model import Quote
from generator.transcript.cleaning import clean
from generator.transcript.ingestion import ingest
from generator.writing.quotes import Verifier, normalise

OFFLINE_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "NEWSLETTER_BACKEND",
    "NEWSLETTER_MODEL",
    "NEWSLETTER_STYLE",
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_embedder) -> Path:  # noqa: F811
    for var in OFFLINE_ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["generate", *argv, "--json", "-q"])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else {})


def speech_of(path: Path) -> tuple[str, Verifier]:
    """The cleaned speech joined by spaces, and a verifier over the raw caption lines."""
    raw = ingest(path)
    return " ".join(u.text.strip() for u in clean(raw).utterances), Verifier(raw)


def check_quotes(doc: dict, path: Path) -> None:
    """Every published quote is a byte-exact span of the cleaned speech, timed within 2 s of its line."""
    speech, raw_lines = speech_of(path)
    assert doc["quotes"], "an edition without a single verified quote"
    for q in doc["quotes"]:
        assert q["verified"] is True
        assert q["text"] in speech
        line = raw_lines.verify(q["text"])
        assert isinstance(line, Quote), q["text"]
        assert abs(q["start_s"] - line.start_s) <= 2.0, (q["text"], q["start_s"], line.start_s)


def test_offline_generate_writes_a_labelled_draft(workdir: Path, capsys: pytest.CaptureFixture[str]):
    before = SAMPLE.read_bytes()
    code, doc = run_json(capsys, str(SAMPLE))
    assert code == 0
    assert set(doc) >= {
        "draft_id",
        "path",
        "backend",
        "model",
        "episodes",
        "sections",
        "quotes",
        "rejected_quotes",
        "tokens",
        "cost_estimate",
        "timings",
    }
    assert doc["backend"] == "extractive" and doc["model"] is None
    assert doc["tokens"] == {"input": 0, "output": 0, "cached": 0} and doc["cost_estimate"] == 0
    assert set(doc["timings"]) >= {"ingest", "clean", "segment", "summarise", "compose", "render", "write"}
    draft = Path(doc["path"])
    assert draft.parent == workdir / "outbox" and draft.name == doc["draft_id"]
    md = (draft / "newsletter.md").read_text(encoding="utf-8")
    assert "Brouillon extractif (sans modèle de langage)" in md
    count = len(doc["sections"])
    expected = "Voici une idée" if count == 1 else r"Voici (deux|trois|quatre|cinq|six|sept|huit) idées"
    assert re.search(expected, md)
    meta = json.loads((draft / "draft.json").read_text(encoding="utf-8"))
    assert meta["sources"][0]["sha256"] == doc["episodes"][0]["sha256"]
    assert meta["backend"] == "extractive" and meta["extractive"] is True
    assert count >= 1 and all(s["start"] for s in doc["sections"])
    check_quotes(doc, SAMPLE)
    # Guests are spelled as the description spells them.
    names = [g["name"] for g in doc["episodes"][0]["guests"]]
    assert "Inès Kowalczyk" in names
    for name in names:
        assert name in md
    assert SAMPLE.read_bytes() == before  # the input is never modified


def test_plain_output_is_the_draft_path(workdir: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["generate", str(SAMPLE), "--style", "cafetech", "-q"]) == 0
    out = capsys.readouterr().out.strip()
    assert Path(out).is_dir() and (Path(out) / "newsletter.html").is_file()
    assert "Bonjour à tous" in (Path(out) / "newsletter.md").read_text(encoding="utf-8")


def test_dry_run_writes_nothing(workdir: Path, capsys: pytest.CaptureFixture[str]):
    code, doc = run_json(capsys, str(SAMPLE), "--dry-run")
    assert code == 0 and doc["dry_run"] is True and doc["calls"] == 0 and doc["draft_id"] is None
    assert not (workdir / "outbox").exists()


def test_bad_input_exits_2_with_one_line(workdir: Path, capsys: pytest.CaptureFixture[str]):
    empty = workdir / "vide.txt"
    empty.write_bytes(b"")
    assert main(["generate", str(empty)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("newsletter : erreur :") and "vide.txt" in err[-1]
    assert empty.exists() and not (workdir / "outbox").exists()


def test_two_transcripts_make_one_edition(workdir: Path, capsys: pytest.CaptureFixture[str]):
    copy = workdir / "copie.txt"
    text = SAMPLE.read_text(encoding="utf-8").replace("LE LABO NUMÉRIQUE", "LE LABO DU SOIR")
    copy.write_text(text, encoding="utf-8")
    code, doc = run_json(capsys, str(SAMPLE), str(copy))
    assert code == 0 and len(doc["episodes"]) == 2
    assert {s["episode"] for s in doc["sections"]} == {str(SAMPLE), str(copy)}


# ------------------------------------------------------------------------------------------ corpus


@pytest.mark.slow
@pytest.mark.parametrize("path", corpus_transcripts(), ids=lambda p: p.stem)
def test_corpus_offline_quotes_are_verbatim_and_timed(
    path: Path, workdir: Path, capsys: pytest.CaptureFixture[str]
):
    local = workdir / path.name
    shutil.copy(path, local)  # generate never touches ../shared
    code, doc = run_json(capsys, str(local))
    assert code == 0
    check_quotes(doc, local)
    labels = json.loads(path.with_suffix(".labels.json").read_text(encoding="utf-8"))
    md = (Path(doc["path"]) / "newsletter.md").read_text(encoding="utf-8")
    for guest in labels["guests"]:
        assert guest["name"] in md
        for variant in guest["asr_variants"]:
            assert variant not in md
    # The sections cover the labelled topics: every labelled topic starts inside some section (issue 14:
    # a topic under 90 s, or beyond 8 sections per show-hour, joins its neighbour's section).
    spans = [(s["start_s"], s["end_s"]) for s in doc["sections"]]
    for seg in labels["segments"]:
        if seg["kind"] in ("topic", "interview"):
            m, s = map(int, seg["start"].split(":"))
            assert any(a - 30 <= m * 60 + s < b for a, b in spans), seg["start"]


@pytest.mark.slow
@pytest.mark.parametrize("path", corpus_transcripts(), ids=lambda p: p.stem)
def test_corpus_label_quotes_get_their_line_timestamp(path: Path):
    from generator.writing.quotes import word_times

    raw = ingest(path)
    episode = clean(raw)
    verifier = Verifier(episode, word_times=word_times(raw, episode))
    labels = json.loads(path.with_suffix(".labels.json").read_text(encoding="utf-8"))
    for item in labels["quotes"]:
        q = verifier.verify(item["text"])
        assert isinstance(q, Quote) and normalise(q.text) == normalise(item["text"])
        m, s = map(int, item["timestamp"].split(":"))
        assert abs(q.start_s - (m * 60 + s)) <= 2.0
        assert q.speaker in (None, item["speaker"])  # never a wrong guess
