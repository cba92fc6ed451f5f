"""Feeds as real hosts write them: every podcast:transcript under both namespace URIs, French and timed first."""

from __future__ import annotations

from pathlib import Path

import pytest
from feed_server import item, rss

from generator.errors import SourceError
from generator.sources import choose_transcript, parse_feed
from generator.sources.feed import PODCAST_NS

OLD_NS = PODCAST_NS[1]


def _links(xml: bytes):
    [it] = parse_feed(xml).items
    return it.transcripts


def test_every_transcript_tag_of_an_item_is_kept_and_french_vtt_is_chosen():
    extra = (
        '<podcast:transcript url="https://h/ep1.en.vtt" type="text/vtt" language="en" rel="captions"/>'
        '<podcast:transcript url="https://h/ep1.html" type="text/html" language="fr"/>'
        '<podcast:transcript url="https://h/ep1.fr.vtt" type="text/vtt" language="fr-FR"/>'
        '<podcast:transcript url="https://h/ep1.json" type="application/json" language="fr"/>'
    )
    feed = parse_feed(
        rss("Octets", [item("g1", "Épisode 1", "Mon, 23 Nov 2026 06:00:00 +0100", extra=extra)])
    )
    links = feed.items[0].transcripts
    assert [link.url.rsplit("/", 1)[1] for link in links] == [
        "ep1.en.vtt",
        "ep1.html",
        "ep1.fr.vtt",
        "ep1.json",
    ]
    assert choose_transcript(links, feed.language).url == "https://h/ep1.fr.vtt"


def test_both_namespace_uris_in_one_feed():
    xml = rss(
        "Mixte",
        [
            item(
                "g",
                "t",
                "Mon, 23 Nov 2026 06:00:00 GMT",
                extra=f'<pc2:transcript xmlns:pc2="{OLD_NS}" url="https://h/a.srt" type="application/srt"/>'
                '<podcast:transcript url="https://h/a.txt" type="text/plain"/>',
            )
        ],
    )
    links = _links(xml)
    assert {link.format for link in links} == {"srt", "txt"}
    assert choose_transcript(links, "fr").format == "srt"  # timed before text


@pytest.mark.parametrize("mime", ["text/srt", "application/srt", "application/x-subrip"])
def test_real_world_srt_types(mime):
    xml = rss("S", [item("g", "t", "", extra=f'<podcast:transcript url="https://h/x" type="{mime}"/>')])
    assert _links(xml)[0].format == "srt"


def test_english_only_is_taken_when_it_is_all_there_is_and_french_text_beats_english_vtt():
    links = _links(
        rss(
            "S",
            [
                item(
                    "g",
                    "t",
                    "",
                    extra='<podcast:transcript url="https://h/en.vtt" type="text/vtt" language="en"/>'
                    '<podcast:transcript url="https://h/fr.txt" type="text/plain" language="fr"/>',
                )
            ],
            language="en",
        )
    )
    assert choose_transcript(links, "en").url == "https://h/fr.txt"
    assert choose_transcript(links[:1], "en").url == "https://h/en.vtt"


def test_item_metadata_dates_enclosure_chapters_and_order():
    xml = rss(
        "Octets",
        [
            item("old", "Ancien", "Mon, 16 Nov 2026 06:00:00 +0100"),
            item(
                "new",
                "Nouveau",
                "Mon, 23 Nov 2026 06:00:00 +0100",
                description="<p>Avec Maëlle Kerbrat</p>",
                extra='<enclosure url="https://h/new.mp3" type="audio/mpeg" length="1234"/>'
                "<itunes:duration>01:02:03</itunes:duration>"
                '<podcast:chapters url="https://h/new.chapters.json" type="application/json+chapters"/>',
            ),
        ],
    )
    feed = parse_feed(xml)
    assert [i.key for i in feed.items] == ["new", "old"]  # newest first
    new = feed.items[0]
    assert new.enclosure.url == "https://h/new.mp3" and new.enclosure.length == 1234
    assert new.duration_s == 3723 and new.chapters_url == "https://h/new.chapters.json"
    assert "Maëlle Kerbrat" in new.description and new.published.day == 23


def test_item_without_guid_is_known_by_its_enclosure():
    xml = rss("S", ['<item><title>t</title><enclosure url="https://h/a.mp3" type="audio/mpeg"/></item>'])
    assert parse_feed(xml).items[0].key == "https://h/a.mp3"


def test_atom_feed():
    xml = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0"><title>Atome</title>'
        "<entry><id>urn:1</id><title>Un</title><updated>2026-11-23T06:00:00Z</updated><summary>Résumé</summary>"
        '<link rel="enclosure" href="https://h/1.mp3" type="audio/mpeg"/>'
        '<podcast:transcript url="https://h/1.vtt" type="text/vtt"/></entry></feed>'
    ).encode()
    feed = parse_feed(xml)
    assert feed.kind == "atom" and feed.title == "Atome" and feed.language == "fr"
    [entry] = feed.items
    assert entry.key == "urn:1" and entry.enclosure.url == "https://h/1.mp3"
    assert choose_transcript(entry.transcripts, feed.language).url == "https://h/1.vtt"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title></channel></rss>"""


@pytest.mark.parametrize(
    "body, words",
    [
        (BILLION_LAUGHS, "entités XML interdites"),
        ("<rss><channel><title>coupé".encode(), "mal formé"),
        (b"<html><body>pas un flux</body></html>", "pas un flux RSS ou Atom"),
        (b"", "mal formé"),
    ],
)
def test_bad_feeds_are_refused_in_french(body, words):
    with pytest.raises(SourceError, match=words):
        parse_feed(body, "https://h/f.xml")


def test_a_hosted_feed_as_a_host_writes_it():
    """Buzzsprout-like: four transcript types per episode (HTML, JSON, SRT captions, VTT), an older episode with audio only."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "hosted.xml"
    feed = parse_feed(fixture.read_bytes())
    assert feed.title == "Les Circuits du Dimanche" and feed.language == "fr-fr"
    new, old = feed.items
    assert new.key == "Buzzsprout-12345678" and new.title.startswith("#58")
    assert [t.format for t in new.transcripts] == ["html", "json", "srt", "vtt"]
    best = choose_transcript(new.transcripts, feed.language)
    assert best.format == "srt" and best.captions  # timed, and marked as captions
    assert new.duration_s == 2990 and new.enclosure.length == 48211533
    assert "04:12 Les pannes" in new.description and new.chapters_url.endswith("chapters.json")
    assert (
        old.transcripts == () and old.duration_s == 41 * 60 + 5 and choose_transcript(old.transcripts) is None
    )
