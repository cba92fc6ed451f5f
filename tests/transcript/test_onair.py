"""Metadata said on air: greeted guests, the show named, the host introducing themself; show names whole."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.transcript.cleaning import clean
from generator.transcript.ingestion import ingest
from generator.transcript.onair import read_on_air, take_name


@pytest.mark.parametrize(
    "said, name",
    [
        ("Le Code a changé. Aujourd'hui", "Le Code a changé"),
        ("C dans l'air, et ce soir nous parlons", "C dans l'air"),
        ("01net et nous allons parler", "01net"),
        ("Rock & Tech, le mag.", "Rock & Tech, le mag"),
        ("L'Heure du Crime, je suis", "L'Heure du Crime"),
        ("« La Méthode scientifique » et", "La Méthode scientifique"),
        ("sview nous aurions aimé avoir", "sview"),
    ],
)
def test_a_show_name_is_taken_whole(said, name):
    assert take_name(said) == name


def test_a_guest_greeted_by_name_and_the_show_named_on_air():
    heard = read_on_air(
        "Camille Ferrand, bonjour. Bonjour. Nous vous recevons pour une chaîne YouTube qui s'appelle "
        "Rock & Tech, le mag. Vous dirigez un laboratoire."
    )
    assert heard.guests == ("Camille Ferrand",) and heard.show == "Rock & Tech, le mag"


@pytest.mark.parametrize(
    "opening, guests",
    [
        ("Bonsoir Rachid Benali, merci d'être là.", ("Rachid Benali",)),
        ("Ce matin nous recevons Hélène de Varenne, historienne.", ("Hélène de Varenne",)),
        ("Monsieur le Président de la République, bonsoir.", ()),
        ("Madame Dupuis, bonjour.", ()),
        ("bonjour à tous on parle de fusées", ()),
    ],
)
def test_greetings(opening, guests):
    assert read_on_air(opening).guests == guests


def test_the_host_introducing_themself_and_ici_show_or_person():
    heard = read_on_air("Bonjour, je suis Léa Marchand et vous écoutez Le Code a changé. Avec moi...")
    assert heard.host == "Léa Marchand" and heard.show == "Le Code a changé"
    assert read_on_air("Ici Léa Marchand, bonsoir.").show is None
    assert read_on_air("Ici Léa Marchand, bonsoir.").host == "Léa Marchand"
    assert read_on_air("Bonsoir. Ici 01net. On commence.").show == "01net"
    # "ici" inside a sentence is a place, not a show: "vous êtes ici à Davos".
    assert read_on_air("Vous faites événement ici à Davos.").show is None


def test_on_air_metadata_reaches_the_episode_with_its_origin(tmp_path):
    path = tmp_path / "entretien.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n- Camille Ferrand, bonjour.\n- Bonjour.\n\n"
        "00:00:03.500 --> 00:00:08.000\nNous vous recevons pour une chaîne qui s'appelle C dans l'air.\n\n"
        "00:00:08.500 --> 00:00:12.000\nLe prix a monté de 12 % en un an.\n",
        encoding="utf-8",
    )
    ep = clean(ingest(path, today=dt.date(2026, 12, 1)))
    assert ep.show == "C dans l'air" and [g.name for g in ep.guests] == ["Camille Ferrand"]
    assert dict(ep.origins) == {"show": "speech", "guests": "speech"}


def test_a_written_source_comes_before_the_speech(tmp_path):
    path = tmp_path / "entretien.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nVous écoutez Radio Galaxie.\n\n"
        "00:00:03.500 --> 00:00:08.000\nCamille Ferran, bonjour.\n",
        encoding="utf-8",
    )
    (tmp_path / "entretien.description").write_text(
        "Dans l'émission Les Ondes Claires, Paul Girard reçoit Camille Ferrand, physicienne.\n",
        encoding="utf-8",
    )
    ep = clean(ingest(path, today=dt.date(2026, 12, 1)))
    assert ep.show == "Les Ondes Claires" and [g.name for g in ep.guests] == ["Camille Ferrand"]
    assert dict(ep.origins)["show"] == "description"


@pytest.mark.parametrize(
    "description, show",
    [
        ("Dans l'émission Le Code a changé, Xavier Lenoir reçoit Anne Roy, sociologue.", "Le Code a changé"),
        ("Bienvenue dans C dans l'air. Ce soir, Anne Roy reçoit Luc Petit.", "C dans l'air"),
        ("Le podcast 01net reçoit Anne Roy.", "01net"),
        ("Bienvenue dans Rock & Tech, le mag. Luc Petit est guitariste.", "Rock & Tech, le mag"),
        ("Anne Roy reçoit Luc Petit dans l'émission Le Grand Atelier, la quotidienne.", "Le Grand Atelier"),
    ],
)
def test_a_description_names_the_show_whole(description, show):
    from generator.transcript.metadata import parse_description

    assert parse_description(description, dt.date(2026, 12, 1)).show == show


def test_a_name_only_heard_on_air_repairs_nothing(tmp_path):
    path = tmp_path / "entretien.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nCamille Ferrand, bonjour.\n\n"
        "00:00:03.500 --> 00:00:08.000\nComme le disait Camille Ferand tout à l'heure, le lac monte.\n",
        encoding="utf-8",
    )
    ep = clean(ingest(path, today=dt.date(2026, 12, 1)))
    assert [g.name for g in ep.guests] == ["Camille Ferrand"]
    assert ep.name_fixes == () and "Camille Ferand tout" in ep.utterances[-1].text
