"""Markdown and HTML transcript pages: front matter as metadata, headings as structure, markup never speech."""

from __future__ import annotations

import datetime as dt
import re

from conftest import FIXTURES

from generator.cli import main
from generator.transcript.cleaning import clean
from generator.transcript.fragments import count_words
from generator.transcript.ingestion import ingest
from generator.transcript.inspection import report

PAGES = FIXTURES / "pages"
MARKUP = re.compile(r"https?://|\]\(|</?[a-z]+[\s>/]|^---|episode_number|audio_link|^#+\s")


def load(name: str):
    return clean(ingest(PAGES / name, today=dt.date(2026, 12, 1)))


def test_front_matter_is_metadata_with_its_origin_never_speech():
    ep = load("episode.md")
    assert ep.format == "markdown_page"
    assert ep.title == "Le vélo cargo, pour quoi faire ?"
    assert ep.date == dt.date(2025, 3, 14)
    assert ep.host == "Sophie Lamarre"
    # The people of the front matter, with the role its description gives them.
    assert [(g.name, g.role) for g in ep.guests] == [
        ("Aline Marchetti", "urbaniste"),
        ("Bruno Keller", "artisan cycliste"),
    ]
    origins = dict(ep.origins)
    assert origins["date"] == origins["title"] == origins["guests"] == origins["host"] == "front matter"
    speech = " ".join(u.text for u in ep.utterances)
    assert "episode_number" not in speech and "vélo cargo, pour quoi faire" not in speech
    assert not any(MARKUP.search(u.text) for u in ep.utterances)


def test_headings_are_structure_and_links_are_counted_as_noise():
    ep = load("episode.md")
    headed = [(u.heading, u.text) for u in ep.utterances if u.heading]
    assert headed[0] == ("Introduction", "Bonjour à toutes et à tous.")
    assert ("Comment les livraisons ont-elles changé ?", "Alors, au début, c'était marginal.") in headed
    assert all(not u.text.startswith("Comment les livraisons") for u in ep.utterances)
    noise = dict(ep.noise_words)
    assert noise["heading"] == count_words(
        "Pour aller plus loin Transcription Extrait Introduction Comment les livraisons ont-elles changé ? "
        "Les questions rapides"
    )
    assert noise["link list"] == count_words("Le rapport de l'observatoire du vélo Le site de l'atelier")
    assert noise["link"] == 1  # the bare address inside a sentence
    counts = report(ep)
    assert counts["words_in"] == counts["words_kept"] + counts["words_noise"]


def test_a_boxed_excerpt_repeating_the_speech_is_read_once():
    ep = load("episode.md")
    speech = " ".join(u.text for u in ep.utterances)
    assert speech.count("remplace une camionnette") == 1
    assert dict(ep.noise_words)["repeated excerpt"] == 20


def test_a_list_of_labelled_lines_is_a_quick_exchange_with_speakers():
    ep = load("episode.md")
    tail = [(u.speaker, u.text) for u in ep.utterances[-3:]]
    assert tail == [
        ("Sophie Lamarre", "Électrique ou musculaire ?"),
        ("Bruno Keller", "Électrique, sans hésiter."),
        ("Aline Marchetti", "Les deux, ça dépend des pentes."),
    ]


def test_symbols_survive_in_a_page():
    speech = " ".join(u.text for u in load("episode.md").utterances)
    assert "4 000 €, soit 30 % de moins" in speech and "-5 °C" in speech


def test_inline_html_reads_paragraphs_bold_questions_and_line_breaks():
    ep = load("episode.html")
    assert ep.format == "html_page"
    texts = [u.text for u in ep.utterances]
    assert texts[0] == "Aline, peux-tu nous dire ce qui t'a amenée à l'urbanisme ?"
    assert ep.utterances[0].set_apart and not ep.utterances[1].set_apart
    # The answer after a bold question is another speaker's turn; so is the next question.
    assert ep.utterances[1].new_speaker and ep.utterances[3].new_speaker and ep.utterances[3].set_apart
    assert "pour la ville de Nantes, et très vite j'ai compris que 80 % du sujet" in texts[2]
    assert texts[-3:] == ["Sur des rues scolaires.", "C'est passionnant.", "Vraiment."]
    speech = " ".join(texts)
    assert "Accueil" not in speech and "Roue Libre" not in speech and "var x" not in speech
    assert "Pour en savoir plus" not in speech and "plan vélo" not in speech
    assert not any(MARKUP.search(t) for t in texts)
    assert ep.title == "Roue Libre" and dict(ep.origins)["title"] == "front matter"


def test_inspect_json_names_where_each_field_came_from(capsys):
    import json

    assert main(["inspect", str(PAGES / "episode.md"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["origins"] == {
        "date": "front matter",
        "guests": "front matter",
        "host": "front matter",
        "show": "front matter",
        "title": "front matter",
    }
    assert doc["title"] == "Le vélo cargo, pour quoi faire ?"


def test_hugo_toml_front_matter_and_timed_paragraphs(tmp_path):
    page = tmp_path / "episode.md"
    page.write_text(
        '+++\ntitle = "Les semences paysannes"\ndate = 2024-06-01\nguests = ["Odile Ferrat"]\n'
        'podcast = "Terre à Terre"\n+++\n\n## Transcription\n\n'
        "[00:00:05] **Marc :** Bonjour Odile, tu cultives des semences anciennes.\n\n"
        "[00:00:12] **Odile :** Oui, depuis douze ans, sur 3 hectares.\n\nEt ça marche bien.\n\n"
        "[00:00:20] **Marc :** Sur 3 hectares ?\n",
        encoding="utf-8",
    )
    ep = clean(ingest(page, today=dt.date(2026, 12, 1)))
    assert (ep.show, ep.title, ep.date) == ("Terre à Terre", "Les semences paysannes", dt.date(2024, 6, 1))
    assert [g.name for g in ep.guests] == ["Odile Ferrat"]
    assert [(u.start_s, u.speaker) for u in ep.utterances] == [
        (5.0, "Marc"),
        (12.0, "Odile Ferrat"),
        (12.0, "Odile Ferrat"),
        (20.0, "Marc"),
    ]
    assert "[00:00" not in " ".join(u.text for u in ep.utterances)


def test_bold_speaker_labels_in_markdown(tmp_path):
    page = tmp_path / "labo.md"
    page.write_text(
        "# Le Labo Vert, épisode 3\n\n**Nadia :** Bonjour à tous, on parle compost.\n\n"
        "**Paul :** Bonjour Nadia. Le compost réduit de 30 % nos déchets.\n\n**Nadia :** Vraiment ?\n",
        encoding="utf-8",
    )
    ep = clean(ingest(page, today=dt.date(2026, 12, 1)))
    assert ep.format == "markdown_page"
    assert [(u.speaker, u.text) for u in ep.utterances] == [
        ("Nadia", "Bonjour à tous, on parle compost."),
        ("Paul", "Bonjour Nadia."),
        ("Paul", "Le compost réduit de 30 % nos déchets."),
        ("Nadia", "Vraiment ?"),
    ]
