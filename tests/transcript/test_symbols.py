"""Every character that carries meaning survives reading and cleaning, and is counted as a word."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.transcript.cleaning import clean
from generator.transcript.fragments import count_words
from generator.transcript.ingestion import ingest
from generator.transcript.inspection import word_counts


@pytest.mark.parametrize(
    "text, words",
    [("94 % de oui", 4), ("12 € + 3 $", 5), ("il fait 5 ° dehors", 5), ("1/2 ou 1 / 2", 5), ("- ... !", 0)],
)
def test_symbols_are_words_punctuation_is_not(text, words):
    assert count_words(text) == words


def test_a_percent_said_as_its_own_caption_word_is_kept_and_counted(tmp_path):
    words = ["c'était", "94", "%", "de", "oui", "et", "ça", "coûte", "15", "€", "par", "mois"]
    timed = "".join(f"<00:00:{1 + k:02d}.000><c> {w}</c>" for k, w in enumerate(words[1:], 1))
    path = tmp_path / "auto.fr.vtt"
    path.write_text(
        f"WEBVTT\nKind: captions\nLanguage: fr\n\n00:00:01.000 --> 00:00:14.000\n{words[0]}{timed}\n",
        encoding="utf-8",
    )
    ep = clean(ingest(path, today=dt.date(2026, 12, 1)))
    assert ep.format == "webvtt_auto"
    assert " ".join(u.text for u in ep.utterances) == " ".join(words)
    counts = word_counts(ep)
    assert counts["words_in"] == counts["words_kept"] == len(words)


def test_a_figure_alone_on_its_line_is_speech_in_plain_text(tmp_path):
    path = tmp_path / "brut.txt"
    path.write_text(
        "Le taux de participation était de\n94 %\net tout le monde était surpris.\n", encoding="utf-8"
    )
    ep = clean(ingest(path, today=dt.date(2026, 12, 1)))
    assert " ".join(u.text for u in ep.utterances) == (
        "Le taux de participation était de 94 % et tout le monde était surpris."
    )
