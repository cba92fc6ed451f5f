"""The offline backend: deterministic summaries built only from the transcript's own sentences."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
from fr_episode import make_episode, make_segments

from generator.language import split_sentences
from generator.model import Quote
from generator.writing import extractive
from generator.writing.quotes import normalise


def test_only_topic_segments_are_summarised():
    summaries = extractive.summarise_extractive(make_episode(), make_segments())
    assert [s.segment.index for s in summaries] == [1, 2]


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text.lower())


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(w in it for w in small)


def test_summary_is_made_of_transcript_sentences_of_the_segment_with_words_only_removed():
    ep = make_episode()
    for s in extractive.summarise_extractive(ep, make_segments()):
        seg_sentences = [u.text for u in ep.utterances[s.segment.first : s.segment.last]]
        picked = split_sentences(s.summary, before_capital=True)
        assert 2 <= len(picked) <= 5
        for sentence in picked:
            assert any(_is_subsequence(_words(sentence), _words(t)) for t in seg_sentences), sentence
        assert not any(t.endswith("?") for t in picked)  # questions do not summarise
        assert s.warnings == () and s.failed is None


def test_quotes_are_verified_spans_of_8_to_40_words():
    ep = make_episode()
    joined = normalise(" ".join(u.text for u in ep.utterances))
    for s in extractive.summarise_extractive(ep, make_segments()):
        assert 1 <= len(s.quotes) <= 2
        for q in s.quotes:
            assert isinstance(q, Quote) and q.verified and q.match == "exact"
            assert 8 <= len(q.text.split()) <= 40
            assert normalise(q.text) in joined
            assert q.start_s == ep.utterances[q.utterance].start_s


def test_first_person_conviction_is_preferred_for_quotes():
    s = extractive.summarise_extractive(make_episode(), make_segments())[0]
    # The conviction is quoted from its clause on: verbatim, without the spoken tic that opens the line.
    assert any(q.text.startswith("je crois que l'énergie locale") for q in s.quotes)


def test_key_points_carry_figures_and_titles_come_from_keyphrases():
    energy, bakery = extractive.summarise_extractive(make_episode(), make_segments())
    assert energy.key_points and all(any(c.isdigit() for c in k) for k in energy.key_points)
    # Titles are phrases of the segment itself, never a guest's name.
    for s, words in (
        (energy, "toits centrale électrique panneaux énergie"),
        (bakery, "boulangerie chimie lente capteurs fournil farine"),
    ):
        assert any(w in s.title.lower() for w in words.split()), s.title
        assert "Kerbrat" not in s.title and "Oyono" not in s.title


def test_deterministic_and_importance_ordered_by_content():
    a = extractive.summarise_extractive(make_episode(), make_segments())
    b = extractive.summarise_extractive(make_episode(), make_segments())
    assert a == b
    # A segment cut down to two sentences weighs less than the full one.
    segs = make_segments()
    short = dataclasses.replace(segs[1], last=4)
    small = extractive.summarise_extractive(make_episode(), [short, segs[2]])
    assert small[0].importance < small[1].importance


def test_fallback_to_all_segments_when_none_is_a_topic():
    segs = [dataclasses.replace(s, kind="intro") for s in make_segments()]
    # The 5-second closing is too short to stand alone: it joins the segment before it.
    assert len(extractive.summarise_extractive(make_episode(), segs)) == 3


class _FakeEmbedder:
    name = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        rng = np.random.default_rng(0)
        m = rng.normal(size=(len(texts), 16)).astype(np.float32)
        return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_embedder_is_used_for_centrality_when_given():
    emb = _FakeEmbedder()
    out = extractive.summarise_extractive(make_episode(), make_segments(), embedder=emb)
    assert emb.calls == 1 and len(out) == 2
    assert all(s.quotes for s in out)


def test_a_sentence_leaning_on_a_connective_loses_to_its_standalone_twin():
    central = "La coopérative installe des panneaux solaires sur les écoles et les gymnases du canton."
    texts = [
        "Mais " + central[0].lower() + central[1:],
        central,
        "Les panneaux solaires des écoles produisent plus que prévu pendant les vacances du canton.",
        "Les habitants du canton achètent des parts de la coopérative pour financer les panneaux.",
    ]
    ep = dataclasses.replace(
        make_episode(),
        utterances=tuple(
            dataclasses.replace(make_episode().utterances[0], text=t, start_s=10.0 * i)
            for i, t in enumerate(texts)
        ),
    )
    seg = dataclasses.replace(make_segments()[1], first=0, last=4)
    summary = extractive.summarise_extractive(ep, [seg])[0].summary
    assert central in summary and not summary.startswith("Mais")
    assert "Mais la coopérative" not in summary
