"""The weekly edition with a model (the fake OpenAI-compatible server): one call per idea, checks kept."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from shared_embedder import shared_embedder  # noqa: F401 - fixture
from test_weekly import CODEURS, FIL, OCTETS2, WEEK1, datacentre

from generator.cli import main

INVENTED_FIGURE = "Le chantier a coûté 740 millions d'euros."
INVENTED_QUOTE = "Les serveurs sous-marins vont remplacer tous les centres de données du pays d'ici deux ans"


def _sources(user: str) -> dict[int, str]:
    return {int(n): body for n, body in re.findall(r'<source n="(\d+)">(.*?)</source>', user, re.DOTALL)}


def _sentence(text: str) -> str:
    lines = [t.strip() for t in re.split(r"(?<=[.!?])\s+", text) if t.strip()]
    return next((t for t in lines if 10 <= len(t.split()) <= 30), lines[-1])


def responder(verdict: bool):
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        user = body["messages"][-1]["content"]
        if "<a>" in user:
            return {"same": verdict}
        if "<source n=" in user:
            sources = _sources(user)
            last = max(sources)
            first = _sentence(sources[1].split("\n", 2)[-1])
            return {
                "title": "Une idée de la semaine",
                "summary": f"{first} {first} {INVENTED_FIGURE}",  # a small model repeats itself
                "key_points": [f"Point {k}" for k in range(8)],  # and overshoots its lists
                "quotes": [
                    {"text": _sentence(sources[last].split("\n", 2)[-1]), "source": last},
                    {"text": INVENTED_QUOTE, "source": 1},
                ],
            }
        return {
            "title": "La semaine en idées",
            "intro": "Voici la semaine.",
            "closing": "À bientôt.",
            "order": [],
        }

    return answer


@pytest.fixture
def llm_env(fake_llm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_embedder):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("NEWSLETTER_MODEL", "fake-model")
    monkeypatch.setenv("NEWSLETTER_MAX_CONCURRENCY", "1")
    monkeypatch.setenv("NEWSLETTER_MAX_RETRIES", "0")
    monkeypatch.delenv("NEWSLETTER_BACKEND", raising=False)
    return fake_llm


def _run(capsys, files: list[Path], *extra: str) -> dict:
    code = main(["generate", "--weekly", *map(str, files), "--json", "-q", *extra])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def _prompt_ids(fake) -> list[str]:
    ids = []
    for r in fake.chat_requests:
        user = r.body["messages"][-1]["content"]
        ids.append("same_story" if "<a>" in user else "idea" if "<source n=" in user else "compose")
    return ids


def test_one_call_per_idea_across_its_sources_with_the_usual_checks(llm_env, capsys):
    llm_env.responder = responder(True)
    doc = _run(capsys, WEEK1)
    ids = _prompt_ids(llm_env)
    assert ids.count("idea") == len(doc["ideas"]) + 1  # three ideas and the project; no call per segment
    shared = [r for r in llm_env.chat_requests if len(_sources(r.body["messages"][-1]["content"])) == 2]
    assert len(shared) == 1 and len(datacentre(doc)) == 1
    user = shared[0].body["messages"][-1]["content"]
    assert "Octets du Matin" in user and "Le Fil Numérique" in user
    draft = Path(doc["path"])
    md = (draft / "newsletter.md").read_text(encoding="utf-8")
    meta = json.loads((draft / "draft.json").read_text(encoding="utf-8"))
    assert "740 millions" not in md  # the claim check removed the invented figure
    assert INVENTED_QUOTE not in md and any(r["text"] == INVENTED_QUOTE for r in meta["rejected_quotes"])
    assert {p["id"] for p in meta["prompts"]} >= {"summarise_idea"}
    assert meta["extractive"] is False
    assert not any(w.startswith("idée « ") for w in meta["warnings"])  # no idea fell back to the transcript


def test_the_model_says_whether_a_close_pair_is_one_story(llm_env, capsys):
    # Le Fil Numérique (25 Nov) and Octets du Matin (1 Dec) both tell of the data centre, in the grey zone.
    llm_env.responder = responder(False)
    apart = _run(capsys, [FIL, OCTETS2, CODEURS])
    assert "same_story" in _prompt_ids(llm_env)
    assert not any(len({s["show"] for s in i["sources"]}) == 2 for i in apart["ideas"])
    llm_env.responder = responder(True)
    together = _run(capsys, [FIL, OCTETS2, CODEURS], "--no-cache")  # the cache holds the first "no"
    assert any(len({s["show"] for s in i["sources"]}) == 2 for i in together["ideas"])
