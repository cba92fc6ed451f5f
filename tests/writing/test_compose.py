"""Composing an edition: order, epigraph, announcement from the real count, grounded model text."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from fr_episode import SENTENCES, make_episode, make_segments
from test_summarise import BAKERY_ANSWER, ENERGY_ANSWER, FakeBackend

from generator.errors import LLMError, RenderError
from generator.llm.prompts import PromptRegistry, default_root
from generator.llm.tokens import get_tokenizer
from generator.model import Quote
from generator.writing import extractive
from generator.writing.compose import (
    announcement,
    compose,
    compose_edition,
    load_phrases,
    number_words,
    pick_epigraph,
)
from generator.writing.summariser import ModelCalls, summarise

TODAY = dt.date(2025, 3, 11)


@pytest.fixture(scope="module")
def phrases():
    return load_phrases()


@pytest.fixture(scope="module")
def prompts():
    return PromptRegistry(default_root())


def offline():
    ep = make_episode()
    return ep, extractive.summarise_extractive(ep, make_segments())


def test_number_words_and_announcement(phrases):
    assert number_words(3, phrases) == "trois" and number_words(17, phrases) == "dix-sept"
    assert number_words(42, phrases) == "42"
    assert announcement(3, "cybernetica", phrases) == "Voici trois idées pour cette semaine."
    assert announcement(1, "cybernetica", phrases) == "Voici une idée pour cette semaine."
    assert "deux sujets" in announcement(2, "cafetech", phrases)


def test_extractive_edition_from_templates(phrases):
    ep, summaries = offline()
    result = compose_edition([(ep, summaries)], style="cybernetica", today=TODAY)
    e = result.edition
    assert e.extractive and e.style == "cybernetica" and e.date == TODAY
    assert e.announcement == "Voici deux idées pour cette semaine."
    assert "Octets et Croissants du 10 mars 2025" in e.intro
    assert "Maëlle Kerbrat (directrice de la coopérative Watt'Else)" in e.intro
    assert e.closing == phrases["cybernetica"]["closing"]
    # Sections by importance, each carrying its source and timestamp.
    assert [s.title for s in e.sections] == [s.title for s in sorted(summaries, key=lambda s: -s.importance)]
    assert e.sections[0].source.show == "Octets et Croissants" and e.sections[0].start_s is not None
    assert e.sources[0].sha256 == ep.sha256 and e.sources[0].guests == ep.guests
    assert e.title.startswith(e.sections[0].title)
    assert result.usage.calls == 0 and result.prompts == ()


def test_epigraph_is_the_strongest_verified_quote_with_a_speaker():
    ep, summaries = offline()
    e = compose([(ep, summaries)], style="cafetech", today=TODAY)
    assert e.epigraph is not None and e.epigraph.verified and e.epigraph.speaker
    assert any(e.epigraph in s.quotes for s in e.sections)
    unverified = Quote("je crois vraiment que tout va changer demain matin pour nous", 1.0, "X", False, 0)
    assert pick_epigraph([dataclasses.replace(e.sections[0], quotes=(unverified,))]) is None


def test_several_episodes_make_one_edition():
    ep1, s1 = offline()
    ep2 = dataclasses.replace(make_episode(path="autre.txt"), sha256="1" * 64, show="Autre Show")
    s2 = extractive.summarise_extractive(ep2, make_segments())
    e = compose({ep1: s1, ep2: s2}, style="cybernetica", today=TODAY)
    assert len(e.sections) == 4 and len(e.sources) == 2
    assert e.announcement == "Voici quatre idées pour cette semaine."
    assert {s.source.show for s in e.sections} == {"Octets et Croissants", "Autre Show"}


def test_unknown_style_is_an_error():
    ep, summaries = offline()
    with pytest.raises(RenderError):
        compose([(ep, summaries)], style="lemonde")


def llm_summaries(prompts):
    ep = make_episode()
    backend = FakeBackend(lambda u: ENERGY_ANSWER if "panneaux" in u else BAKERY_ANSWER)
    result = summarise(ep, make_segments(), calls=ModelCalls(backend, prompts, get_tokenizer("gpt-4o-mini")))
    return ep, list(result.summaries)


def compose_answered(ep, summaries, answer, prompts):
    """The Cybernetica edition of these summaries, the model answering `answer` to compose."""
    return compose_edition(
        [(ep, summaries)],
        style="cybernetica",
        backend=FakeBackend(lambda u: answer),
        prompts=prompts,
        newsletter_name="La Lettre Tech",
        today=TODAY,
    )


def test_llm_compose_sees_only_summaries_and_its_text_is_grounded(prompts, phrases):
    ep, summaries = llm_summaries(prompts)
    answer = {
        "title": "L'énergie et le pain deviennent des données",
        "intro": "Cette semaine, j'ai été frappé par deux initiatives locales. "
        "Les familles économisent 12 % sur leur facture. "
        "Un marché de 80 milliards d'euros s'ouvre selon Jean Valmont.",
        "closing": "Qui suivra ces pionniers ? On en reparle bientôt.",
        "order": [1, 0],
    }
    backend = FakeBackend(lambda u: answer)
    result = compose_edition(
        [(ep, summaries)],
        style="cybernetica",
        backend=backend,
        prompts=prompts,
        newsletter_name="La Lettre Tech",
        today=TODAY,
    )
    e = result.edition
    user = backend.requests[0].prompt.messages[-1]["content"]
    # Only the summaries: a transcript sentence that no summary repeats never reaches the prompt.
    assert SENTENCES[16 - 1][1] not in user and SENTENCES[9][1] not in user
    # Titles and one-line summaries only (compose v2): the first sentence goes, the rest stays out.
    first, *rest = summaries[0].summary.split(". ")
    assert first in user and rest and rest[0] not in user and "<resumes>" in user
    assert not e.extractive and result.prompts[0].id == "compose_edition_cybernetica"
    assert e.title == answer["title"]
    assert "12 %" in e.intro and "80 milliards" not in e.intro and "Jean Valmont" not in e.intro
    assert any("80 milliards" in w for w in result.warnings)
    assert e.closing == "Qui suivra ces pionniers ?"  # the template adds the sign-off itself
    ranked = sorted(summaries, key=lambda s: -s.importance)
    assert [s.title for s in e.sections] == [ranked[1].title, ranked[0].title]
    assert e.announcement == "Voici deux idées pour cette semaine."


def test_llm_compose_bad_order_is_completed(prompts):
    ep, summaries = llm_summaries(prompts)
    answer = {
        "title": "Deux idées",
        "intro": "Cette semaine, deux initiatives locales m'ont intéressé.",
        "closing": "À suivre.",
        "order": [1, 1],
    }
    result = compose_edition(
        [(ep, summaries)],
        style="cafetech",
        backend=FakeBackend(lambda u: answer),
        prompts=prompts,
        today=TODAY,
    )
    assert len(result.edition.sections) == 2
    assert any("ordre" in w for w in result.warnings)


def test_llm_compose_failure_falls_back_to_templates(prompts, phrases):
    ep, summaries = llm_summaries(prompts)
    result = compose_edition(
        [(ep, summaries)],
        style="cafetech",
        backend=FakeBackend(lambda u: LLMError("timeout")),
        prompts=prompts,
        today=TODAY,
    )
    e = result.edition
    assert e.closing == phrases["cafetech"]["closing"] and "Octets et Croissants" in e.intro
    assert not e.extractive  # the summaries themselves are the model's
    assert any("échoué" in w for w in result.warnings)
    assert len(e.sections) == 2


def test_edition_is_labelled_extractive_when_every_topic_fell_back(prompts):
    ep = make_episode()
    backend = FakeBackend(lambda u: LLMError("connection refused"))
    result = summarise(ep, make_segments(), calls=ModelCalls(backend, prompts, get_tokenizer("gpt-4o-mini")))
    assert all(s.failed for s in result.summaries)
    e = compose_edition(
        [(ep, list(result.summaries))], style="cybernetica", backend=backend, prompts=prompts, today=TODAY
    ).edition
    assert e.extractive


# ------------------------------------------------------------------------- issue 14: order and names


def test_offline_sections_follow_the_show_and_an_unnamed_show_is_never_its_file(phrases):
    ep, summaries = offline()
    # The bakery segment weighs more than the energy one, yet the show discussed energy first.
    heavy = [dataclasses.replace(s, importance=1.0 + 5.0 * i) for i, s in enumerate(summaries)]
    e = compose_edition(
        [(dataclasses.replace(ep, show=None), heavy)], style="cybernetica", today=TODAY
    ).edition
    assert [s.start_s for s in e.sections] == sorted(s.start_s for s in e.sections)
    assert not e.model_order and phrases["cybernetica"]["order_by_model"] not in e.intro
    assert all(s.source.show == phrases["show_unnamed"] for s in e.sections)
    assert e.sources[0].show == phrases["show_unnamed"] and "octets-2025" not in e.intro


def test_a_model_ranking_is_said_and_its_invented_intro_claims_are_removed(prompts, phrases):
    ep, summaries = llm_summaries(prompts)
    answer = {
        "title": "L'énergie et le pain deviennent des données",
        "intro": "Les familles ont vu leur facture baisser de 12 %. "
        "Bastien Oyono a signé un accord avec Google au Japon.",
        "closing": "On en reparle bientôt.",
        "order": [1, 0],
    }
    result = compose_answered(ep, summaries, answer, prompts)
    e = result.edition
    assert e.model_order and e.intro.endswith(phrases["cybernetica"]["order_by_model"])
    assert "Japon" not in e.intro and "12 %" in e.intro
    assert [(r.field, r.segment) for r in e.removed] == [("intro", None)]
    assert "Google" in e.removed[0].reason


@pytest.mark.parametrize("title", ["La Lettre Tech", "{show} : l'énergie et le pain"])
def test_a_model_title_naming_the_newsletter_or_the_show_is_kept(prompts, title):
    # Seen with the local model: "La Lettre Tech" and "Smart Tech : ..." were removed as names absent
    # from the passage.
    ep, summaries = llm_summaries(prompts)
    ep = dataclasses.replace(ep, show="Silicium Matin")  # two capitalised words: read as a name
    answer = {
        "title": title.format(show=ep.show),
        "intro": "Cette semaine, deux initiatives locales.",
        "closing": "Qui suivra ces pionniers ?",
        "order": [0, 1],
    }
    result = compose_answered(ep, summaries, answer, prompts)
    assert result.edition.title == answer["title"]
    assert not [r for r in result.edition.removed if r.field == "title"]
