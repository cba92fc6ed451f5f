"""The format registry: detect() names only registered families, and every registered family can be named."""

from __future__ import annotations

import pytest

from generator.errors import InputError
from generator.transcript.formats import FORMATS, detect, parse

SAMPLES = {
    "webvtt": "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nBonjour à tous.\n",
    "ttml": '<?xml version="1.0"?>\n<tt xmlns="http://www.w3.org/ns/ttml"><body><div>'
    '<p begin="00:00:01.000" end="00:00:03.000">Bonjour à tous.</p></div></body></tt>\n',
    "timedtext": '<?xml version="1.0"?>\n<transcript><text start="1.0" dur="2.0">Bonjour à tous.</text>'
    "</transcript>\n",
    "page": "---\ntitle: Les jardins\ndate: 2026-05-02\n---\n\n## Transcription\n\nBonjour à tous.\n",
    # An HTML page of paragraphs is a page; other markup is refused.
    "markup": '<svg xmlns="http://www.w3.org/2000/svg"><text>Bonjour à tous.</text></svg>\n',
    "table": "start;text\n00:00:01;Bonjour à tous.\n00:00:04;On commence.\n",
    "json": '{"segments": [{"start": 1.0, "end": 3.0, "text": "Bonjour à tous."}]}\n',
    "srt": "1\n00:00:01,000 --> 00:00:03,000\nBonjour à tous.\n\n2\n00:00:04,000 --> 00:00:06,000\nOn commence.\n",
    "turns": "Nathalie Guérin (00:00:02)\nBonjour à tous.\n\nGhislain Morel (00:00:12)\nBonjour Nathalie.\n",
    "scraped": "00:00:02- Bonjour à tous.\n00:00:06- On commence tout de suite.\n",
    "plain": "Bonjour à tous. Aujourd'hui on parle de jardins partagés.\n",
}


def test_every_registered_family_is_detected_and_nothing_else():
    assert set(SAMPLES) == set(FORMATS.names())
    for name, text in SAMPLES.items():
        assert detect(text) == name, name


@pytest.mark.parametrize("name", [n for n in SAMPLES if n != "markup"])
def test_each_family_reads_its_sample(name):
    parsed = parse(SAMPLES[name], f"episode.{name}")
    assert any("Bonjour" in f.text for f in parsed.fragments), parsed


def test_markup_that_is_not_a_transcript_is_refused_naming_the_file():
    with pytest.raises(InputError) as err:
        parse(SAMPLES["markup"], "page.html")
    assert "page.html" in str(err.value)
