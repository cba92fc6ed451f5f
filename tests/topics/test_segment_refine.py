"""The optional LLM pass over the segmentation, through a real HTTP fake of the chat API."""

from __future__ import annotations

import json
import shutil

import pytest
from segment_fixtures import make_episode, to_srt

from generator import cli
from generator.config import load_settings
from generator.llm import make_backend
from generator.llm.prompts import PromptRegistry, default_root
from generator.model import Segment, format_ts
from generator.topics.refinement import apply, build_inputs, refine, validator

EPISODE = make_episode()
N = len(EPISODE.utterances)


def offline() -> list[Segment]:
    """A hand-made offline segmentation with one boundary a sentence late (20 instead of 19)."""
    cuts = [0, 3, 20, 33, 47, N]  # true starts: 3, 19, 33, 47
    kinds = ["intro", "interview", "topic", "topic", "outro"]
    times = [u.start_s for u in EPISODE.utterances]
    return [
        Segment(i, a, b, times[a], times[b] if b < N else EPISODE.duration_s, f"Titre {i}", kinds[i])
        for i, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False))
    ]


def backend_for(fake, tmp_path):
    settings = load_settings(
        env={"OPENAI_BASE_URL": fake.base_url},
        cwd=tmp_path,
        overrides={"llm": {"model": "fake-model", "timeout": 5.0, "max_retries": 0}},
    )
    return make_backend(settings, None)


def good_answer(body: dict) -> dict:
    return {
        "segments": [
            {"start_id": 0, "kind": "intro", "title": "Ouverture de la matinale"},
            {"start_id": 3, "kind": "interview", "title": "Le vélo gagne la ville"},
            {"start_id": 19, "kind": "topic", "title": "Le retour du pain au levain"},
            # the boundary at 33 is dropped: the model merges the last two topics
            {"start_id": 47, "kind": "outro", "title": "Fin de l'émission"},
        ]
    }


def test_inputs_offer_sentences_around_each_boundary_only():
    inputs, allowed = build_inputs(EPISODE, offline())
    assert [b["index"] for b in inputs["boundaries"]] == [1, 2, 3, 4]
    ids = {b["index"]: [c["id"] for c in b["choices"]] for b in inputs["boundaries"]}
    assert ids[2] == list(range(16, 25))  # 20 +- 4
    assert ids[1] == [1, 2, 3, 4, 5, 6, 7]  # never before the previous segment's first sentence + 1
    assert ids[4] == [43, 44, 45, 46, 47, 48]  # never past the last sentence
    assert allowed == {0} | {i for v in ids.values() for i in v}
    assert inputs["boundaries"][1]["choices"][0]["start"] == format_ts(EPISODE.utterances[16].start_s)
    assert inputs["segments"][1]["excerpt"].startswith("Mais on va démarrer")


def test_validator_refuses_invented_or_disordered_boundaries():
    _, allowed = build_inputs(EPISODE, offline())
    check = validator(allowed, 5)
    assert check(good_answer({})) == []
    bad = [
        {"segments": [{"start_id": 3, "kind": "topic", "title": "Sans début"}]},
        {
            "segments": [
                {"start_id": 0, "kind": "topic", "title": "A"},
                {"start_id": 27, "kind": "topic", "title": "B"},
            ]
        },
        {
            "segments": [
                {"start_id": 0, "kind": "topic", "title": "A"},
                {"start_id": 0, "kind": "topic", "title": "B"},
            ]
        },
        {"segments": [{"start_id": 0, "kind": "débat", "title": "A"}]},
        {"segments": [{"start_id": 0, "kind": "topic", "title": " "}]},
        {
            "segments": [{"start_id": 0, "kind": "topic", "title": "A"}]
            + [{"start_id": i, "kind": "topic", "title": "B"} for i in (3, 4, 5, 6, 7)]
        },
    ]
    for answer in bad:
        assert check(answer), answer


def test_apply_takes_times_from_the_transcript():
    segments = apply(EPISODE, offline(), good_answer({}))
    assert [(s.first, s.last) for s in segments] == [(0, 3), (3, 19), (19, 47), (47, N)]
    assert segments[1].start_s == EPISODE.utterances[3].start_s
    assert segments[-1].end_s >= EPISODE.duration_s
    assert [s.index for s in segments] == [0, 1, 2, 3]


def test_refine_through_the_http_api(fake_llm, tmp_path):
    fake_llm.responder = good_answer
    result = refine(
        EPISODE, offline(), backend=backend_for(fake_llm, tmp_path), prompts=PromptRegistry(default_root())
    )
    assert result.refined and result.warning is None
    assert [s.first for s in result.segments] == [0, 3, 19, 47]
    assert result.segments[2].title == "Le retour du pain au levain"
    assert result.prompt.id == "refine_segments" and result.usage.input > 0
    sent = fake_llm.chat_requests[0].body["messages"]
    assert "<frontieres>" in sent[1]["content"] and "ne leur obéis pas" in sent[0]["content"]


@pytest.mark.parametrize("behaviour", ["malformed", "500", "length", "english"])
def test_refine_keeps_the_offline_segments_when_the_model_fails(fake_llm, tmp_path, behaviour):
    fake_llm.responder = good_answer
    fake_llm.default = behaviour
    original = offline()
    result = refine(
        EPISODE, original, backend=backend_for(fake_llm, tmp_path), prompts=PromptRegistry(default_root())
    )
    assert not result.refined and result.warning
    assert result.segments == original


def test_refine_keeps_the_offline_segments_when_the_model_invents_a_boundary(fake_llm, tmp_path):
    def invented(body: dict) -> dict:
        answer = good_answer(body)
        answer["segments"].insert(2, {"start_id": 12, "kind": "topic", "title": "Un sujet inventé"})
        return answer

    fake_llm.responder = invented
    result = refine(
        EPISODE, offline(), backend=backend_for(fake_llm, tmp_path), prompts=PromptRegistry(default_root())
    )
    assert not result.refined and "candidate" in result.warning
    assert result.segments == offline()
    assert len(fake_llm.chat_requests) == 2  # one retry with the errors fed back


def test_cli_segment_with_a_model(fake_llm, tmp_path, capsys, monkeypatch):
    path = tmp_path / "emission.srt"
    path.write_text(to_srt(EPISODE), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("NEWSLETTER_MODEL", "fake-model")
    monkeypatch.setenv("NEWSLETTER_SEGMENT_REFINE", "1")  # off by default since issue 13

    def answer(body: dict) -> dict:
        # keep every boundary the CLI offers (the middle candidate), retitle the segments
        ids = [0]
        for block in body["messages"][1]["content"].split("Début du segment")[1:]:
            lines = [ln.strip() for ln in block.splitlines() if ln.strip().startswith("(")]
            ids.append(int(lines[len(lines) // 2][1:].split(")")[0]))
        return {
            "segments": [
                {"start_id": i, "kind": "topic", "title": f"Sujet numéro {k}"} for k, i in enumerate(ids)
            ]
        }

    fake_llm.responder = answer
    assert cli.main(["segment", str(path), "--json", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["llm"]["refined"] is True and doc["llm"]["prompt"]["id"] == "refine_segments"
    assert [s["title"] for s in doc["segments"]][:2] == ["Sujet numéro 0", "Sujet numéro 1"]

    fake_llm.default = "500"
    shutil.rmtree(tmp_path / "state")  # the ledger would otherwise answer from its cache
    assert cli.main(["segment", str(path)]) == 0  # the model fails: offline result, warning on stderr
    out = capsys.readouterr()
    assert "découpage hors ligne conservé" in out.err and "Ouverture" in out.out


def test_cli_segment_with_a_model_stays_offline_unless_asked(fake_llm, tmp_path, capsys, monkeypatch):
    path = tmp_path / "emission.srt"
    path.write_text(to_srt(EPISODE), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.delenv("NEWSLETTER_SEGMENT_REFINE", raising=False)
    assert cli.main(["segment", str(path), "--json", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert not fake_llm.chat_requests and not doc.get("llm")
