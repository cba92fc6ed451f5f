"""The French toolkit's splitter, detector and calendar, tested directly."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.language import (
    MONTH_NUMBERS,
    MONTHS,
    WEEKDAY_NUMBERS,
    detect_language,
    french_date,
    split_sentences,
)


def test_split_keeps_end_punctuation_and_closing_guillemets():
    text = "Il a dit : « C'est fini. » Puis il est parti ! Vraiment ?"
    assert split_sentences(text) == ["Il a dit : « C'est fini. »", "Puis il est parti !", "Vraiment ?"]
    # A narrow no-break space before » (French typography) stays inside the sentence too.
    assert split_sentences("« Oui.\u202f» Non.") == ["« Oui.\u202f»", "Non."]


def test_split_leaves_decimals_versions_and_abbreviations_whole():
    assert split_sentences("Le taux passe à 3,5 % puis à 3.5 en v1.2. Fin.") == [
        "Le taux passe à 3,5 % puis à 3.5 en v1.2.",
        "Fin.",
    ]
    text = "M. Dupont et Mme Martin arrivent. Le Dr. Petit cite la p. 12. Voilà."
    assert split_sentences(text) == [
        "M. Dupont et Mme Martin arrivent.",
        "Le Dr. Petit cite la p. 12.",
        "Voilà.",
    ]
    # Only the abbreviation as written: a sentence ending in "même." is cut.
    assert split_sentences("C'est le même. Oui.") == ["C'est le même.", "Oui."]


def test_split_treats_an_ellipsis_as_one_end():
    assert split_sentences("Et puis... Rien. Enfin… Bon.") == ["Et puis...", "Rien.", "Enfin…", "Bon."]
    assert split_sentences("Et puis... rien.", before_capital=True) == ["Et puis... rien."]
    assert split_sentences("Quoi ?! Non.") == ["Quoi ?!", "Non."]


def test_before_capital_cuts_only_before_a_capital_a_digit_or_a_quote():
    text = "On a parlé d'énergie, etc. et de transport. Ensuite 2025. « Demain » Fin. 3 points."
    assert split_sentences(text, before_capital=True) == [
        "On a parlé d'énergie, etc. et de transport.",
        "Ensuite 2025.",
        "« Demain » Fin.",
        "3 points.",
    ]
    assert split_sentences("Été. Àlors. Être.", before_capital=True) == ["Été.", "Àlors.", "Être."]


def test_line_breaks_end_sentences_only_when_asked():
    text = "- premier point\n- second point. Suite"
    assert split_sentences(text) == ["- premier point\n- second point.", "Suite"]
    assert split_sentences(text, at_line_breaks=True) == ["- premier point", "- second point.", "Suite"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_split_of_blank_text_is_empty(text):
    assert split_sentences(text) == []


def test_detector_thresholds_are_parameters_of_one_rule():
    english = "The guest says that this is the best way to do it and they were right."
    french = "La coopérative a installé des panneaux sur les toits des écoles de la ville."
    assert detect_language(english) == "en" and detect_language(french) == "fr"
    assert detect_language("OK merci") == "unknown"
    # A mixed sentence: English by the default margin, not plainly English with a margin of 2.
    mixed = "The show and the guest talk with the host, et il est là."
    assert detect_language(mixed) == "en"
    assert detect_language(mixed, margin=2) != "en"
    assert detect_language("The end of it all.", min_words=8) == "unknown"


def test_calendar_names_numbers_and_dates():
    assert len(MONTHS) == 12 and MONTHS[1] == "février" and MONTHS[7] == "août"
    assert MONTH_NUMBERS["fevrier"] == 2 and MONTH_NUMBERS["decembre"] == 12
    assert WEEKDAY_NUMBERS["lundi"] == 0 and WEEKDAY_NUMBERS["dimanche"] == 6
    assert french_date(dt.date(2025, 3, 10)) == "lundi 10 mars 2025"
    assert french_date(None) == "date inconnue"
