"""Grounding checks: figures, names and language of generated French text."""

from __future__ import annotations

from fr_episode import GUESTS, HOST, SENTENCES

from generator.language import (
    candidate_names,
    detect_language,
    figures,
    fix_names,
    is_french,
    unsupported_figures,
    unsupported_names,
)
from generator.writing.grounding import check

SOURCE = " ".join(text for _, text in SENTENCES[2:9])
KNOWN = [HOST, *(g.name for g in GUESTS)]


def test_figures_in_digits_words_and_percent():
    found = {
        f.text: f.value
        for f in figures(
            "Un budget de 500 milliards, 89 % des foyers, 500 000 emplois, 1,5 million d'abonnés, "
            "cinq cents milliards, trois pour cent et 25 gigawatts."
        )
    }
    assert found["500 milliards"] == 500e9
    assert found["89 %"] == 89
    assert found["500 000"] == 500_000
    assert found["1,5 million"] == 1.5e6
    assert found["cinq cents milliards"] == 500e9
    assert found["trois pour cent"] == 3
    assert found["25"] == 25


def test_articles_are_not_figures():
    assert figures("Une fois de plus, un projet et une idée.") == []


def test_same_figure_written_differently_is_supported():
    src = "Ils parlent de cinq cents milliards de dollars, de 89 pour cent des gens et de 3 000 salariés."
    assert unsupported_figures("500 milliards de dollars, 89% des gens, 3000 salariés", src) == []
    assert unsupported_figures("Le chiffre de 500 est cité.", src) == []


def test_invented_or_rescaled_figures_are_flagged():
    assert unsupported_figures("Une facture en baisse de 15 %.", SOURCE) == ["15 %"]
    # "3 millions" in the source never supports "3 milliards".
    assert unsupported_figures("Le département a investi 3 milliards d'euros.", SOURCE) == ["3 milliards"]
    assert unsupported_figures("La coopérative a posé 420 panneaux, soit 12 % d'économies.", SOURCE) == []


def test_metadata_can_support_a_figure():
    assert unsupported_figures("L'émission du 10 mars 2025.", SOURCE) == ["10", "2025"]
    assert unsupported_figures("L'émission du 10 mars 2025.", SOURCE, extra=["10 mars 2025"]) == []


def test_candidate_names_skip_capitalised_function_words():
    names = candidate_names("Selon Maëlle Kerbrat, la coopérative grandit. Pour Jean de La Tour, c'est fini.")
    assert names == ["Maëlle Kerbrat", "Jean de La Tour"]
    assert candidate_names("Le pain est chaud. Les familles paient moins.") == []


def test_unknown_person_is_flagged_known_and_said_ones_are_not():
    summary = "Maëlle Kerbrat et Lucie Ferrand discutent avec Gérard Moulin de la coopérative Watt'Else."
    assert unsupported_names(summary, SOURCE, KNOWN) == ["Gérard Moulin"]
    # Accents and case do not matter when comparing.
    assert unsupported_names("Selon Maelle KERBRAT, tout va bien.", SOURCE, KNOWN) == []


def test_near_miss_names_are_respelled_as_the_description():
    text, fixes = fix_names("Selon Maëlle Kerbra et Bastian Oyono, tout change.", KNOWN)
    assert text == "Selon Maëlle Kerbrat et Bastien Oyono, tout change."
    assert fixes == [("Maëlle Kerbra", "Maëlle Kerbrat"), ("Bastian Oyono", "Bastien Oyono")]
    # A different person is not "corrected" into a guest.
    same, none = fix_names("Lucien Ferrier parle.", KNOWN)
    assert same == "Lucien Ferrier parle." and none == []


def test_language_detection():
    assert detect_language("La coopérative a installé des panneaux sur les toits des écoles.") == "fr"
    assert detect_language("The cooperative installed solar panels on the roofs of the schools.") == "en"
    assert detect_language("OK") == "unknown"
    assert is_french("Bonjour") and not is_french("This is not French at all, is it?")


def test_check_combines_all_warnings_in_french():
    g = check("Selon Bastian Oyono, la facture a baissé de 40 %. Paul Durand approuve.", SOURCE, KNOWN)
    assert g.text.startswith("Selon Bastien Oyono,")
    assert g.figures == ("40 %",) and g.names == ("Paul Durand",)
    assert any("corrigé" in w for w in g.warnings)
    assert any(w == "chiffre absent du passage : « 40 % »" for w in g.warnings)
    assert g.language == "fr"
    english = check("The bill went down by 12 % for the families in the canton.", SOURCE, KNOWN)
    assert english.language == "en" and any("français" in w for w in english.warnings)


def test_title_case_headings_are_not_read_as_names():
    assert unsupported_names("La Chaleur Des Serveurs : Une Révolution Discrète", SOURCE, KNOWN) == []
    assert unsupported_names("La chaleur des serveurs selon Paul Durand", SOURCE, KNOWN) == ["Paul Durand"]


def test_compound_french_numbers():
    values = [
        f.value
        for f in figures(
            "quatre-vingts salariés, quatre-vingt-dix salariés, soixante-dix salariés, "
            "deux cent cinquante salariés, mille cinq cents euros, dix-huit mois"
        )
    ]
    assert values == [80, 90, 70, 250, 1500, 18]
