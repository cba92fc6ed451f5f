"""`newsletter generate --backend openai` against the misbehaving fake server: nothing invented gets through."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE
from shared_embedder import shared_embedder  # noqa: F401 - fixture

from generator.cli import main
from generator.transcript.cleaning import clean
from generator.transcript.ingestion import ingest

_MARK = re.compile(r"\[\d\d?:\d\d(?::\d\d)?\]\s*")
INVENTED_QUOTE = "Le numérique va sauver la planète en moins de deux ans, c'est une certitude absolue"
INVENTED_FIGURE = "Le marché pèsera 740 milliards d'euros en Europe."


def responder(body: dict[str, Any]) -> dict[str, Any]:
    """Summaries that mix real sentences with an invented quote and an invented figure."""
    user = body["messages"][-1]["content"]
    if "<resumes>" in user:
        indexes = [int(i) for i in re.findall(r"^\[(\d+)\]", user, re.MULTILINE)]
        return {
            "title": "Ce que la semaine a montré",
            "intro": "Cette semaine, j'ai écouté une émission passionnante. " + INVENTED_FIGURE,
            "closing": "À vous de juger. On en reparle bientôt.",
            "order": list(reversed(indexes)),
        }
    # Any prompt version: the transcript's sentences, time marks (v1 has one per line) removed.
    text = _MARK.sub("", user.split("<transcription>")[-1].split("</transcription>")[0])
    lines = [t.strip() for t in re.split(r"(?<=[.!?])\s+", text) if t.strip()]
    real = next((t for t in lines if 10 <= len(t.split()) <= 30), lines[0])
    return {
        "title": "Un sujet qui compte",
        "summary": f"Les invités en débattent longuement. {INVENTED_FIGURE} Ils restent prudents sur la suite.",
        "key_points": ["Un débat ouvert"],
        "quotes": [{"text": real.lower().rstrip("."), "speaker": "Quelqu'un"}, {"text": INVENTED_QUOTE}],
        "entities": [],
    }


@pytest.fixture
def llm_env(fake_llm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_embedder):  # noqa: F811
    fake_llm.responder = responder
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("NEWSLETTER_MODEL", "fake-model")
    monkeypatch.setenv("NEWSLETTER_MAX_CONCURRENCY", "1")  # scripted behaviours meet requests in order
    monkeypatch.setenv("NEWSLETTER_MAX_RETRIES", "0")
    monkeypatch.delenv("NEWSLETTER_BACKEND", raising=False)
    return fake_llm


def generate(capsys, *extra: str) -> tuple[int, dict]:
    code = main(["generate", str(SAMPLE), "--json", "-q", "--no-cache", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_invented_quotes_and_figures_never_reach_the_draft(llm_env, capsys):
    code, doc = generate(capsys)
    assert code == 0 and doc["backend"] == "openai" and doc["model"] == "fake-model"
    draft = Path(doc["path"])
    md = (draft / "newsletter.md").read_text(encoding="utf-8")
    meta = json.loads((draft / "draft.json").read_text(encoding="utf-8"))
    assert "740 milliards" not in md and INVENTED_QUOTE not in md
    assert "Brouillon extractif" not in md
    # Refusals and removals are recorded for the reviewer.
    assert any(r["text"] == INVENTED_QUOTE and "introuvable" in r["reason"] for r in meta["rejected_quotes"])
    assert any("740 milliards" in w for w in meta["warnings"])
    # Published quotes: the transcript's exact words (the model's lower-cased copy was repaired).
    speech = " ".join(u.text for u in clean(ingest(SAMPLE)).utterances)
    assert doc["quotes"] and all(q["text"] in speech and q["verified"] for q in doc["quotes"])
    assert all(q["speaker"] != "Quelqu'un" for q in doc["quotes"])
    # Provenance: prompts with hashes, tokens, calls.
    assert {p["id"] for p in doc["prompts"]} == {"summarise_segment", "compose_edition_cybernetica"}
    assert all(re.fullmatch(r"[0-9a-f]{12}", p["hash"]) for p in meta["prompts"])
    assert doc["tokens"]["input"] > 0 and doc["tokens"]["output"] > 0
    assert meta["tokens"]["input"] == doc["tokens"]["input"]


def test_token_budget_per_call(llm_env, capsys):
    code, doc = generate(capsys)
    transcript = doc["episodes"][0]["transcript_tokens"]
    assert doc["tokens"]["input"] <= 1.3 * transcript + 2000 * doc["calls"]
    # Every sentence of a topic is sent once; the compose call carries summaries, not the transcript.
    compose = [r for r in llm_env.chat_requests if "<resumes>" in r.body["messages"][-1]["content"]]
    assert len(compose) == 1
    assert "Bonjour à tous et bienvenue" not in compose[0].body["messages"][-1]["content"]


def test_failing_segment_falls_back_and_the_draft_is_still_written(llm_env, capsys):
    llm_env.script("500")
    code, doc = generate(capsys)
    assert code == 0
    meta = json.loads((Path(doc["path"]) / "draft.json").read_text(encoding="utf-8"))
    assert meta["extra"]["failed_segments"]
    assert any("secours" in w for w in meta["warnings"])


def test_invented_quote_behaviour_is_rejected(llm_env, capsys):
    llm_env.script("invented_quote")
    code, doc = generate(capsys)
    assert code == 0
    assert any("personne n'a jamais prononcée" in r["text"] for r in doc["rejected_quotes"])
    assert all("personne n'a jamais" not in q["text"] for q in doc["quotes"])


def test_english_answer_is_retried_in_french(llm_env, capsys):
    llm_env.script("english")
    code, doc = generate(capsys)
    assert code == 0
    first, second = llm_env.chat_requests[:2]
    assert first.behaviour == "english"
    assert "français" in second.body["messages"][-1]["content"]  # the repair turn asks for French
    md = (Path(doc["path"]) / "newsletter.md").read_text(encoding="utf-8")
    assert "The guest explains" not in md


def test_dry_run_calls_nothing_and_estimates(llm_env, capsys):
    code, doc = generate(capsys, "--dry-run")
    assert code == 0 and doc["dry_run"] and doc["calls"] >= 2
    assert doc["tokens"]["input"] > 0 and llm_env.chat_requests == []
    assert not Path("outbox").exists()


def test_unchanged_rerun_costs_zero_tokens_and_makes_no_call(llm_env, capsys):
    main(["generate", str(SAMPLE), "--json", "-q"])
    first = json.loads(capsys.readouterr().out)
    calls = len(llm_env.requests)
    assert calls >= 2 and first["tokens"]["input"] > 0
    main(["generate", str(SAMPLE), "--json", "-q"])
    second = json.loads(capsys.readouterr().out)
    assert len(llm_env.requests) == calls, "a re-run on unchanged input called the server"
    assert second["tokens"]["input"] == 0 and second["tokens"]["output"] == 0
    assert second["cost_estimate"] == 0
    assert [s["title"] for s in second["sections"]] == [s["title"] for s in first["sections"]]
    assert second["draft_id"] != first["draft_id"]  # a new draft folder, never an overwrite
