"""The weekly edition with the real local model (marker llm): two weeks, the second after approval.

The server is found by `../shared/tools/local-llm url` (or LOCAL_LLM_URL); the test skips without it.
It serves one request at a time: a week here is about five calls (one per idea, the project, compose).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import SHARED
from shared_embedder import shared_embedder  # noqa: F401 - fixture
from test_weekly import WEEK1, WEEK2, datacentre

from generator.cli import main
from generator.edition import outbox
from generator.language import detect_language
from generator.transcript import clean, ingest

pytestmark = [pytest.mark.llm, pytest.mark.slow]

LOCAL_LLM = SHARED / "tools" / "local-llm"


@pytest.fixture(scope="module")
def llm_url() -> str:
    if os.environ.get("LOCAL_LLM_URL"):
        return os.environ["LOCAL_LLM_URL"]
    if not LOCAL_LLM.exists():
        pytest.skip("../shared/tools/local-llm is absent")
    try:
        out = subprocess.run([str(LOCAL_LLM), "url"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        pytest.skip("local-llm did not answer")
    if out.returncode != 0 or not out.stdout.strip():
        pytest.skip("no local LLM server running (../shared/tools/local-llm start)")
    return out.stdout.strip()


def _week(capsys, files: list[Path]) -> dict:
    code = main(["generate", "--weekly", *map(str, files), "--json", "-q"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def _keys(doc: dict) -> list[tuple[str, float]]:
    items = [*doc["ideas"], *([doc["project"]] if doc["project"] else [])]
    return [(s["sha256"], s["start_s"]) for i in items for s in i["sources"]]


def test_two_weeks_with_the_local_model(llm_url, tmp_path: Path, monkeypatch, capsys, shared_embedder):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    (tmp_path / "state").mkdir()
    monkeypatch.setenv("OPENAI_BASE_URL", llm_url)
    monkeypatch.setenv("OPENAI_API_KEY", "local-llm")
    monkeypatch.setenv("NEWSLETTER_MODEL", "qwen2.5-coder-1.5b-instruct")
    monkeypatch.setenv("NEWSLETTER_CONTEXT_WINDOW", "8192")
    monkeypatch.setenv("NEWSLETTER_MAX_CONCURRENCY", "1")
    monkeypatch.setenv("NEWSLETTER_TIMEOUT", "900")
    monkeypatch.delenv("NEWSLETTER_BACKEND", raising=False)

    first = _week(capsys, WEEK1)
    assert len(first["ideas"]) == 3 and first["project"] is not None
    assert len({s["show"] for i in first["ideas"] for s in i["sources"]}) >= 2
    assert len(datacentre(first)) == 1
    draft = Path(first["path"])
    meta = json.loads((draft / "draft.json").read_text(encoding="utf-8"))
    assert meta["backend"] == "openai" and {p["id"] for p in meta["prompts"]} >= {"summarise_idea"}
    speech = " ".join(u.text for f in WEEK1 for u in clean(ingest(f)).utterances)
    assert all(q["text"] in speech for q in meta["quotes"] if q["verified"])
    assert detect_language((draft / "newsletter.md").read_text(encoding="utf-8")) == "fr"

    outbox.approve(tmp_path / "outbox", first["draft_id"])
    second = _week(capsys, WEEK2)
    told = set(_keys(first))
    for idea in [*second["ideas"], *([second["project"]] if second["project"] else [])]:
        again = {(s["sha256"], s["start_s"]) for s in idea["sources"]} & told
        assert not again or idea["follow_up"], idea["title"]
