"""Ingest: formats detected by content, encodings, metadata, bad inputs, and the real corpus."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLE, corpus_transcripts
from transcript_convert import CONVERSIONS

from generator.config import Settings
from generator.errors import InputError
from generator.model import Guest
from generator.transcript.cleaning import clean
from generator.transcript.ingestion import ingest, load_episode
from generator.transcript.metadata import fold, parse_date, parse_description

TODAY = dt.date(2026, 11, 23)
INGEST = FIXTURES / "ingest"
MB = 1024 * 1024


def load(path: Path, today: dt.date = TODAY):
    return clean(ingest(path, max_bytes=50 * MB, today=today))


def speech(episode) -> str:
    return " ".join(u.text for u in episode.utterances)


def assert_monotonic(episode) -> None:
    starts = [u.start_s for u in episode.utterances if u.start_s is not None]
    assert starts == sorted(starts)


# --------------------------------------------------------------------------- formats (own fixtures)


def test_sample_transcript_shipped_with_the_project():
    ep = load(SAMPLE)
    assert ep.format == "scraped"
    assert ep.show == "Le Labo Numérique"
    # "Ce mardi 4 mars": no year; 4 March fell on a Tuesday in 2025 (not in 2026).
    assert ep.date == dt.date(2025, 3, 4)
    assert ep.host == "Claire Dufresne"
    assert [g.name for g in ep.guests] == ["Inès Kowalczyk", "Marc Aubertin", "Paul Ferrand"]
    assert ep.guests[1].role == "adjoint au maire chargé du numérique à Villeneuve-sur-Lot"
    assert ep.duration_s >= 300
    assert {f.wrong for f in ep.name_fixes} == {"Inès Kovalczyk", "Inès Kowalchik", "Inès Kovalchik"}
    text = speech(ep)
    assert "Kovalczyk" not in text and "Kowalchik" not in text and text.count("Inès Kowalczyk") == 3
    for noise in ("Recommandations", "Catégorie", "NewsTranscription", "Écris le tout", "il y a 3 semaines"):
        assert noise not in text
    assert not any(u.text in {"...", "|", "12:04"} for u in ep.utterances)
    assert_monotonic(ep)


def test_brackets_and_speaker_labels():
    ep = load(INGEST / "crochets-intervenants.txt")
    assert (ep.format, ep.show, ep.date) == ("scraped", "Radio Code", dt.date(2025, 2, 7))
    assert ep.guests == (
        Guest("Léa Fontaine", "développeuse, collectif Octets Libres"),
        Guest("Bruno Garcin", "professeur de mathématiques, lycée Jean-Moulin"),
    )
    first = ep.utterances[0]
    assert (first.start_s, first.speaker, first.text) == (
        3.0,
        "Nadia Roche",
        "Bonjour et bienvenue dans Radio Code.",
    )
    assert "Nadia Roche :" not in speech(ep)
    # A caption continuing on the next line keeps its speaker; the sentence keeps its first word's time.
    sentence = next(u for u in ep.utterances if u.text.startswith("Pour moi"))
    assert (sentence.start_s, sentence.speaker) == (11.0, "Léa Fontaine")
    assert sentence.text.endswith("bien avant le langage choisi.")
    assert [(f.wrong, f.right) for f in ep.name_fixes] == [("Léa Fontène", "Léa Fontaine")]


def test_hours_and_leading_dashes():
    ep = load(INGEST / "heures-tirets.txt")
    assert ep.show == "La Minute Numérique"
    assert ep.utterances[0].text == "Bonjour Hélène Marchal, vous étudiez les mots de passe."
    assert ep.utterances[0].new_speaker
    assert [u.start_s for u in ep.utterances][-3:] == [3598.0, 3603.0, 3609.0]
    # A dash marks a new speaker: no sentence runs across it.
    assert "oublie. On en" in speech(ep)
    oublie = next(u for u in ep.utterances if u.text.startswith("Oui, et surtout"))
    assert oublie.text == "Oui, et surtout la façon dont on les oublie."
    assert not any(u.text.startswith("-") for u in ep.utterances)


def test_second_ranges_with_speaker_names():
    ep = load(INGEST / "plages-secondes.txt")
    assert ep.format == "scraped"
    assert [u.speaker for u in ep.utterances][:3] == [
        "Karim Benslimane",
        "Karim Benslimane",
        "Yasmine Haddad",
    ]
    assert ep.utterances[0].start_s == 0.25
    assert ep.utterances[2].start_s == 19.026
    assert "Karim Benslimane" not in speech(ep)
    assert ep.duration_s == 70.0
    assert speech(ep).startswith(
        "Bonjour à tous. Ce soir, on se demande si la semaine de quatre jours est une"
    )


def test_stacked_timestamps_of_a_copied_youtube_transcript():
    ep = load(INGEST / "youtube-copie.txt")
    assert ep.format == "scraped"
    assert speech(ep) == (
        "salut tout le monde aujourd'hui on teste trois casques audio à moins de cent euros le premier tient "
        "très bien sur les oreilles mais la batterie est un peu faible merci d'avoir regardé"
    )
    assert ep.utterances[0].start_s == 0.0
    assert ep.duration_s > 3600
    assert ep.noise_removed >= 3  # header, [Musique], footer lines


def test_a_dash_on_every_line_is_a_separator_not_a_speaker_change(tmp_path):
    path = tmp_path / "tirets.txt"
    path.write_text(
        "00:01 - Bonjour à tous.\n00:04 - Nous parlons de vélo\n00:07 - et de train.\n", encoding="utf-8"
    )
    ep = load(path)
    assert [u.text for u in ep.utterances] == ["Bonjour à tous.", "Nous parlons de vélo et de train."]
    assert not any(u.new_speaker for u in ep.utterances)


def test_srt_tags_dashes_and_annotations():
    ep = load(INGEST / "episode.srt")
    assert ep.format == "srt"
    assert [u.text for u in ep.utterances] == [
        "Bonjour et bienvenue dans Le Fil Tech.",
        "Cette semaine, on parle des voitures électriques d'occasion.",
        "Est-ce que la batterie vieillit vite ?",
        "Moins vite qu'on ne le croit.",
        "Après huit ans, elle garde souvent plus de quatre-vingts pour cent de sa capacité.",
    ]
    assert [u.start_s for u in ep.utterances] == [1.0, 4.5, 8.0, 8.0, 16.0]
    assert ep.utterances[3].new_speaker
    assert ep.duration_s == 21.0
    # No description: the show is the one the host names on air, and the report says where it came from.
    assert ep.show == "Le Fil Tech" and any("aucune description de l'épisode" in w for w in ep.warnings)
    assert any("premiers mots prononcés" in w for w in ep.warnings)


def test_webvtt_voices_settings_and_note_description():
    ep = load(INGEST / "episode.vtt")
    assert (ep.format, ep.show, ep.date) == ("webvtt", "Le Fil Tech", dt.date(2025, 3, 15))
    assert ep.guests == (Guest("Camille Perrin", "ingénieure batteries, Volta Conseil"),)
    assert [u.speaker for u in ep.utterances] == ["Marc Olivier"] * 2 + ["Camille Perrin"] * 3
    assert ep.utterances[1].text == "Camille Perrin, la batterie d'une voiture d'occasion, ça vieillit vite ?"
    assert ep.utterances[-1].text == "Après huit ans, elle garde souvent l'essentiel de sa capacité."
    assert not any("<" in u.text or "align:" in u.text or "::cue" in u.text for u in ep.utterances)


def test_whisper_json_with_description_and_host():
    ep = load(INGEST / "whisper.json")
    assert ep.format == "whisper_json"
    assert (ep.show, ep.host, ep.date) == ("Le Mag de la Ville", "Sophie Lambert", dt.date(2025, 3, 11))
    assert ep.guests == (
        Guest("Antoine Ricard", "fondateur de Cargo Ville"),
        Guest("Julie Masson", "urbaniste à la métropole de Nantes"),
    )
    assert [u.start_s for u in ep.utterances] == [0.0, 3.2, 7.9, 11.4, 16.5]
    assert ep.utterances[1].text == "Aujourd'hui, les vélos cargos avec Antoine Ricard et Julie Masson."
    assert ep.duration_s == 21.0


def test_youtube_json_without_punctuation_is_cut_at_captions():
    ep = load(INGEST / "youtube.json")
    assert ep.format == "youtube_json"
    assert speech(ep) == (
        "bonjour et bienvenue aujourd'hui on parle de jeux vidéo et de leur effet sur le sommeil des adolescents"
    )
    assert ep.noise_removed >= 1 and ep.warnings == (
        "aucune description de l'épisode : émission, date et invités inconnus",
    )


def test_plain_text_with_description_line():
    ep = load(INGEST / "texte-brut.txt")
    assert (ep.format, ep.show, ep.date) == ("plain", "Café Science", dt.date(2025, 3, 6))
    assert all(u.start_s is None for u in ep.utterances)
    assert ep.utterances[0].text == "Bonjour Thomas Girard."
    assert ep.duration_s is None


def test_detection_is_by_content_not_extension(tmp_path):
    for name in ("episode.srt", "episode.vtt", "whisper.json", "youtube.json"):
        target = tmp_path / (name.split(".")[0] + ".txt")
        target.write_bytes((INGEST / name).read_bytes())
        assert ingest(target, max_bytes=MB).format == load(INGEST / name).format


def test_rolling_youtube_vtt_keeps_each_word_once(tmp_path):
    vtt = (
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nbonjour à tous\n\n"
        "00:00:02.000 --> 00:00:04.000\nbonjour à tous\nce soir on parle\n\n"
        "00:00:04.000 --> 00:00:06.000\nce soir on parle\nde la mer\n"
    )
    path = tmp_path / "auto.vtt"
    path.write_text(vtt, encoding="utf-8")
    assert speech(load(path)) == "bonjour à tous ce soir on parle de la mer"


def test_sidecar_info_json_gives_date_and_show(tmp_path):
    (tmp_path / "ep.fr.srt").write_bytes((INGEST / "episode.srt").read_bytes())
    info = {"upload_date": "20250315", "channel": "Le Fil Tech", "description": "Un épisode.",
            "webpage_url": "https://video.example/fil-tech-15-mars"}  # fmt: skip
    (tmp_path / "ep.info.json").write_text(json.dumps(info), encoding="utf-8")
    ep = load(tmp_path / "ep.fr.srt")
    assert (ep.show, ep.date) == ("Le Fil Tech", dt.date(2025, 3, 15))
    assert ep.source_url == "https://video.example/fil-tech-15-mars"


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("cp1252", "cp1252"),
        ("latin-1", "cp1252"),  # no byte tells them apart in French text; cp1252 is the superset
    ],
)
def test_encodings(tmp_path, encoding, expected):
    text = (
        (INGEST / "crochets-intervenants.txt").read_text(encoding="utf-8").replace("🎙", "*").replace("•", "-")
    )
    path = tmp_path / "t.txt"
    path.write_bytes(text.encode(encoding))
    ep = load(path)
    assert ep.encoding == expected
    assert ep.guests[0].name == "Léa Fontaine"
    assert "Aujourd'hui on parle d'apprendre à programmer au lycée." in speech(ep)


def test_crlf_and_mojibake_are_repaired(tmp_path):
    text = (INGEST / "crochets-intervenants.txt").read_text(encoding="utf-8")
    # UTF-8 decoded as Windows-1250 upstream (as in the real Cybernetica issue), with CRLF line ends.
    broken = text.encode("utf-8").decode("cp1250", errors="replace").replace("\n", "\r\n")
    path = tmp_path / "t.txt"
    path.write_text(broken, encoding="utf-8", newline="")
    ep = load(path)
    assert "Ă" not in speech(ep)
    assert "Léa Fontaine" in [g.name for g in ep.guests]
    assert "programmer au lycée" in speech(ep)
    assert any("mojibake" in w for w in ep.warnings)
    assert not any("\r" in u.text for u in ep.utterances)


def test_real_mojibake_of_the_cybernetica_issue(corpus_dir):
    from generator.transcript.decode import decode_bytes, fix_mojibake

    text, _ = decode_bytes((corpus_dir / "cybernetica-issue.txt").read_bytes(), "x")
    assert "bientĂ´t" in text and "Ă©voluons" in text
    fixed, repaired = fix_mojibake(text)
    assert repaired
    assert "bientôt" in fixed and "évoluons" in fixed
    assert "Ă" not in fixed


def test_clean_french_text_is_left_alone():
    from generator.transcript.decode import fix_mojibake

    text = "« Ça, c’est l’été » : Ärger, Âge, œuvre, 50 €, naïveté…"
    assert fix_mojibake(text) == (text, False)


# --------------------------------------------------------------------------- metadata


@pytest.mark.parametrize(
    "text, today, expected",
    [
        ("Jeudi 23 janvier 2025, X reçoit Y", TODAY, dt.date(2025, 1, 23)),
        ("Ce jeudi 5 mars, X reçoit Y", TODAY, dt.date(2026, 3, 5)),
        ("Ce jeudi 5 mars, X reçoit Y", dt.date(2026, 3, 4), dt.date(2020, 3, 5)),
        ("Ce mardi 4 mars, X a reçu Y", TODAY, dt.date(2025, 3, 4)),
        ("le samedi 1er février", TODAY, dt.date(2025, 2, 1)),
        ("Publié le 2024-09-16", TODAY, dt.date(2024, 9, 16)),
        ("émission du 16/09/2024", TODAY, dt.date(2024, 9, 16)),
        ("lundi 16 Septembre 2024", TODAY, dt.date(2024, 9, 16)),
        ("Sans date", TODAY, None),
    ],
)
def test_french_dates(text, today, expected):
    assert parse_date(text, today)[0] == expected


def test_date_without_year_nor_weekday_warns():
    date, warning = parse_date("le 12 avril", TODAY)
    assert date == dt.date(2026, 4, 12) and warning


def test_guest_list_with_parentheses():
    d = parse_description(
        "Lundi 3 mars 2025, TECH MATIN reçoit Anne Roy (directrice, Banque Verte) , Luc Petit "
        "(chercheur, CNRS et université de Tours) et Jean-Marc de La Tour (fondateur, Atelier 3D)",
        TODAY,
    )
    assert (d.show, d.host, d.date) == ("Tech Matin", None, dt.date(2025, 3, 3))
    assert d.guests == (
        Guest("Anne Roy", "directrice, Banque Verte"),
        Guest("Luc Petit", "chercheur, CNRS et université de Tours"),
        Guest("Jean-Marc de La Tour", "fondateur, Atelier 3D"),
    )


def test_guest_list_with_commas_and_a_named_host():
    d = parse_description(
        "Ce jeudi 5 mars, Delphine Martin a reçu Paul Durand, président de Nova Énergie, Sarah Klein, "
        "directrice de la recherche et de l'innovation chez Medilab, et Omar Belkacem, fondateur de Terra.",
        TODAY,
    )
    assert d.host == "Delphine Martin"
    assert d.date == dt.date(2026, 3, 5)
    assert d.guests == (
        Guest("Paul Durand", "président de Nova Énergie"),
        Guest("Sarah Klein", "directrice de la recherche et de l'innovation chez Medilab"),
        Guest("Omar Belkacem", "fondateur de Terra"),
    )


@pytest.mark.parametrize(
    "text, show, host",
    [
        ("Dans Smart Tech, ce lundi 3 mars 2025, Nadia Roche reçoit Anne Roy (directrice, Banque Verte)",
         "Smart Tech", "Nadia Roche"),
        ("Ce jeudi 5 mars, Léo Blanc a reçu Anne Roy, fondatrice de Terra, dans Tech Matin pour parler de climat.",
         "Tech Matin", "Léo Blanc"),
        ("Lundi 3 mars 2025, TECH MATIN reçoit Anne Roy (directrice, Banque Verte)", "Tech Matin", None),
        ("Lundi 3 mars 2025, BFM TECH reçoit Anne Roy (directrice, Banque Verte)", "BFM Tech", None),
    ],
)  # fmt: skip
def test_show_and_host_wherever_the_description_puts_them(text, show, host):
    d = parse_description(text, TODAY)
    assert (d.show, d.host) == (show, host)
    assert d.guests[0].name == "Anne Roy"


def test_a_role_mentioning_a_place_is_kept_whole_when_the_show_is_named_first():
    d = parse_description(
        "Sur le plateau de Tech Matin, Luc Roy a reçu Anne Roy, chercheuse dans Inria Lab.", TODAY
    )
    assert (d.show, d.host, d.guests) == (
        "Tech Matin",
        "Luc Roy",
        (Guest("Anne Roy", "chercheuse dans Inria Lab"),),
    )


# --------------------------------------------------------------------------- bad input


def _bad(tmp_path: Path, name: str, data: bytes | None) -> Path:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    return path


BAD = {
    "empty": ("vide.txt", b"", "est vide"),
    "blank": ("blanc.txt", b"\n  \n\t\n", "est vide"),
    "binary": ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binaire"),
    "truncated_json": (
        "coupe.json",
        b'{"segments": [{"start": 0.0, "end": 2.0, "text": "Bonjour',
        "JSON tronqué",
    ),
    "malformed_json": ("casse.json", b'{"segments": [{"start": 0.0,, "text": "Bonjour"}]}', "JSON mal formé"),
    "unknown_json": ("autre.json", b'{"titre": "Bonjour"}', "transcription JSON non reconnue"),
    "no_speech": ("rien.txt", "Catégorie\n🗞\nNewsTranscription\n00:00\n00:05...\n".encode(), "aucune parole"),
    "backwards": (
        "recule.txt",
        "00:01Bonjour à tous.\n00:09Nous parlons de vélo.\n00:04Et puis de train.\n".encode(),
        "les horodatages reculent à la ligne 3 (00:04 après 00:09)",
    ),
    "missing": ("absent.txt", None, "fichier introuvable"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_inputs_raise_one_clear_error(tmp_path, case):
    name, data, message = BAD[case]
    path = _bad(tmp_path, name, data)
    before = path.read_bytes() if path.exists() else None
    with pytest.raises(InputError) as err:
        load(path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    if before is not None:
        assert path.read_bytes() == before


def test_directory_and_size_limit(tmp_path):
    with pytest.raises(InputError, match="est un dossier"):
        ingest(tmp_path, max_bytes=MB)
    big = tmp_path / "gros.txt"
    big.write_bytes(b"00:01Bonjour.\n" * 1000)
    with pytest.raises(InputError, match=r"au-delà de la limite de .* Mo \(relevez \[ingest\] max_size_mb\)"):
        ingest(big, max_bytes=10_000)
    assert ingest(big, max_bytes=20_000).utterances


def test_unreadable_file_reported_even_as_root(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("00:01Bonjour.\n", encoding="utf-8")
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(InputError, match=r"secret.txt: illisible \(permission refusée\)"):
        ingest(path, max_bytes=MB)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("00:01Bonjour.\n", encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            ingest(path, max_bytes=MB)
    finally:
        path.chmod(0o600)


def test_load_episode_uses_the_configured_limit(tmp_path):
    from dataclasses import replace

    settings = Settings()
    settings = replace(settings, ingest=replace(settings.ingest, max_size_mb=0.001))
    with pytest.raises(InputError, match="limit"):
        load_episode(SAMPLE, settings)
    assert load_episode(SAMPLE, Settings()).cleaned


# --------------------------------------------------------------------------- corpus


def _labels(path: Path) -> dict:
    return json.loads(path.with_suffix(".labels.json").read_text(encoding="utf-8"))


def _shared_words(a: str, b: str) -> set[str]:
    words = lambda s: {w for w in fold(s).replace(",", " ").replace("(", " ").split() if len(w) >= 4}  # noqa: E731
    return words(a) & words(b)


def check_against_labels(ep, labels: dict, raw_text: str) -> None:
    """What the issue asks of every corpus transcript, in any format."""
    assert fold(labels["show"]).startswith(fold(ep.show))
    assert ep.date == dt.date.fromisoformat(labels["date"])
    if ep.description and ("a reçu" in ep.description or "accueille" in ep.description):
        assert ep.host == labels["host"]
    else:
        assert ep.host is None  # the description does not name the host: nothing invented
    assert [g.name for g in ep.guests] == [g["name"] for g in labels["guests"]]
    for parsed, label in zip(ep.guests, labels["guests"], strict=True):
        assert parsed.role and parsed.role in ep.description  # the role as the description writes it
        assert _shared_words(parsed.role, label["role"])  # and the same role as the hand-made label
    text = speech(ep)
    for q in labels["quotes"]:
        assert q["text"] in text, q["timestamp"]
    texts = {u.text for u in ep.utterances}
    for noise in labels["noise_lines"]:
        assert noise not in texts
        if any(c.isalpha() for c in noise) and len(noise) > 3 and noise not in ("News",):
            assert noise not in text, noise
    assert_monotonic(ep)
    for guest in labels["guests"]:
        for variant in guest["asr_variants"]:
            if variant in raw_text:
                assert variant not in text
                assert any(f.wrong == variant and f.right == guest["name"] for f in ep.name_fixes)


@pytest.mark.parametrize("path", corpus_transcripts(), ids=lambda p: p.name)
def test_corpus_transcripts_match_their_labels(path):
    ep = load(path)
    check_against_labels(ep, _labels(path), path.read_text(encoding="utf-8"))
    assert ep.format == "scraped" and ep.encoding == "utf-8"


@pytest.mark.parametrize("conversion", sorted(CONVERSIONS))
@pytest.mark.parametrize("path", corpus_transcripts(), ids=lambda p: p.name)
def test_corpus_converted_to_other_formats_gives_the_same_results(tmp_path, path, conversion):
    original = load(path)
    converted = load(CONVERSIONS[conversion](path, tmp_path))
    check_against_labels(converted, _labels(path), path.read_text(encoding="utf-8"))
    assert [(u.start_s, u.text) for u in converted.utterances] == [
        (u.start_s, u.text) for u in original.utterances
    ]
    assert converted.name_fixes == original.name_fixes
    expected_format = {"srt": "srt", "webvtt": "webvtt", "whisper_json": "whisper_json"}.get(
        conversion, "scraped"
    )
    assert converted.format == expected_format


def test_corpus_skips_cleanly_without_shared(monkeypatch):
    import conftest

    monkeypatch.setattr(conftest, "CORPUS", Path("/nonexistent/corpus"))
    assert conftest.corpus_transcripts() == []


def test_text_opening_with_a_bracketed_annotation_is_not_json(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("[Musique]\nBonjour à tous.\nOn parle de vélo.\n", encoding="utf-8")
    ep = load(path)
    assert (ep.format, speech(ep)) == ("plain", "Bonjour à tous. On parle de vélo.")


def test_plain_text_with_labels_alone_on_their_line_and_chevrons(tmp_path):
    path = tmp_path / "entretien.txt"
    path.write_text(
        "Agnès Morel :\nBonjour Rémi.\nVous revenez d'Islande ?\n"
        "Rémi Vidal :\nOui, d'un mois de tournage.\n"
        ">> Et il faisait froid ?\n"
        "Agnès Morel : Question : le volcan était actif ?\n",
        encoding="utf-8",
    )
    ep = load(path)
    assert [(u.speaker, u.text, u.new_speaker) for u in ep.utterances] == [
        ("Agnès Morel", "Bonjour Rémi.", True),
        ("Agnès Morel", "Vous revenez d'Islande ?", False),
        ("Rémi Vidal", "Oui, d'un mois de tournage.", True),
        (None, "Et il faisait froid ?", True),
        ("Agnès Morel", "Question : le volcan était actif ?", True),
    ]


def test_small_caption_overlaps_are_clamped_with_a_warning(tmp_path):
    path = tmp_path / "chevauche.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:05,000\nBonjour à tous.\n\n2\n00:00:00,600 --> 00:00:08,000\nOn commence.\n",
        encoding="utf-8",
    )
    ep = load(path)
    assert [u.start_s for u in ep.utterances] == [1.0, 1.0]
    assert any("1 sous-titre commence" in w for w in ep.warnings)
    assert any("aucun horodatage" in w for w in load(INGEST / "texte-brut.txt").warnings)


def test_glued_text_starting_with_a_number(tmp_path):
    path = tmp_path / "chiffres.txt"
    path.write_text(
        "Transcription\n01:2750 milliards d'euros,\n01:3112:30 précises, annonce le ministre.\n", "utf-8"
    )
    ep = load(path)
    assert [(u.start_s, u.text) for u in ep.utterances] == [
        (87.0, "50 milliards d'euros, 12:30 précises, annonce le ministre.")
    ]


def test_description_without_a_verb_still_lists_parenthesised_guests():
    d = parse_description(
        "Émission du 23.01.2025 dans Tech Matin, avec Anne Roy (chercheuse, CNRS) et Luc Petit (fondateur, Terra)",
        TODAY,
    )
    assert (d.show, d.date, d.host) == ("Tech Matin", dt.date(2025, 1, 23), None)
    assert d.guests == (Guest("Anne Roy", "chercheuse, CNRS"), Guest("Luc Petit", "fondateur, Terra"))
