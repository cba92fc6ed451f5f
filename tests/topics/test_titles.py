"""Offline headings (generator/titles.py) and the adaptive minimum topic length, end to end."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from conftest import SAMPLE
from fr_episode import make_episode as make_fr_episode
from fr_episode import make_segments as make_fr_segments
from segment_fixtures import make_episode as make_show
from shared_embedder import shared_embedder  # noqa: F401 - fixture

from generator.cli import main
from generator.config import load_settings
from generator.language import is_filler, is_stopword
from generator.topics.segmenter import adaptive_min_segment, segment
from generator.topics.titles import TitleModel, acceptable, title_problem
from generator.transcript.ingestion import load_episode
from generator.writing import extractive
from generator.writing.compose import edition_title, load_phrases

ARTICLES = {"le", "la", "les", "l'", "et", ":"}


def content_words(title: str) -> list[str]:
    """The title's words without articles, 'et' or ' : ' (and the elided article of "L'énergie")."""
    out = []
    for raw in title.replace("’", "'").split():
        word = raw.lower()
        if word.startswith("l'") and len(word) > 2:
            word = word[2:]
        if word not in ARTICLES:
            out.append(word)
    return out


def assert_good_heading(title: str, segment_text: str) -> None:
    """Non-empty, short, capitalised, made of the segment's words, never a function word at either end."""
    assert title and len(title) <= 60, title
    assert title[0].isupper(), title
    words = content_words(title)
    assert words, title
    folded = segment_text.lower()
    for word in words:
        assert word.strip("'") in folded, (word, title)
    assert not is_stopword(words[0]) and not is_stopword(words[-1]), title
    assert any(not is_stopword(w) and not is_filler(w) for w in words), title


# ------------------------------------------------------------------------------- noun phrases


TALK = [
    "Bonjour à tous, aujourd'hui on parle du réemploi des téléphones.",
    "Le réemploi des téléphones progresse dans les grandes villes.",
    "Pour acheter un appareil, les gens veulent une garantie.",
    "Le réemploi des téléphones demande des pièces détachées.",
    "Les pièces détachées coûtent cher chez certains fabricants.",
    "On passe maintenant aux logiciels libres à la mairie de Montcalme.",
    "Les logiciels libres ont séduit la mairie de Montcalme l'an dernier.",
    "Les agents de Montcalme ont appris à utiliser les logiciels libres.",
    "Passer aux logiciels libres a demandé six mois de formation.",
    "Merci Louise Berthier, on se retrouve la semaine prochaine.",
]


def test_heading_is_a_noun_phrase_with_its_article_and_complement():
    model = TitleModel(TALK, exclude=["Louise Berthier"])
    first = model.title(0, 5)
    assert first.startswith("Le réemploi des téléphones"), first
    second = model.title(5, 10)
    assert "logiciels libres" in second.lower(), second
    assert first != second
    for title, (a, b) in ((first, (0, 5)), (second, (5, 10))):
        assert_good_heading(title, " ".join(TALK[a:b]))


def test_verbs_fillers_numbers_and_excluded_names_are_never_headings():
    model = TitleModel(TALK, exclude=["Louise Berthier"])
    texts = {p.text.lower() for p in model.phrases(0, 10, k=20)}
    joined = " | ".join(texts)
    assert "acheter" not in joined and "utiliser" not in joined  # infinitives after a preposition
    assert "six" not in joined.split() and "an" not in joined.split()
    assert "berthier" not in joined and "louise" not in joined


def test_names_keep_their_casing_and_lead_a_colon_heading():
    texts = [
        "La société Norvalis a présenté un nouveau capteur.",
        "Chez Norvalis, le capteur mesure la pollution de l'air.",
        "Le capteur de Norvalis coûte moins cher que les autres.",
        "Norvalis veut vendre le capteur dans toute l'Europe.",
    ]
    title = TitleModel(texts).title(0, 4)
    assert title.startswith("Norvalis"), title
    assert "capteur" in title
    assert_good_heading(title, " ".join(texts))


def test_headings_are_deterministic_and_empty_without_a_topic():
    model = TitleModel(TALK)
    assert model.title(0, 10) == TitleModel(list(TALK)).title(0, 10)
    assert TitleModel(["Oui.", "Bon, voilà, merci."]).title(0, 2) == ""


# ------------------------------------------------------------------- segment and extractive


def test_segment_titles_are_good_headings_and_differ(shared_embedder):  # noqa: F811
    episode = make_show()
    segments = segment(episode, embedder=shared_embedder)
    texts = [u.text for u in episode.utterances]
    topics = [s for s in segments if s.kind in ("topic", "interview")]
    assert len(topics) >= 3
    for s in topics:
        assert_good_heading(s.title, " ".join(texts[s.first : s.last]))
    assert len({s.title for s in segments}) == len(segments)


def test_extractive_section_titles_are_the_segmenter_titles():
    # `segment` and the draft show the same sections under the same titles (issue 22); a segment
    # without a title (or an intro made a section) takes the title model's heading.
    episode = make_fr_episode()
    segments = make_fr_segments()
    summaries = extractive.summarise_extractive(episode, segments)
    assert [s.title for s in summaries] == [s.segment.title for s in summaries]
    assert {s.segment.kind for s in summaries} <= {"topic", "interview"}
    untitled = [dataclasses.replace(g, title="") for g in segments]
    model = TitleModel([u.text for u in episode.utterances], exclude=episode.known_names)
    for s in extractive.summarise_extractive(episode, untitled):
        text = " ".join(u.text for u in episode.utterances[s.segment.first : s.segment.last])
        assert_good_heading(s.title, text)
        assert s.title == model.title(s.segment.first, s.segment.last)


# ------------------------------------------------------------------------------ edition title


def test_edition_title_reads_as_one_french_list():
    phrases = load_phrases()
    assert edition_title("La chaleur des serveurs", 0, phrases) == "La chaleur des serveurs"
    assert edition_title("La chaleur", 1, phrases) == "La chaleur et un autre sujet"
    assert (
        edition_title("Les pièces et la batterie", 2, phrases)
        == "Les pièces, la batterie et deux autres sujets"
    )
    assert (
        edition_title("Norvalis : le capteur", 3, phrases) == "Norvalis : le capteur, et trois autres sujets"
    )


# --------------------------------------------------------------------- adaptive minimum length


def test_adaptive_minimum_follows_the_length_of_the_show():
    assert adaptive_min_segment(6.5 * 60) == pytest.approx(65.0)  # a sixth of a short show
    assert adaptive_min_segment(120.0) == 60.0  # never a topic under a minute
    assert adaptive_min_segment(15 * 60) == 90.0  # under 90 s a part is a break, not a topic
    assert adaptive_min_segment(2 * 3600) == 90.0


def test_config_default_is_adaptive_and_an_explicit_value_is_kept(tmp_path: Path):
    assert load_settings(None, cwd=tmp_path).segment.min_segment_s is None
    config = tmp_path / "newsletter.toml"
    config.write_text("[segment]\nmin_segment_s = 120\n", encoding="utf-8")
    assert load_settings(config, cwd=tmp_path).segment.min_segment_s == 120.0
    flags = {"segment": {"min_segment_s": 90}}
    assert load_settings(config, cwd=tmp_path, overrides=flags).segment.min_segment_s == 90.0


def test_sample_show_gives_its_three_topics_unless_told_otherwise(tmp_path, shared_embedder):  # noqa: F811
    episode = load_episode(SAMPLE, load_settings(None, cwd=tmp_path))
    adaptive = [s for s in segment(episode, embedder=shared_embedder) if s.kind in ("topic", "interview")]
    assert len(adaptive) == 3
    explicit = segment(episode, embedder=shared_embedder, min_segment_s=120)
    assert len([s for s in explicit if s.kind in ("topic", "interview")]) == 2
    texts = [u.text for u in episode.utterances]
    for s in adaptive:
        assert_good_heading(s.title, " ".join(texts[s.first : s.last]))
    assert len({s.title for s in adaptive}) == 3


def test_generate_offline_on_the_sample_has_three_sections(tmp_path, monkeypatch, capsys, shared_embedder):  # noqa: F811
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NEWSLETTER_BACKEND"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["generate", str(SAMPLE), "--json", "-q"]) == 0
    doc = json.loads(capsys.readouterr().out)
    titles = [s["title"] for s in doc["sections"]]
    assert len(titles) == 3 and len(set(titles)) == 3
    md = (Path(doc["path"]) / "newsletter.md").read_text(encoding="utf-8")
    # The edition names its two main subjects, then the count of the others (issue 22).
    assert titles[0] in md.splitlines()[0] and "et un autre sujet" in md.splitlines()[0]
    # An explicit minimum is honoured exactly: two minutes leave room for two topics only.
    config = tmp_path / "newsletter.toml"
    config.write_text("[segment]\nmin_segment_s = 120\n", encoding="utf-8")
    assert main(["generate", str(SAMPLE), "--json", "-q", "--config", str(config)]) == 0
    assert len(json.loads(capsys.readouterr().out)["sections"]) == 2


def test_verbs_and_adverbs_after_a_noun_are_not_adjectives():
    texts = [
        "La batterie vieillit vite quand il fait chaud.",
        "Une batterie gratuite, ça n'existe pas, la batterie s'use forcément.",
        "Le fabricant remplace la batterie usée en atelier.",
    ]
    phrases = " | ".join(p.text for p in TitleModel(texts).phrases(0, 3, k=5))
    assert "batterie" in phrases
    assert "vieillit" not in phrases and "vite" not in phrases and "forcément" not in phrases


def test_a_short_part_repeating_one_phrase_borrows_a_phrase_said_once():
    # Only "les températures" is said twice: alone it is one content word, so the heading takes a
    # phrase said once in the part rather than a heading a reader refuses.
    texts = [
        "Les températures montent vite cette année.",
        "On parle beaucoup des températures.",
        "Le jardin communal souffre de la sécheresse.",
        "Les arrosages nocturnes sont interdits depuis juin.",
        "Il faut encore attendre.",
        "Voilà où nous en sommes.",
    ]
    title = TitleModel(texts).title(0, len(texts))
    assert acceptable(title), (title, title_problem(title))
    assert title.startswith("Les températures")
