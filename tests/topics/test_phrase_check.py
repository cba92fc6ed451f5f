"""The reader's rule on a heading's phrases: articles agree, phrases were said, no bare common noun."""

from __future__ import annotations

import pytest

from generator.topics.phrase_check import agreement_problem, parts, phrase_problem
from generator.topics.titles import TitleModel, acceptable, title_problem

SOURCE = (
    "On parle de la censure sur Twitter. Twitter a supprimé des comptes, et la censure sur Twitter "
    "inquiète. Il a levé les mains. Une main sur le cœur. Les antennes relais sont partout. "
    "Les aides publiques aussi, une aide par foyer. Le droit à droite de l'espace."
)


@pytest.mark.parametrize(
    ("title", "parts_"),
    [
        ("Twitter : la censure", ["Twitter", "la censure"]),
        ("L'espace et droite", ["L'espace et droite"]),
        ("Les antennes relais et la censure", ["Les antennes relais", "la censure"]),
        ("La recherche et développement", ["La recherche et développement"]),
    ],
)
def test_parts_follow_the_joins_titles_make(title, parts_):
    assert parts(title) == parts_


@pytest.mark.parametrize(
    ("part", "bad"),
    [
        ("les aide", True),
        ("les nom de domaines", True),
        ("les noms de domaine", False),
        ("les fake news", False),
        ("le mains", True),  # "main" is said too: "mains" is its plural
        ("le temps", False),  # no "temp": a singular ending in -s
        ("la censure", False),
        ("l'espace", False),
        ("les bonnes", True),  # an adjective before its noun, the noun lost
        ("les bonnes pratiques", False),
        ("le scénario tendancielle", True),  # gender
        ("le scénario tendanciel", False),
        ("la chaleur fatale", False),
        ("la consommation annuel", True),
    ],
)
def test_article_and_noun_agree_in_number(part, bad):
    vocabulary = ["main", "mains", "temps", "aide", "aides"]
    assert (agreement_problem(part, vocabulary) is not None) is bad


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("Twitter : la censure sur Twitter", True),
        ("Les antennes relais et les aides publiques", True),
        ("Twitter : le mains", False),  # number
        ("Twitter : les mains levées", False),  # not said
        ("L'espace et droite", False),  # not said as one phrase
        ("Les aides publiques et droit", False),  # a bare common noun
        ("Censure : les antennes relais", False),  # "Censure" is never a name in the source
    ],
)
def test_phrases_stand_in_the_segment(title, ok):
    assert (phrase_problem(title, SOURCE) is None) is ok, phrase_problem(title, SOURCE)
    assert acceptable(title, source=SOURCE) is ok


def test_without_the_segment_the_article_still_agrees():
    assert title_problem("Les nom de domaines et Internet") is not None
    assert title_problem("Les noms de domaine et Internet") is None


def test_titles_are_built_from_phrases_as_said():
    texts = [
        "La censure sur Twitter revient.",
        "Twitter et la censure sur Twitter, encore.",
        "Les mains de Twitter, une main levée.",
        "La censure sur Twitter est partout.",
        "Les antennes relais aussi, les antennes relais.",
        "Et la censure sur Twitter, toujours.",
    ] * 2
    model = TitleModel(texts)
    title = model.title(0, len(texts))
    source = " ".join(texts)
    assert acceptable(title, source=source), (title, title_problem(title, source=source))
    assert "le mains" not in title.lower()
