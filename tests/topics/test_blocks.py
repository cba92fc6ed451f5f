"""The model boundary pass (topics/blocks.py): blocks, one call per hour, validation, merge, fallback."""

from __future__ import annotations

from test_long_shows import _embedder, _show

from generator.errors import LLMError
from generator.llm import LLMResult, PromptRegistry, default_root
from generator.model import PromptUse, Usage
from generator.topics import blocks
from generator.topics.segmenter import segment


class FakeBackend:
    """Answers each call from a script (a dict, or an exception to raise); records the prompts."""

    model = "fake-model"

    def __init__(self, answers):
        self.answers = list(answers)
        self.prompts = []

    def complete_json(self, request):
        self.prompts.append(request.prompt.messages[-1]["content"])
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return LLMResult(
            answer, Usage(100, 20, calls=1), False, PromptUse("segment_blocks", 1, "x"), self.model
        )


def _numbers(backend_prompt: str) -> list[int]:
    import re

    return [int(m) for m in re.findall(r"^\[(\d+)\]", backend_prompt, re.MULTILINE)]


def test_blocks_hold_a_few_sentences_and_one_run_per_hour():
    texts = ["un deux trois quatre cinq six sept huit neuf dix"] * 100  # 1000 words
    times = [i * 4.0 for i in range(100)]
    made = blocks.make_blocks(texts, times, words=80)
    assert [b.last - b.first for b in made[:3]] == [8, 8, 8]
    assert made[-1].last == 100 and [b.number for b in made] == list(range(len(made)))
    assert len(blocks.hours(made, 3 * 3600 - 1)) == 3
    assert len(blocks.hours(made, 1000)) == 1


def test_validation_keeps_numbers_in_range_increasing_and_spaced():
    run = [blocks.Block(k, k * 3, k * 3 + 3, k * 60.0) for k in range(40)]
    data = {
        "changes": [
            {"block": 0, "title": "Le début de l'émission"},  # never block 0
            {"block": 10, "title": "Le port de commerce"},
            {"block": 11, "title": "Trop près du précédent"},  # 60 s later: under the minimum
            {"block": 8, "title": "En arrière"},  # not increasing
            {"block": 99, "title": "Hors de la plage"},
            {"block": "12", "title": "Pas un nombre"},
            {"block": 20, "title": "La forêt domaniale"},
        ]
    }
    kept = blocks.valid_changes(data, run, 2400.0, 90.0)
    assert [(b.number, t) for b, t in kept] == [(10, "Le port de commerce"), (20, "La forêt domaniale")]


def test_the_pass_adds_a_missed_change_titles_confirmed_ones_and_falls_back_per_hour():
    episode, truth = _show([("vigne", 8), ("port", 8), ("forêt", 8)])
    offline = segment(episode, embedder=_embedder())
    prompts = PromptRegistry(default_root())
    # The model confirms the first change (its block is near the offline boundary) and gives a title.
    made = blocks.make_blocks([u.text for u in episode.utterances], [u.start_s for u in episode.utterances])
    at = min(made, key=lambda b: abs(b.start_s - truth[0]))
    backend = FakeBackend([{"changes": [{"block": at.number, "title": "Les dockers du port de commerce"}]}])
    done = blocks.model_pass(episode, offline, backend=backend, prompts=prompts)
    assert done.calls == 1 and not done.failed  # 24 minutes: one call
    assert _numbers(backend.prompts[0])[:2] == [0, 1]
    confirmed = [s for s in done.segments if abs(s.start_s - truth[0]) <= 60]
    assert confirmed and confirmed[0].title == "Les dockers du port de commerce"
    assert [s.first for s in done.segments] == [s.first for s in offline]
    # A title a reader would not accept is not taken; the offline one stays.
    backend = FakeBackend([{"changes": [{"block": at.number, "title": "C' : le port"}]}])
    done = blocks.model_pass(episode, offline, backend=backend, prompts=prompts)
    assert [s.title for s in done.segments] == [s.title for s in offline]
    # A failure keeps the offline segmentation and says why.
    backend = FakeBackend([LLMError("délai dépassé")])
    done = blocks.model_pass(episode, offline, backend=backend, prompts=prompts)
    assert done.segments == offline and done.failed and "délai" in done.failed[0]


def test_a_change_the_offline_pass_missed_is_added():
    episode, truth = _show([("vigne", 8), ("port", 8), ("forêt", 8)])
    offline = segment(episode, embedder=_embedder())
    made = blocks.make_blocks([u.text for u in episode.utterances], [u.start_s for u in episode.utterances])
    # A change the model sees four minutes into the second subject (no offline boundary near).
    at = min(made, key=lambda b: abs(b.start_s - (truth[0] + 240)))
    backend = FakeBackend([{"changes": [{"block": at.number, "title": "Les grues du quai nord"}]}])
    done = blocks.model_pass(episode, offline, backend=backend, prompts=PromptRegistry(default_root()))
    assert len(done.segments) == len(offline) + 1
    added = next(s for s in done.segments if s.first == at.first)
    assert added.title == "Les grues du quai nord" and added.kind == "topic"
    assert [s.index for s in done.segments] == list(range(len(done.segments)))


def test_an_answer_marking_every_other_block_is_no_segmentation():
    run = [blocks.Block(k, k * 3, k * 3 + 3, k * 40.0) for k in range(50)]  # 33 minutes
    data = {"changes": [{"block": k, "title": f"Le sujet numéro {k} du jour"} for k in range(3, 50, 2)]}
    assert blocks.valid_changes(data, run, 2000.0, 90.0) == []
    few = {"changes": data["changes"][::5]}  # five changes in 33 minutes: a segmentation
    assert len(blocks.valid_changes(few, run, 2000.0, 90.0)) == 5


def test_in_batch_mode_every_hour_joins_the_same_batch_round():
    """A deferred hour does not stop the others: all are collected, then the pass waits (issue 27)."""
    import pytest

    from generator.llm import Deferred

    episode, _ = _show([("vigne", 40), ("port", 40), ("forêt", 40)])  # two hours: two calls
    offline = segment(episode, embedder=_embedder())
    prompts = PromptRegistry(default_root())
    backend = FakeBackend([Deferred("a"), Deferred("b"), Deferred("c")])
    with pytest.raises(Deferred):
        blocks.model_pass(episode, offline, backend=backend, prompts=prompts)
    assert len(backend.prompts) >= 2 and len(backend.answers) == 3 - len(backend.prompts)
