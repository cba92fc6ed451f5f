"""One French voice, English on request: the catalogues are complete and compiled, the rules hold."""

from __future__ import annotations

import datetime as dt

import pytest

from generator import i18n
from generator.i18n import update


@pytest.mark.parametrize(("lang", "domain"), [("en", "newsletter"), ("fr", "argparse")])
def test_every_compiled_catalogue_matches_its_po(lang, domain):
    po = update.po_path(lang, domain)
    assert po.with_suffix(".mo").read_bytes() == update.mo_bytes(po, lang), (
        f"{po.with_suffix('.mo')} is stale: run `python -m generator.i18n.update`"
    )


def _translated(catalog) -> dict:
    return {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id}


def test_every_message_of_the_code_and_templates_has_its_english():
    english = _translated(update.load(update.po_path("en", "newsletter"), "en"))
    missing = []
    for message in (m for m in update.template() if m.id):
        key = message.id if isinstance(message.id, str) else message.id[0]
        string = english.get(key)
        if not string or (not isinstance(string, str) and not all(string)):
            missing.append(key)
    assert not missing, f"no English for {missing}: run `python -m generator.i18n.update` and fill them in"


def test_every_word_of_this_pythons_argparse_has_its_french():
    french = _translated(update.load(update.po_path("fr", "argparse"), "fr"))
    ids = [m.id if isinstance(m.id, str) else m.id[0] for m in update.argparse_template() if m.id]
    assert ids and all(french.get(i) for i in ids), [i for i in ids if not french.get(i)]


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "fr"),
        ({"LANG": "C.UTF-8"}, "fr"),
        ({"LANG": "C"}, "fr"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_MESSAGES": "en_GB.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LANGUAGE": "en:fr", "LC_ALL": "fr_FR.UTF-8"}, "en"),
        ({"LANGUAGE": "de_DE", "LANG": "en_US"}, "fr"),
    ],
)
def test_the_language_comes_from_the_first_locale_variable_set(env, lang):
    assert i18n.language_from_env(env) == lang


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "fr"),
        ("", "fr"),
        ("en-US,en;q=0.9", "en"),
        ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
        ("de-DE, en;q=0.3, fr;q=0.2", "en"),
        ("en;q=0, fr", "fr"),
        ("en;q=abc, fr;q=0.1", "fr"),
        ("*", "fr"),
    ],
)
def test_accept_language_picks_the_best_known_language(header, lang):
    assert i18n.accept_language(header) == lang


def test_french_counts_0_and_1_in_the_singular_english_only_1():
    fr, en = i18n.messages("fr"), i18n.messages("en")
    assert [fr.ngettext("{n} alerte", "{n} alertes", n) for n in (0, 1, 2)] == [
        "0 alerte",
        "1 alerte",
        "2 alertes",
    ]
    assert [en.ngettext("{n} alerte", "{n} alertes", n) for n in (0, 1, 2)] == [
        "0 warnings",
        "1 warning",
        "2 warnings",
    ]
    assert fr.ngettext("{n} alerte", "{n} alertes", 12345) == "12\u202f345 alertes"


def test_dates_and_numbers_follow_cldr():
    at = dt.datetime(2026, 12, 4, 15, 18, 7, tzinfo=dt.UTC)
    fr, en = i18n.messages("fr"), i18n.messages("en")
    assert fr.datetime(at) == "4 décembre 2026 à 15 h 18"
    assert fr.datetime("2026-12-04T15:18:07+00:00") == "4 décembre 2026 à 15 h 18"
    assert en.datetime(at) == "December 4, 2026 at 3:18 PM"
    assert fr.money(0) == "0,0000 $" and en.money(0.01234) == "$0.0123"
    assert fr.date("2026-12-04") == "4 décembre 2026" and en.date("2026-12-04") == "December 4, 2026"
    assert fr.datetime("pas une date") == "pas une date" and fr.datetime(None) == "?"


def test_an_unknown_language_is_french_and_nothing_is_installed_globally():
    import builtins
    import gettext

    assert i18n.messages("de").lang == "fr"
    assert not hasattr(builtins, "_")
    assert gettext.textdomain() == "messages"


@pytest.mark.parametrize(
    ("lang", "expected"), [("fr", "style inconnu « zorglub »"), ("en", "unknown style “zorglub”")]
)
def test_an_unknown_registry_name_is_said_in_the_language_of_the_process(lang, expected):
    from generator import i18n
    from generator.errors import ConfigError
    from generator.styles import STYLES

    before = i18n.current().lang
    i18n.set_language(lang)
    try:
        with pytest.raises(ConfigError, match=expected) as err:
            STYLES.get("zorglub")
        assert "cybernetica" in str(err.value)
    finally:
        i18n.set_language(before)
