"""The layouts French podcasts publish: detection, speakers, conservation of every word, metadata."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from conftest import FIXTURES
from transcript_formats import LAYOUTS, Show, bare_words, spoken, write

from generator.cli import main
from generator.errors import InputError
from generator.model import Chapter
from generator.transcript.cleaning import clean
from generator.transcript.fragments import count_words
from generator.transcript.ingestion import ingest
from generator.transcript.inspection import word_counts

FORMATS = FIXTURES / "formats"
TODAY = dt.date(2026, 11, 30)
GUESTS = ["Ghislain Morel", "Yasmina Tazi"]
SPEAKERS = {"Nathalie Guérin", *GUESTS}


def load(path):
    return clean(ingest(path, max_bytes=10**7, today=TODAY))


def fixture(layout: str):
    suffix = LAYOUTS[layout][0]
    return FORMATS / f"{layout}{suffix}"


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_fixture_is_detected_and_read_whole(layout):
    ep = load(fixture(layout))
    assert ep.format == LAYOUTS[layout][2]
    assert ep.show == "Le Grand Atelier"
    assert ep.host == "Nathalie Guérin"
    assert [g.name for g in ep.guests] == GUESTS
    # The role ends with its clause, not with the page's closing sentence.
    assert ep.guests[1].role == "violoniste de l'orchestre de Lyon"
    starts = [u.start_s for u in ep.utterances]
    assert None not in starts and starts == sorted(starts)
    text = " ".join(u.text for u in ep.utterances)
    if layout != "webvtt_auto":
        assert "Ghislain Morel et Yasmina Tazi" in text and "Guislain" not in text
        assert ("Guislain Morel", "Ghislain Morel") in [(f.wrong, f.right) for f in ep.name_fixes]
        # A sentence really said twice stays twice.
        assert "On le dit. On le dit." in text
    if LAYOUTS[layout][3]:
        assert {u.speaker for u in ep.utterances} == SPEAKERS
        first = next(u for u in ep.utterances if u.text.startswith("Sur un violon"))
        assert first.speaker == "Yasmina Tazi" and first.new_speaker


def test_first_names_alone_resolve_to_the_described_person():
    raw = fixture("turns_first_name").read_text(encoding="utf-8")
    assert "Yasmina :" in raw and "Yasmina Tazi :" not in raw
    assert {u.speaker for u in load(fixture("turns_first_name")).utterances} == SPEAKERS


def test_a_first_name_shared_by_two_people_stays_as_written(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Paul :\n[0:01] Bonjour.\nAnne :\n[0:03] Salut.\n", encoding="utf-8")
    (tmp_path / "t.description").write_text(
        "Dans Le Quai, Anne Roy reçoit Paul Roux, marin, et Paul Lebrun, pêcheur.\n", encoding="utf-8"
    )
    ep = load(path)
    assert [u.speaker for u in ep.utterances] == ["Paul", "Anne Roy"]
    assert "l'intervenant « Paul » peut être Paul Roux ou Paul Lebrun : laissé tel quel" in ep.warnings


def test_auto_captions_rolling_lines_kept_once_and_cut_into_short_sentences():
    ep = load(fixture("webvtt_auto"))
    said = [w for s in spoken(_show()) for w in bare_words(s.text.replace("Guislain", "Ghislain"))]
    got = [w for u in ep.utterances for w in u.text.split()]
    assert [w.lower() for w in got] == said
    # Lower-case captions: the misheard full name is repaired (and reported), nothing else changes case.
    assert [(f.wrong, f.right) for f in ep.name_fixes] == [("guislain morel", "Ghislain Morel")]
    assert [w for w in got if w[:1].isupper()] == ["Ghislain", "Morel"]
    lengths = [len(u.text.split()) for u in ep.utterances]
    assert sum(lengths) / len(lengths) <= 30 and max(lengths) <= 60
    assert ep.chapters == (Chapter("Ouverture", 0.0), Chapter("Le cœur du sujet", 30.0))
    counts = word_counts(ep)
    assert counts["words_noise_reasons"]["rolling caption repeat"] == counts["words_noise"]


def _show() -> Show:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make", FORMATS / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.SHOW


_LEXICON = ["le", "vélo", "la", "ville", "demain", "pourquoi", "budget", "écoles", "2026", "l'eau", "d'abord", "trois", "cents", "elle", "il", "on", "parle", "vraiment", "aujourd'hui", "très", "C'est", "Lyon", "Marseille", "réseau"]  # fmt: skip


def _random_show(seed: int) -> Show:
    rng = random.Random(seed)
    people = ("Anne Roy", "Marc Petit", "Lina Benali")
    turns = []
    for _ in range(rng.randint(3, 8)):
        sentences = tuple(
            " ".join(rng.choice(_LEXICON) for _ in range(rng.randint(1, 18))).capitalize() + rng.choice(".?!")
            for _ in range(rng.randint(1, 4))
        )
        turns.append((rng.choice(people), sentences))
    description = "Dans Radio Test, Anne Roy reçoit Marc Petit, urbaniste, et Lina Benali, juriste."
    return Show("Radio Test", description, "Anne Roy", ("Marc Petit", "Lina Benali"), tuple(turns))


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_property_every_word_is_kept_or_counted_as_noise(tmp_path, layout):
    for seed in range(15):
        show = _random_show(seed)
        path = write(show, layout, tmp_path)
        ep = load(path)
        said = [
            w
            for s in spoken(show)
            for w in (bare_words(s.text) if layout == "webvtt_auto" else s.text.split())
        ]
        got = [w for u in ep.utterances for w in u.text.split()]
        assert got == said, (layout, seed)
        counts = word_counts(ep)
        assert counts["words_in"] == counts["words_kept"] + counts["words_noise"]
        assert counts["words_kept"] == len(said)
        if LAYOUTS[layout][3]:
            truth = [s.speaker for s in spoken(show) for _ in s.text.split()]
            assert [u.speaker for u in ep.utterances for _ in u.text.split()] == truth, (layout, seed)


def test_srt_sentence_said_twice_is_kept_but_a_flash_repeat_is_not(tmp_path):
    path = tmp_path / "deux.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nIls l'ont dit.\n\n2\n00:00:02,000 --> 00:00:03,000\nIls l'ont dit.\n\n"
        "3\n00:00:03,000 --> 00:00:03,010\nIls l'ont dit.\n\n4\n00:00:03,010 --> 00:00:05,000\nEt après ?\n",
        encoding="utf-8",
    )
    ep = load(path)
    assert " ".join(u.text for u in ep.utterances) == "Ils l'ont dit. Ils l'ont dit. Et après ?"
    assert dict(ep.noise_words) == {"rolling caption repeat": 3}


def test_a_turn_change_inside_a_sentence_splits_it(tmp_path):
    doc = {"version": "1.0.0", "segments": [
        {"speaker": "Anne Roy", "startTime": 0.0, "endTime": 1.0, "body": "et donc vous"},
        {"speaker": "Marc Petit", "startTime": 1.0, "endTime": 2.0, "body": "oui tout à fait"}]}  # fmt: skip
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    ep = load(path)
    assert [(u.speaker, u.text) for u in ep.utterances] == [
        ("Anne Roy", "et donc vous"),
        ("Marc Petit", "oui tout à fait"),
    ]


def test_ttml_agent_inherited_from_div_and_clock_times(tmp_path):
    path = tmp_path / "a.xml"
    path.write_text(
        '<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"><body>'
        '<div ttm:agent="Léo"><p begin="00:00:01.500" end="00:00:03.000">Bonjour <span>à</span>'
        "<span>tous</span>.</p></div></body></tt>",
        encoding="utf-8",
    )
    ep = load(path)
    assert [(u.speaker, u.start_s, u.text) for u in ep.utterances] == [("Léo", 1.5, "Bonjour à tous.")]


@pytest.mark.parametrize(
    "data, what",
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><text>Bonjour</text></svg>', "document XML/HTML"),
        ('{"titre": "Bonjour"}', "transcription JSON non reconnue"),
        ("<?xml version='1.0'?><rss><item>Bonjour</item></rss>", "document XML/HTML"),
    ],
)
def test_unrecognised_layout_exits_2_naming_the_known_layouts(capsys, tmp_path, data, what):
    path = tmp_path / "inconnu.txt"
    path.write_text(data, encoding="utf-8")
    with pytest.raises(InputError, match="formats connus : SRT, SBV, WebVTT"):
        ingest(path, max_bytes=10**6)
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert what in err and "Podcasting 2.0 JSON" in err and "\n" not in err
    assert path.read_text(encoding="utf-8") == data


def test_inspect_json_reports_word_conservation(capsys):
    assert main(["inspect", str(fixture("turns_range")), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["words_in"] == doc["words_kept"] + doc["words_noise"]
    assert doc["words_noise_reasons"] == {"speaker label": doc["words_noise"]}
    assert doc["words_kept"] == sum(count_words(s.text) for s in spoken(_show()))
    assert doc["chapters"] == []
    assert main(["inspect", str(fixture("webvtt_auto")), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["chapters"] == [
        {"title": "Ouverture", "start_s": 0.0},
        {"title": "Le cœur du sujet", "start_s": 30.0},
    ]


def test_estimated_times_inside_turns_are_said():
    ep = load(fixture("turns_name_ts"))
    assert any("position des mots" in w for w in ep.warnings)


def test_chapters_listed_in_a_description(tmp_path):
    path = tmp_path / "ep.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nBonjour.\n", encoding="utf-8")
    (tmp_path / "ep.description").write_text(
        "Le Quai présente un épisode sur les ports.\n\n00:00 Intro\n12:05 Les dockers\n1:02:03 Questions\n",
        encoding="utf-8",
    )
    ep = load(path)
    assert ep.show == "Le Quai"
    assert ep.chapters == (Chapter("Intro", 0.0), Chapter("Les dockers", 725.0), Chapter("Questions", 3723.0))
    assert "12:05" not in (ep.description or "")


def test_quotes_from_a_labelled_turn_carry_its_speaker():
    from generator.writing.quotes import Verifier

    ep = load(fixture("turns_first_name"))
    quote = Verifier(ep).verify("c'est soixante-dix pièces de bois, collées à la main")
    assert quote.speaker == "Ghislain Morel" and quote.start_s is not None


@pytest.mark.parametrize(
    "text, show, host, guests",
    [
        ("Ce lundi 3 novembre, Luc Roy reçoit Anne Perrot, autrice de polars, et Éric Vasseur, libraire à "
         "Nantes, dans l'émission Le Grand Atelier, la quotidienne. Retrouvez l'émission du lundi au jeudi.",
         "Le Grand Atelier", "Luc Roy", [("Anne Perrot", "autrice de polars"), ("Éric Vasseur", "libraire à Nantes")]),
        ("Bienvenue dans Les Pieds sur Terre. Cette semaine, Claire Bonnet accueille Paul Lenoir, maraîcher, "
         "et Inès Amrani, ingénieure agronome à l'INRAE. Abonnez-vous.",
         "Les Pieds sur Terre", "Claire Bonnet", [("Paul Lenoir", "maraîcher"), ("Inès Amrani", "ingénieure agronome à l'INRAE")]),
        ("Radio Marmotte présente un épisode avec Jean Dupuis, glaciologue au CNRS, et Marie Colin, guide. "
         "Une émission présentée par Luc Favre.",
         "Radio Marmotte", "Luc Favre", [("Jean Dupuis", "glaciologue au CNRS"), ("Marie Colin", "guide")]),
        ("Terre Ferme, le podcast qui explore nos sols. Invités : Jean Dupuis (glaciologue) et Marie Colin (guide).",
         "Terre Ferme", None, [("Jean Dupuis", "glaciologue"), ("Marie Colin", "guide")]),
        ("Le podcast Terre Ferme reçoit Jean Dupuis, glaciologue.", "Terre Ferme", None, [("Jean Dupuis", "glaciologue")]),
        ("Dans cet épisode de Terre Ferme, avec Jean Dupuis, glaciologue.", "Terre Ferme", None, [("Jean Dupuis", "glaciologue")]),
    ],
)  # fmt: skip
def test_show_host_and_guests_from_descriptions_phrased_any_usual_way(text, show, host, guests):
    from generator.transcript.metadata import parse_description

    d = parse_description(text, TODAY)
    assert (d.show, d.host) == (show, host)
    assert [(g.name, g.role) for g in d.guests] == guests


def test_generic_diarisation_labels_are_speakers_not_words(tmp_path):
    path = tmp_path / "otter.txt"
    path.write_text(
        "Speaker 1  0:03\nBonjour à tous.\n\nSpeaker 2  0:07\nMerci, bonjour.\n", encoding="utf-8"
    )
    ep = load(path)
    assert [(u.speaker, u.text) for u in ep.utterances] == [
        ("Speaker 1", "Bonjour à tous."),
        ("Speaker 2", "Merci, bonjour."),
    ]
    one_line = tmp_path / "lignes.txt"
    one_line.write_text(
        "[00:00:03] SPEAKER_01: Bonjour à tous.\n[00:00:07] SPEAKER_02: Merci.\n", encoding="utf-8"
    )
    assert [u.speaker for u in load(one_line).utterances] == ["SPEAKER_01", "SPEAKER_02"]


@pytest.mark.parametrize(
    "header", ["Nadia Roche  0:05", "Nadia Roche (00:00:05)", "Nadia Roche: (00:00:05)", "Nadia Roche - 00:00:05",
               "0:00:05 à 0:00:09 Nadia Roche :", "0:00:05 à 0:00:09 Nadia Roche"],
)  # fmt: skip
def test_turn_header_shapes(tmp_path, header):
    path = tmp_path / "t.txt"
    path.write_text(
        f"{header}\nBonjour.\n\nLéo Martin (00:00:09)\nSalut.\n".replace(
            "Léo Martin (00:00:09)", header.replace("Nadia Roche", "Léo Martin").replace("0:05", "0:09")
        ),
        encoding="utf-8",
    )
    ep = load(path)
    assert ep.format == "turns"
    assert [(u.speaker, u.start_s, u.text) for u in ep.utterances] == [
        ("Nadia Roche", 5.0, "Bonjour."),
        ("Léo Martin", 9.0, "Salut."),
    ]


def test_youtube_timed_text_xml(tmp_path):
    srv1 = tmp_path / "a.xml"
    srv1.write_text(
        '<?xml version="1.0" encoding="utf-8" ?><transcript><text start="0.5" dur="2.1">bonjour à tous</text>'
        '<text start="2.6" dur="1.9">on parle d&amp;#39;eau</text></transcript>',
        encoding="utf-8",
    )
    ep = load(srv1)
    assert ep.format == "timedtext"
    assert [(u.start_s, u.text) for u in ep.utterances] == [(0.5, "bonjour à tous on parle d'eau")]
    srv3 = tmp_path / "b.srv3"
    srv3.write_text(
        '<timedtext format="3"><body><p t="1000" d="2000">Salut.</p><p t="3000" d="900">Ça va ?</p></body></timedtext>',
        "utf-8",
    )
    assert [(u.start_s, u.text) for u in load(srv3).utterances] == [(1.0, "Salut."), (3.0, "Ça va ?")]


def test_a_subject_who_speaks_in_the_file_is_the_host_not_the_show(tmp_path):
    path = tmp_path / "ep.fr.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Luc Favre>Bonjour et bienvenue.\n\n"
        "00:00:03.000 --> 00:00:05.000\n<v Jean Dupuis>Merci Luc.\n",
        encoding="utf-8",
    )
    (tmp_path / "ep.description").write_text("Luc Favre reçoit Jean Dupuis, glaciologue.\n", encoding="utf-8")
    info = {"channel": "Terre Ferme", "upload_date": "20261012", "chapters": []}
    (tmp_path / "ep.info.json").write_text(json.dumps(info), encoding="utf-8")
    ep = load(path)
    assert (ep.show, ep.host, ep.date) == ("Terre Ferme", "Luc Favre", dt.date(2026, 10, 12))
    assert [g.name for g in ep.guests] == ["Jean Dupuis"]


@pytest.mark.parametrize(
    "text, show, host, guests",
    [
        ("Aujourd'hui, on reçoit Jean Dupuis, glaciologue au CNRS.", None, None, ["Jean Dupuis"]),
        ("Nous recevons aujourd'hui Jean Dupuis, glaciologue, dans Terre Ferme.", "Terre Ferme", None, ["Jean Dupuis"]),
        ("Jean Dupuis, glaciologue, et Marie Colin, guide, sont les invités de Luc Favre dans l'émission Terre Ferme.",
         "Terre Ferme", "Luc Favre", ["Jean Dupuis", "Marie Colin"]),
        ("Dans ce nouvel épisode, Luc Favre reçoit Jean Dupuis, glaciologue. Un podcast Radio Marmotte.",
         "Radio Marmotte", "Luc Favre", ["Jean Dupuis"]),
    ],
)  # fmt: skip
def test_pronoun_subjects_and_guests_named_first(text, show, host, guests):
    from generator.transcript.metadata import parse_description

    d = parse_description(text, TODAY)
    assert (d.show, d.host, [g.name for g in d.guests]) == (show, host, guests)


def test_the_benchmark_show_meets_the_issue_targets_in_every_layout(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_formats", FIXTURES.parents[1] / "bench" / "formats.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)  # type: ignore[union-attr]

    for layout, show in [(layout, show) for show in bench.SHOWS.values() for layout in bench.ALL]:
        row = bench.measure(layout, tmp_path, show)
        assert row["lost %"] <= 0.5 and row["added %"] <= 0.5, row
        assert row["speaker %"] is None or row["speaker %"] >= 95, row
        assert row["timed, in order"] and row["show+guests"], row
        assert row["mean words"] <= 30 and row["max words"] <= 60, row


@pytest.mark.parametrize(
    "header", ["[00:00:05] - Nadia Roche", "00:00:05 Nadia Roche", "(0:05) Nadia Roche :"]
)
def test_time_then_name_headers(tmp_path, header):
    path = tmp_path / "t.txt"
    second = header.replace("Nadia Roche", "Léo Martin").replace("0:05", "0:09")
    path.write_text(f"{header}\nBonjour à tous.\n\n{second}\nSalut Nadia.\n", encoding="utf-8")
    ep = load(path)
    assert ep.format == "turns"
    assert [(u.speaker, u.start_s, u.text) for u in ep.utterances] == [
        ("Nadia Roche", 5.0, "Bonjour à tous."),
        ("Léo Martin", 9.0, "Salut Nadia."),
    ]


def test_growing_live_captions_keep_each_word_once(tmp_path):
    path = tmp_path / "direct.srt"
    cues = [
        "bonjour à",
        "bonjour à tous ce",
        "bonjour à tous ce soir",
        "on parle",
        "on parle du lac",
        "du lac du lac",
    ]
    path.write_text(
        "\n".join(f"{k}\n00:00:0{k},000 --> 00:00:0{k + 1},000\n{c}\n" for k, c in enumerate(cues, 1)),
        encoding="utf-8",
    )
    ep = load(path)
    # "du lac du lac" does not start with the whole previous cue: its words are new, said twice.
    assert " ".join(u.text for u in ep.utterances) == "bonjour à tous ce soir on parle du lac du lac du lac"


def test_csv_and_tsv_exports(tmp_path):
    csv_path = tmp_path / "export.csv"
    csv_path.write_text(
        'Speaker,Start Time,End Time,Text\nNadia Roche,00:00:01.000,00:00:03.000,"Bonjour, et bienvenue."\n'
        'Léo Martin,00:00:03.500,00:00:05.000,"Merci, Nadia."\n',
        encoding="utf-8",
    )
    ep = load(csv_path)
    assert ep.format == "table"
    assert [(u.speaker, u.start_s, u.text) for u in ep.utterances] == [
        ("Nadia Roche", 1.0, "Bonjour, et bienvenue."),
        ("Léo Martin", 3.5, "Merci, Nadia."),
    ]
    tsv = tmp_path / "export.tsv"
    tsv.write_text(
        "début\tfin\tintervenant\ttexte\n1.5\t3\tAnne\tSalut.\n\t\tAnne\tÇa va ?\n", encoding="utf-8"
    )
    ep = load(tsv)
    assert [(u.speaker, u.start_s, u.text) for u in ep.utterances] == [
        ("Anne", 1.5, "Salut."),
        ("Anne", 1.5, "Ça va ?"),
    ]
    assert any("sans heure de début lisible" in w for w in ep.warnings)


def test_a_first_name_not_in_the_description_takes_the_full_name_said_on_air(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(
        "Jérôme :\n[0:01] Bonjour, je suis Jérôme Vidal et voici Les Matins du Lac.\n"
        "Sandrine :\n[0:05] Bonjour Jérôme.\nJérôme :\n[0:08] Sandrine, le lac se réchauffe ?\n",
        encoding="utf-8",
    )
    (tmp_path / "t.description").write_text(
        "Les Matins du Lac reçoivent Sandrine Okafor, hydrologue.\n", encoding="utf-8"
    )
    ep = load(path)
    assert [u.speaker for u in ep.utterances] == ["Jérôme Vidal", "Sandrine Okafor", "Jérôme Vidal"]
    # The host introduced themself on air ("je suis Jérôme Vidal"): the host, from the speech.
    assert ep.host == "Jérôme Vidal" and dict(ep.origins)["host"] == "speech"


def test_a_chapter_list_copied_above_a_scraped_page_is_header_not_speech(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(
        "Dans l'émission Silicium, Anne Roy reçoit Luc Petit, juriste.\n00:00 Intro\n02:10 L'AI Act\n"
        "Catégorie\nTranscription\n00:02Bonsoir et bienvenue.\n00:06On parle de l'AI Act.\n02:12Luc, les sanctions ?\n",
        encoding="utf-8",
    )
    ep = load(path)
    assert ep.chapters == (Chapter("Intro", 0.0), Chapter("L'AI Act", 130.0))
    assert [u.start_s for u in ep.utterances] == [2.0, 6.0, 132.0]
    assert "Intro" not in " ".join(u.text for u in ep.utterances)


def test_youtube_sbv_captions_with_chevron_labels(tmp_path):
    path = tmp_path / "a.sbv"
    path.write_text(
        "0:00:00.599,0:00:04.160\n>> NADIA: Bonjour à tous.\n\n0:00:04.160,0:00:08.000\n>> LÉO: Merci Nadia.\n"
        "On commence.\n\n0:00:08.000,0:00:10.000\n>> NADIA: Ils l'ont dit.\n\n0:00:10.000,0:00:12.000\nIls l'ont dit.\n\n"
        "0:00:12.000,0:00:13.000\n>> LÉO: Oui.\n",
        encoding="utf-8",
    )
    ep = load(path)
    assert ep.format == "sbv"
    assert [(u.start_s, u.speaker, u.text) for u in ep.utterances] == [
        (0.599, "NADIA", "Bonjour à tous."),
        (4.16, "LÉO", "Merci Nadia."),
        (4.16, "LÉO", "On commence."),
        (8.0, "NADIA", "Ils l'ont dit."),
        (10.0, "NADIA", "Ils l'ont dit."),
        (12.0, "LÉO", "Oui."),
    ]


def test_auto_captions_chevrons_end_a_pseudo_sentence(tmp_path):
    path = tmp_path / "auto.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n \nbonjour<00:00:00.400><c> à</c><00:00:00.800><c> tous</c>\n\n"
        "00:00:02.000 --> 00:00:04.000\nbonjour à tous\n&gt;&gt; merci<00:00:02.400><c> bonjour</c>\n",
        encoding="utf-8",
    )
    ep = load(path)
    assert [(u.text, u.new_speaker) for u in ep.utterances] == [
        ("bonjour à tous", False),
        ("merci bonjour", True),
    ]
