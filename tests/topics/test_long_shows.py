"""Issue 22: as many topics as the content has, positions for untimed text, page marks, reader titles.

Unit tests on our own fixtures (a fake embedder that knows each sentence's subject), then the same
rules checked on the real transcripts of ../shared/real (skipped when ../shared is absent).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED
from segment_fixtures import SubjectEmbedder

from generator.config import Settings
from generator.language import fold
from generator.model import Episode, Utterance
from generator.topics import pick
from generator.topics.phrase_check import agreement_problem
from generator.topics.phrase_check import parts as phrase_parts
from generator.topics.segmenter import WORDS_PER_SECOND, as_json, segment, speaker_names
from generator.topics.titles import TitleModel, acceptable, title_problem
from generator.writing.compose import edition_title, load_phrases

REAL = Path(os.environ.get("NEWSLETTER_SHARED_REAL", SHARED / "real"))

# Five subjects, each with its own words; a sentence names its subject twice.
SUBJECTS = {
    "vigne": ("vigne", "vendanges", "raisin", "cépage", "viticulteurs", "cave"),
    "port": ("port", "conteneurs", "dockers", "quai", "grues", "navires"),
    "forêt": ("forêt", "chênes", "bûcherons", "scierie", "sapins", "coupe"),
    "piano": ("piano", "concert", "partition", "pianiste", "clavier", "récital"),
    "marée": ("marée", "littoral", "digue", "érosion", "dunes", "tempête"),
}
_TEMPLATES = (
    "Les {a} et la {b} occupent toute la semaine de la région.",
    "On parle des {a} parce que la {b} change beaucoup cette année.",
    "Pour les {a}, la question de la {b} reste entière.",
    "Le reportage montre les {a} face à la {b} du matin.",
)


def _sentence(subject: str, k: int) -> str:
    words = SUBJECTS[subject]
    return _TEMPLATES[k % 4].format(a=words[k % 6], b=words[(k + 3) % 6])


def _embedder() -> SubjectEmbedder:
    """One direction per subject (plus a little noise): a clean, known change of subject."""
    return SubjectEmbedder(SUBJECTS, dim=16, seed=7, name="subject-fake")


def _show(minutes: list[tuple[str, float]], timed: bool = True) -> tuple[Episode, list[float]]:
    """Sentences of each subject for so many minutes, at the speech rate; and the true starts."""
    utts, starts, t = [], [], 0.0
    for subject, length in minutes:
        starts.append(t)
        end, k = t + length * 60, 0
        while t < end:
            text = _sentence(subject, k)
            dur = len(text.split()) / WORDS_PER_SECOND
            utts.append(Utterance(text, t if timed else None, (t + dur) if timed else None))
            t, k = t + dur, k + 1
    ep = Episode(
        path="x.txt", sha256="2" * 64, format="plain", encoding="utf-8", utterances=tuple(utts), cleaned=True
    )
    return ep, starts[1:]


# ------------------------------------------------------------------------------ topic count


def test_the_prior_has_no_fixed_most():
    prior, most = pick.topic_prior(2 * 3600, pick.MIN_PART_S)
    assert 12 <= prior <= 20  # a two-hour interview has 12-20 subjects
    assert most == int(2 * 3600 // pick.MIN_PART_S)
    assert pick.topic_prior(10 * 60, pick.MIN_PART_S)[0] == 3  # a ten-minute chronicle: 2-3 boundaries


def test_split_long_cuts_every_part_over_twenty_minutes_at_its_deepest_valley():
    times = np.arange(0, 3600, 10.0)  # one hour, a sentence every 10 s
    score = np.zeros(len(times))
    score[150] = 2.0  # 25:00, the clearest change inside
    cuts = pick.split_long([0, len(times)], score, times, 3600.0, 90.0)
    assert 150 in cuts
    edges = [*(times[c] for c in cuts[:-1]), 3600.0]
    assert max(b - a for a, b in zip(edges, edges[1:], strict=False)) <= pick.MAX_PART_S
    assert all(b - a >= 90 for a, b in zip(edges, edges[1:], strict=False))


def test_a_long_show_gets_as_many_topics_as_it_has_and_none_over_twenty_minutes():
    plan = [("vigne", 26), ("port", 9), ("forêt", 12), ("piano", 8), ("marée", 10)]
    episode, truth = _show(plan)
    segments = segment(episode, embedder=_embedder())
    topics = [s for s in segments if s.kind in ("topic", "interview")]
    assert max(s.end_s - s.start_s for s in topics) <= pick.MAX_PART_S
    starts = [s.start_s for s in segments[1:]]
    for t in truth:
        assert any(abs(t - s) <= 60 for s in starts), (t, starts)


# ------------------------------------------------------------------------ untimed positions


def test_untimed_segments_carry_their_first_words_sentence_range_and_an_estimated_start():
    episode, _ = _show([("vigne", 6), ("port", 6), ("forêt", 6)], timed=False)
    segments = segment(episode, embedder=_embedder())
    assert len(segments) >= 3
    texts = [u.text for u in episode.utterances]
    for s in segments:
        assert s.start_s is None and s.end_s is None
        assert s.start_text and texts[s.first].startswith(s.start_text)
        words_before = sum(len(t.split()) for t in texts[: s.first])
        assert s.approx_start_s == pytest.approx(words_before / WORDS_PER_SECOND)
        assert s.approx_start.startswith("≈")
    doc = as_json(segments)
    assert doc[1]["start_text"] == segments[1].start_text
    assert doc[1]["sentences"] == [segments[1].first, segments[1].last]
    assert doc[1]["approx_start"].startswith("≈")


# ---------------------------------------------------------------------------- page structure


def test_a_page_mark_moves_a_boundary_to_the_heading_but_does_not_make_one_alone():
    episode, truth = _show([("vigne", 6), ("port", 6), ("forêt", 6)])
    plain = segment(episode, embedder=_embedder())
    times = [u.start_s for u in episode.utterances]
    change = next(i for i, t in enumerate(times) if t >= truth[0])
    near = change + 2  # a heading two sentences into the new subject: the layout's own place
    marked = segment(episode, embedder=_embedder(), marks=[near])
    assert near in {s.first for s in marked}
    assert len(marked) == len(plain)
    # Inside one subject (the two sides alike) a heading alone makes no boundary.
    inside = next(i for i, t in enumerate(times) if t >= truth[0] + 180)
    again = segment(episode, embedder=_embedder(), marks=[inside])
    assert inside not in {s.first for s in again}


# ------------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("C' : les data centers", False),
        ("J’ : les antennes relais", False),
        ("Salaire", False),
        ("L'eau", False),
        ("Les trottinettes", False),  # one content word: no "what about it"
        ("Le logiciel libre et les collectivités", True),
        ("Décodex : les fausses nouvelles", True),
        ("Les data centers et la consommation d'eau", True),
        ("Un titre beaucoup trop long pour être lu comme le nom d'un sujet", False),
    ],
)
def test_title_rules(title, ok):
    assert acceptable(title) is ok, title_problem(title)


def test_a_speaker_name_is_never_the_subject():
    assert title_problem("Richard : les serveurs", ["Richard Hanna"]) == "un nom de personne pour sujet"
    assert acceptable("Les serveurs et la chaleur fatale", ["Richard Hanna"])
    episode = Episode(
        path="x",
        sha256="3" * 64,
        format="turns",
        encoding="utf-8",
        cleaned=True,
        utterances=(Utterance("Bonjour.", speaker="Richard"), Utterance("Oui.", speaker="Speaker 1")),
    )
    assert "Richard" in speaker_names(episode)


def test_an_elided_word_written_with_a_curly_apostrophe_never_heads_a_title():
    texts = [
        "C’est la question des data centers.",
        "C’est aussi la consommation des data centers.",
        "C’est énorme, la consommation électrique des data centers.",
    ] * 3
    title = TitleModel(texts).title(0, len(texts))
    assert acceptable(title), (title, title_problem(title))
    assert not title.startswith("C’")


def test_offline_titles_of_a_long_show_are_all_acceptable():
    plan = [("vigne", 8), ("port", 9), ("forêt", 12), ("piano", 8), ("marée", 10)]
    episode, _ = _show(plan)
    for s in segment(episode, embedder=_embedder()):
        assert acceptable(s.title.removeprefix("Ouverture : ")), (s.title, title_problem(s.title))


def test_the_edition_title_names_the_two_main_subjects():
    phrases = load_phrases()
    assert edition_title("Le port de commerce", 1, phrases, second="La forêt domaniale") == (
        "Le port de commerce et la forêt domaniale"
    )
    assert edition_title("Le port de commerce", 3, phrases, second="Les vendanges tardives") == (
        "Le port de commerce, les vendanges tardives et deux autres sujets"
    )
    assert edition_title("Décodex : les fausses nouvelles", 2, phrases, second="Le budget de RT") == (
        "Décodex : les fausses nouvelles, le budget de RT, et un autre sujet"
    )


# ------------------------------------------------------------------ the real transcripts


def _real_sets() -> list[tuple[dict, Path]]:
    if not REAL.is_dir():
        return []
    out = []
    for lab in sorted(REAL.glob("*/labels.json")):
        label = json.loads(lab.read_text(encoding="utf-8"))
        out.append((label, lab.parent / label["file"]))
    return out


@pytest.fixture(scope="module")
def real_segments():
    import shared_embedder

    from generator.errors import NewsletterError
    from generator.topics.embeddings import USEEmbedder
    from generator.transcript.ingestion import load_episode

    sets = _real_sets()
    if not sets:
        pytest.skip("../shared/real is absent")
    out = []
    for label, path in sets:
        try:
            episode = load_episode(path, Settings())
        except NewsletterError:
            continue  # a layout the readers do not know yet (issue 21): nothing to segment
        if not shared_embedder._SHARED:
            shared_embedder._SHARED.append(USEEmbedder())
        out.append((label, path, episode, segment(episode, embedder=shared_embedder._SHARED[0])))
    return out


@pytest.mark.slow
def test_real_transcripts_no_topic_over_twenty_minutes_and_untimed_positions(real_segments):
    for label, path, _episode, segments in real_segments:
        source = re.sub(r"\s+", " ", path.read_text(encoding="utf-8", errors="replace"))
        for s in segments:
            if s.start_s is not None:
                assert s.end_s - s.start_s <= pick.MAX_PART_S + 1, (label["name"], s)
            else:
                assert s.start_text and s.approx_start.startswith("≈"), (label["name"], s)
                first = s.start_text.split()[0].strip('.,;:!?«»"')
                assert first in source, (label["name"], s.start_text)


@pytest.mark.slow
def test_real_transcripts_titles_have_no_dangling_elision_and_two_content_words(real_segments):
    for label, _path, episode, segments in real_segments:
        names = speaker_names(episode)
        for s in segments:
            title = s.title.removeprefix("Ouverture : ")
            if s.kind == "outro":
                continue
            problem = title_problem(title, names)
            assert problem is None or not problem.startswith(("élision", "moins de deux")), (
                label["name"],
                s.title,
                problem,
            )


@pytest.mark.slow
def test_real_transcripts_every_title_phrase_is_said_in_its_segment(real_segments):
    for label, _path, episode, segments in real_segments:
        for s in segments:
            if s.kind == "outro" or not s.title:
                continue
            title = s.title.removeprefix("Ouverture : ")
            source = " ".join(u.text for u in episode.utterances[s.first : s.last])
            for part in phrase_parts(title):
                said = fold(part).split()
                if said and said[0] in ("le", "la", "les", "l", "un", "une", "des", "du", "au", "aux"):
                    said = said[1:]
                assert f" {' '.join(said)} " in f" {fold(source)} ", (label["name"], s.title, part)
                assert agreement_problem(part, fold(source).split()) is None, (label["name"], s.title)


def test_the_main_subjects_are_the_two_longest_sections_in_the_edition_order():
    from generator.model import Section, Source
    from generator.writing.headline import main_subjects

    src = Source("x", "4" * 64, None, None)
    secs = [
        Section(t, "", src, a, b) for t, a, b in [("Court", 0, 60), ("Long", 60, 900), ("Moyen", 900, 1300)]
    ]
    assert main_subjects(secs) == ("Long", "Moyen")
    untimed = [Section(t, "", src, None, None) for t in ("Un", "Deux", "Trois")]
    assert main_subjects(untimed) == ("Un", "Deux")
    assert main_subjects(secs[:1]) == ("Court", "")
