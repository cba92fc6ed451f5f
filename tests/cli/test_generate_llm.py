"""`newsletter generate` end to end against the real local model server (marker llm)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE, SHARED

from generator.cli import main
from generator.language import detect_language
from generator.transcript.cleaning import clean
from generator.transcript.ingestion import ingest

pytestmark = pytest.mark.llm

LOCAL_LLM = SHARED / "tools" / "local-llm"


@pytest.fixture(scope="module")
def llm_url() -> str:
    if not LOCAL_LLM.exists():
        pytest.skip("../shared/tools/local-llm is absent")
    try:
        out = subprocess.run([str(LOCAL_LLM), "url"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        pytest.skip("local-llm did not answer")
    if out.returncode != 0 or not out.stdout.strip():
        pytest.skip("no local LLM server running (../shared/tools/local-llm start)")
    return out.stdout.strip()


def test_generate_with_the_local_model(llm_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_BASE_URL", llm_url)
    monkeypatch.setenv("OPENAI_API_KEY", "local-llm")
    monkeypatch.setenv("NEWSLETTER_MODEL", "qwen2.5-coder-1.5b-instruct")
    monkeypatch.setenv("NEWSLETTER_CONTEXT_WINDOW", "8192")  # the server's --ctx
    monkeypatch.setenv("NEWSLETTER_MAX_CONCURRENCY", "1")  # the server queues requests anyway
    monkeypatch.setenv("NEWSLETTER_TIMEOUT", "900")
    monkeypatch.delenv("NEWSLETTER_BACKEND", raising=False)

    code = main(["generate", str(SAMPLE), "--json", "-q"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["backend"] == "openai"
    draft = Path(doc["path"])
    meta = json.loads((draft / "draft.json").read_text(encoding="utf-8"))
    # Token usage is recorded (from the server, or counted by us when it gives none).
    assert doc["tokens"]["input"] > 0 and doc["tokens"]["output"] > 0 and doc["calls"] >= 2
    assert meta["tokens"]["input"] == doc["tokens"]["input"]
    assert {p["id"] for p in meta["prompts"]} >= {"summarise_segment"}
    transcript = doc["episodes"][0]["transcript_tokens"]
    assert doc["tokens"]["input"] <= 1.3 * transcript + 2000 * doc["calls"]
    # Faithfulness holds whatever the small model wrote.
    speech = " ".join(u.text for u in clean(ingest(SAMPLE)).utterances)
    assert all(q["text"] in speech and q["verified"] for q in doc["quotes"])
    md = (draft / "newsletter.md").read_text(encoding="utf-8")
    assert detect_language(md) == "fr"
    for guest in doc["episodes"][0]["guests"]:
        assert guest["name"] in md
