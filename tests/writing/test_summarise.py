"""LLM summaries through a fake backend: verified quotes, grounding, fallbacks, splitting."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest
from fr_episode import make_episode, make_segments

from generator.errors import LLMError
from generator.llm import LLMRequest, LLMResult
from generator.llm.prompts import PromptRegistry, default_root
from generator.llm.tokens import get_tokenizer
from generator.model import Usage
from generator.writing.summariser import (
    ModelCalls,
    SummariseResult,
    _validator,
    build_requests,
    merge_answers,
    summarise,
    timed_paragraphs,
)

ENERGY_ANSWER = {
    "title": "L'énergie locale protège des coupures",
    "summary": (
        "Maëlle Kerbra explique que sa coopérative a posé 420 panneaux solaires sur les écoles. "
        "Les factures des familles ont baissé de 12 % en moyenne. "
        "Le département a investi 30 millions d'euros dans la suite du projet. "
        "Selon Gérard Lemoine, le modèle va s'étendre à toute la région."
    ),
    "key_points": ["420 panneaux solaires posés en dix-huit mois", "Une baisse de 45 % des factures"],
    "quotes": [
        {
            "text": "je crois que l’energie locale, c'est la meilleure assurance contre les coupures de l'hiver",
            "speaker": "Lucie Ferrand",
        },
        {"text": "L'énergie solaire va remplacer le nucléaire dans toute la région", "speaker": None},
    ],
    "entities": ["Watt'Else", "Maëlle Kerbrat", "EDF"],
}
BAKERY_ANSWER = {
    "title": "Le fournil devient un capteur",
    "summary": (
        "Bastien Oyono équipe les boulangeries de capteurs d'humidité. "
        "Un boulanger perd en moyenne 8 % de sa farine et les capteurs coûtent 90 euros. "
        "L'entreprise équipe 250 boulangeries et lève deux millions d'euros."
    ),
    "key_points": ["Capteurs à 90 euros", "250 boulangeries équipées"],
    "quotes": [
        {"text": "le pain, c'est de la chimie lente, et la chimie lente adore les données", "speaker": None}
    ],
    "entities": ["Pétrin Numérique"],
}


class FakeBackend:
    """Implements the Backend protocol; answers by looking at the transcript in the prompt."""

    name = "fake"
    model = "fake-model"

    def __init__(self, answer: Callable[[str], dict[str, Any] | Exception]) -> None:
        self.answer = answer
        self.requests: list[LLMRequest] = []

    def complete_json(self, request: LLMRequest) -> LLMResult:
        self.requests.append(request)
        user = request.prompt.messages[-1]["content"]
        data = self.answer(user)
        if isinstance(data, Exception):
            raise data
        problems = request.validate(data) if request.validate else []
        if problems:
            raise LLMError("invalid answer after one retry: " + "; ".join(problems))
        return LLMResult(data, Usage(input=100, output=50, calls=1), False, request.prompt.use, self.model)


def by_topic(user: str) -> dict[str, Any] | Exception:
    return ENERGY_ANSWER if "panneaux" in user else BAKERY_ANSWER


@pytest.fixture(scope="module")
def prompts() -> PromptRegistry:
    return PromptRegistry(default_root())


@pytest.fixture(scope="module")
def tokenizer():
    return get_tokenizer("gpt-4o-mini")


def run(backend, prompts, tokenizer, **kw) -> SummariseResult:
    return summarise(make_episode(), make_segments(), calls=ModelCalls(backend, prompts, tokenizer, **kw))


def test_without_backend_the_summaries_are_extractive(prompts, tokenizer):
    result = summarise(make_episode(), make_segments(), calls=None)
    assert len(result.summaries) == 2 and result.usage == Usage() and result.prompts == ()


def test_one_call_per_topic_segment_with_metadata_and_delimited_transcript(prompts, tokenizer):
    backend = FakeBackend(by_topic)
    result = run(backend, prompts, tokenizer)
    assert len(backend.requests) == 2  # intro and outro are not summarised
    system, user = (m["content"] for m in backend.requests[0].prompt.messages)
    assert "consigne" in system and "<transcription>" in system
    assert "Octets et Croissants" in user and "lundi 10 mars 2025" in user
    assert "Maëlle Kerbrat (directrice de la coopérative Watt'Else)" in user
    assert "<transcription>\nMaëlle Kerbrat, votre coopérative" in user
    assert user.index("</transcription>") > user.index("Ce n'est pas un gadget")
    # Paragraphs of ~30 s and no time marks (summarise v2): the topic's times are in the header.
    sent = user.split("<transcription>")[1].split("</transcription>")[0]
    assert not re.search(r"\[\d\d:\d\d\]", sent) and "Sujet de 00:15 à" in user
    assert 1 < sent.strip().count("\n") + 1 < sent.count(". ")
    assert "Bonjour à tous" not in user  # the intro's sentences are not sent
    assert result.usage.input == 200 and result.usage.calls == 2
    assert [p.id for p in result.prompts] == ["summarise_segment"]


def test_quotes_are_verified_and_invented_ones_rejected(prompts, tokenizer):
    energy, bakery = run(FakeBackend(by_topic), prompts, tokenizer).summaries
    assert len(energy.quotes) == 1
    q = energy.quotes[0]
    # Published as the transcript says it, with the transcript's time; the model's speaker guess ignored.
    assert (
        q.text == "je crois que l'énergie locale, c'est la meilleure assurance contre les coupures de l'hiver"
    )
    assert q.start_s == 29.0 and q.speaker == "Maëlle Kerbrat" and q.verified
    assert [r.text for r in energy.rejected_quotes] == [ENERGY_ANSWER["quotes"][1]["text"]]
    assert "introuvable" in energy.rejected_quotes[0].reason
    assert bakery.quotes[0].start_s == 94.0


def test_invented_figures_and_people_never_reach_the_summary_unflagged(prompts, tokenizer):
    energy, bakery = run(FakeBackend(by_topic), prompts, tokenizer).summaries
    assert "30 millions" not in energy.summary and "Gérard Lemoine" not in energy.summary
    assert "420 panneaux" in energy.summary and "12 %" in energy.summary
    assert any("30 millions" in w for w in energy.warnings)
    assert any("Gérard Lemoine" in w for w in energy.warnings)
    assert "45 %" not in " ".join(energy.key_points) and any("45 %" in w for w in energy.warnings)
    # The misspelt guest is respelled as the description writes her name.
    assert energy.summary.startswith("Maëlle Kerbrat explique")
    assert any("Maëlle Kerbra" in w and "corrigé" in w for w in energy.warnings)
    # Entities the segment never mentions are dropped.
    assert energy.entities == ("Watt'Else", "Maëlle Kerbrat")
    # A grounded answer passes untouched ("deux millions" is said in the segment).
    assert bakery.summary == BAKERY_ANSWER["summary"] and bakery.warnings == ()


def test_failed_segment_falls_back_to_extractive_and_is_flagged(prompts, tokenizer):
    def flaky(user: str):
        return LLMError("HTTP 500 after 2 retries") if "panneaux" in user else BAKERY_ANSWER

    result = run(FakeBackend(flaky), prompts, tokenizer)
    energy, bakery = result.summaries
    assert energy.failed and "500" in energy.failed
    assert energy.warnings[0].startswith("résumé extractif de secours")
    assert "420 panneaux solaires" in energy.summary  # the transcript's own sentence
    assert bakery.failed is None and result.failures == 1


def test_english_answer_is_refused_by_the_validator(prompts, tokenizer):
    english = {
        **BAKERY_ANSWER,
        "summary": "The guest explains that bakers lose flour because of the humidity.",
    }
    assert _validator(english) == ["$.summary is in English: write it in French"]
    assert _validator(BAKERY_ANSWER) == []
    result = run(FakeBackend(lambda u: english), prompts, tokenizer)
    assert all(s.failed for s in result.summaries)  # never published as a model summary


def test_long_segment_is_split_at_sentence_boundaries_and_merged(prompts, tokenizer):
    ep = make_episode()
    seg = make_segments()[1]
    prompt = prompts.get("summarise_segment")
    one = build_requests(ep, seg, prompt, tokenizer, context_window=16384)
    overhead = tokenizer.count_messages(one[0].prompt.messages)
    parts = build_requests(ep, seg, prompt, tokenizer, context_window=int((overhead + 900) / 0.95) + 10)
    assert len(one) == 1 and len(parts) > 1
    texts = [m["content"] for r in parts for m in r.prompt.messages if m["role"] == "user"]
    assert all("partie" in t for t in texts)
    # Every sentence is sent exactly once across the parts.
    for u in ep.utterances[seg.first : seg.last]:
        assert sum(u.text in t for t in texts) == 1
    merged = merge_answers([ENERGY_ANSWER, {**ENERGY_ANSWER, "summary": "Suite.", "entities": ["EDF", "X"]}])
    assert merged["summary"].endswith("Suite.") and merged["entities"] == [
        "Watt'Else",
        "Maëlle Kerbrat",
        "EDF",
        "X",
    ]


def test_split_segment_answers_are_merged(prompts, tokenizer):
    backend = FakeBackend(by_topic)
    ep = make_episode()
    prompt = prompts.get("summarise_segment")
    overhead = tokenizer.count_messages(
        build_requests(ep, make_segments()[1], prompt, tokenizer, context_window=16384)[0].prompt.messages
    )
    result = summarise(
        ep,
        make_segments(),
        calls=ModelCalls(backend, prompts, tokenizer, context_window=int((overhead + 900) / 0.95) + 10),
    )
    assert len(backend.requests) > 2
    assert len(result.summaries) == 2 and not any(s.failed for s in result.summaries)


def test_segment_of_a_labelled_transcript_keeps_label_speakers(prompts, tokenizer):
    ep = dataclasses.replace(
        make_episode(),
        utterances=tuple(
            dataclasses.replace(u, speaker="Bastien Oyono") if i == 13 else u
            for i, u in enumerate(make_episode().utterances)
        ),
    )
    result = summarise(ep, make_segments(), calls=ModelCalls(FakeBackend(by_topic), prompts, tokenizer))
    assert result.summaries[1].quotes[0].speaker == "Bastien Oyono"


def test_validator_checks_lengths_the_schema_leaves_out():
    assert _validator({**BAKERY_ANSWER, "title": "T" * 200}) == [
        "$.title must have 3 to 160 characters, not 200"
    ]
    assert _validator({**BAKERY_ANSWER, "summary": "Bref."})[0].startswith("$.summary must have")


def test_paragraphs_carry_one_time_mark_per_thirty_seconds():
    timed = [
        {"start": f"{s // 60:02d}:{s % 60:02d}", "text": f"Phrase {s}."} for s in (0, 10, 29, 30, 45, 60)
    ]
    assert timed_paragraphs(timed) == [
        {"start": "00:00", "text": "Phrase 0. Phrase 10. Phrase 29."},
        {"start": "00:30", "text": "Phrase 30. Phrase 45."},
        {"start": "01:00", "text": "Phrase 60."},
    ]
    untimed = [{"start": "", "text": "Une."}, {"start": "", "text": "Deux."}]
    assert timed_paragraphs(untimed) == [{"start": "", "text": "Une. Deux."}]
