"""Our own labelled shows (tests/fixtures/unseen), never used to choose a constant, in three shapes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import unseen_shows
from shared_embedder import shared_embedder  # noqa: F401 - fixture

from generator.config import Settings
from generator.language import is_stopword
from generator.model import Chapter
from generator.topics import units
from generator.topics.scoring import boundary_f1, pk, windowdiff
from generator.topics.segmenter import segment
from generator.topics.titles import _SHOW_WORDS
from generator.transcript.ingestion import load_episode

SHOWS = {s.name: s for s in unseen_shows.shows()}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[tuple[str, str], object]:
    """Every show in every shape, through the real ingest and cleaning."""
    dest = tmp_path_factory.mktemp("unseen")
    return {
        (name, shape): load_episode(unseen_shows.write(show, shape, dest), Settings())
        for name, show in SHOWS.items()
        for shape in unseen_shows.SHAPES
    }


def _scores(show, segments) -> tuple[float, float, float]:
    start, end, ref = unseen_shows.reference(show)
    hyp = [s.start_s for s in segments[1:]]
    return (
        pk(ref, hyp, start, end),
        windowdiff(ref, hyp, start, end),
        boundary_f1(ref, hyp, 20, start, end).f1,
    )


def test_fixtures_are_long_labelled_french_shows():
    assert len(SHOWS) >= 3
    for show in SHOWS.values():
        assert show.end >= 9 * 60
        kinds = [p.kind for p in show.parts]
        assert kinds[-1] == "outro" and kinds.count("topic") + kinds.count("interview") >= 3
    talk = SHOWS["grand-comptoir"]
    assert [p.kind for p in talk.parts].count("ad") == 2 and "transition" in [p.kind for p in talk.parts]
    assert talk.parts[0].kind == "intro"


@pytest.mark.parametrize(
    "shape,max_pk,max_wd,min_f1",
    # issue 13's targets (means over our unseen shows; captions pass with a thin margin on Pk)
    [("scraped", 0.10, 0.12, 0.75), ("speakers", 0.13, 0.15, 0.70), ("autocaption", 0.13, 0.15, 0.70)],
)
def test_unseen_shows_score_within_target(rendered, shared_embedder, shape, max_pk, max_wd, min_f1):  # noqa: F811
    got = np.array(
        [
            _scores(show, segment(rendered[(name, shape)], embedder=shared_embedder))
            for name, show in SHOWS.items()
        ]
    )
    mean = got.mean(axis=0)
    assert mean[0] <= max_pk and mean[1] <= max_wd and mean[2] >= min_f1, mean


def test_no_topic_under_a_minute_and_headings_name_a_subject(rendered, shared_embedder):  # noqa: F811
    for (name, shape), episode in rendered.items():
        segments = segment(episode, embedder=shared_embedder)
        for s in segments:
            if s.kind in ("topic", "interview"):
                assert s.end_s - s.start_s >= 60, (name, shape, s)
                first = s.title.split()[0].lower().strip(":,")
                assert first not in _SHOW_WORDS, (name, shape, s.title)
            last = s.title.split()[-1].lower()
            assert not is_stopword(last) or last.isupper(), s.title


def test_talk_show_intro_ads_and_jingle(rendered, shared_embedder):  # noqa: F811
    episode = rendered[("grand-comptoir", "scraped")]
    segments = segment(episode, embedder=shared_embedder)
    show = SHOWS["grand-comptoir"]
    assert segments[0].kind == "intro" and abs(segments[1].start_s - show.parts[1].start) <= 20
    assert segments[-1].kind == "outro"
    asides = [a for s in segments for a in s.asides]
    assert [a.kind for a in asides].count("ad") == 2
    assert "transition" in [a.kind for a in asides]
    # a subject starts after the break: each ad sits at the end of the topic before it
    for s in segments:
        for a in s.asides:
            if a.kind == "ad":
                assert s.end_s - a.end_s <= 20, (s, a)
    assert not any("horizon" in s.title.lower() or "vagabonde" in s.title.lower() for s in segments)


def test_chapters_are_strong_hints(rendered, shared_embedder):  # noqa: F811
    episode = rendered[("terres-vives", "scraped")]
    show = SHOWS["terres-vives"]
    plain = segment(episode, embedder=shared_embedder)
    marks = tuple(Chapter(p.title, p.start) for p in show.parts if p.kind not in unseen_shows.ASIDES)
    hinted = segment(dataclasses.replace(episode, chapters=marks), embedder=shared_embedder)
    start, end, ref = unseen_shows.reference(show)
    f1 = [boundary_f1(ref, [s.start_s for s in segs[1:]], 20, start, end).f1 for segs in (plain, hinted)]
    assert f1[1] >= f1[0] and f1[1] >= 0.9, f1


def test_unpunctuated_text_is_scored_on_pseudo_sentences():
    texts = ["mots " * 60, "encore des mots " * 10, "fin"]
    times = np.array([0.0, 24.0, 36.0])
    unit = units.build(texts, times, 40.0, [None] * 3, [None] * 3)
    assert units.unpunctuated(texts) and len(unit.texts) == 4 + 2 + 1
    assert list(unit.owner) == [0, 0, 0, 0, 1, 1, 2]
    assert unit.times[1] == pytest.approx(6.0)
    assert units.to_sentence(1, unit, times) == 0 and units.to_sentence(3, unit, times) == 1
    assert units.to_sentence(7, unit, times) == 3
    punctuated = ["Une phrase.", "Une autre phrase."]
    assert units.build(punctuated, np.array([0.0, 2.0]), 4.0, [None] * 2, [None] * 2).texts == punctuated


def test_sponsor_reads_never_reach_the_offline_draft(rendered, shared_embedder):  # noqa: F811
    from generator.writing import extractive

    episode = rendered[("grand-comptoir", "scraped")]
    segments = segment(episode, embedder=shared_embedder)
    summaries = extractive.summarise_extractive(episode, segments)
    parts = [[s.title, s.summary, *s.key_points, *(q.text for q in s.quotes)] for s in summaries]
    text = " ".join(p for part in parts for p in part)
    # The draft has at most max(3, 8 per show-hour) sections (issue 14): 3 for this 15-minute show,
    # so short topics join a neighbour. Both ad breaks must sit inside published sections, still
    # marked as asides after the joining, or the check below would have nothing to catch.
    ads = [a for s in segments for a in s.asides if a.kind == "ad"]
    published = [s.segment for s in summaries]
    assert len(summaries) >= 3 and len(ads) == 2
    assert all(any(a in p.asides and p.first <= a.first < a.last <= p.last for p in published) for a in ads)
    assert "code promo" not in text.lower() and "mutuelle horizon" not in text.lower()
