"""Rendering: both styles, three formats, goldens, escaping of everything that came from a transcript."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from render_fixtures import NEWSLETTER, Q_ENERGY, one_episode, provenance, three_episodes, with_text

from generator.edition import rendering
from generator.errors import RenderError
from generator.styles import STYLES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
GOLDENS = Path(__file__).resolve().parents[1] / "goldens"
EXTRACTIVE_LABEL = "Brouillon extractif (sans modèle de langage)"
EDITIONS = {"one": one_episode, "three": three_episodes}


def _render(edition, newsletter=NEWSLETTER):
    return rendering.render(edition, provenance(), newsletter, TEMPLATES)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


# ------------------------------------------------------------------------------------------ content


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("which", EDITIONS)
def test_every_topic_carries_show_date_timestamp_and_quotes(style, which):
    edition = EDITIONS[which](style)
    out = _render(edition)
    assert set(out) == {"md", "html", "txt"}
    for fmt in ("md", "txt"):
        text = " ".join(out[fmt].split())  # plain text is wrapped
        assert edition.title in text
        for section in edition.sections:
            assert section.title in text
            assert section.source.show in text
            assert rendering.format_ts(section.start_s) in text
        for source in edition.sources:
            for guest in source.guests:
                assert guest.name in text
                if guest.role:
                    assert guest.role in text
        # Every verified quote of the main topics appears with its timestamp.
        first = edition.sections[0].quotes[0]
        assert first.text in text and first.start in text and first.speaker in text
    assert "2 mars 2026" in out["md"] and "2 mars 2026" in out["txt"]
    if which == "three":
        assert "1er mars 2026" in out["md"] and "1er mars 2026" in out["txt"]
    # Timestamps link to the source with #t= when its URL is known, and only then.
    assert "(https://radio.exemple.fr/ondes-numeriques/2026-03-02#t=612)" in out["md"]
    assert 'href="https://radio.exemple.fr/ondes-numeriques/2026-03-02#t=754"' in out["html"]
    if which == "three":
        assert "#t=3600" not in out["md"]  # the podcast has no URL


@pytest.mark.parametrize("which", EDITIONS)
def test_cybernetica_shape(which):
    edition = EDITIONS[which]("cybernetica")
    md = _render(edition)["md"]
    lines = [ln for ln in md.splitlines() if ln]
    assert lines[0].startswith("# ") and edition.title in lines[0]
    epigraph = next(ln for ln in lines if ln.startswith("> « "))
    assert edition.epigraph.text in epigraph and edition.epigraph.speaker in epigraph
    assert f"**{edition.announcement}**" in md
    assert md.index(edition.intro.split(".")[0]) < md.index(edition.announcement) < md.index("## ")
    headings = [ln[3:] for ln in lines if ln.startswith("## ")]
    assert headings[: len(edition.sections)] == [s.title for s in edition.sections]
    assert "\n- " in md  # bullets
    closing = md.index("On en reparle bientôt.")
    assert md.index(edition.closing) < closing < md.index("À bientôt sur La Lettre Test.")


@pytest.mark.parametrize("which", EDITIONS)
def test_cafetech_shape(which):
    edition = EDITIONS[which]("cafetech")
    md = _render(edition)["md"]
    assert md.index("Bonjour à tous,") < md.index(edition.intro)
    assert f"## {edition.sections[0].title}" in md  # the main analysis
    for other in edition.sections[1:]:
        assert f"### {other.title}" in md  # shorter items
    assert ("## Les autres sujets" in md) == (len(edition.sections) > 1)
    assert "partagez-la" in md
    assert "Cybernetica" not in md and "CaféTech" not in md


@pytest.mark.parametrize("style", STYLES)
def test_name_author_and_sign_off_come_from_config(style):
    settings = replace(NEWSLETTER, name="Le Fil Numérique", author="Alex Martin", sign_off="Amitiés,")
    out = _render(one_episode(style), settings)
    for fmt in ("md", "txt", "html"):
        assert "Le Fil Numérique" in out[fmt] and "Alex Martin" in out[fmt] and "Amitiés," in out[fmt]
        assert "La Lettre Test" not in out[fmt]
        assert not re.search(r"(?i)bientôt sur (cybernetica|caf[ée]tech)", out[fmt])


@pytest.mark.parametrize("style", STYLES)
def test_extractive_label_in_every_format_only_when_extractive(style):
    labelled = _render(three_episodes(style, extractive=True))
    plain = _render(three_episodes(style, extractive=False))
    for fmt in ("md", "html", "txt"):
        assert EXTRACTIVE_LABEL in " ".join(labelled[fmt].split())
        assert EXTRACTIVE_LABEL not in plain[fmt]
    # Near the top, where a reviewer cannot miss it.
    assert labelled["md"].index(EXTRACTIVE_LABEL) < labelled["md"].index("## ")


def test_config_source_url_links_timestamps_of_sources_without_one():
    settings = replace(NEWSLETTER, source_url="https://podcast.exemple.fr/ecouter")
    md = _render(three_episodes("cybernetica"), settings)["md"]
    assert "[1:00:00](https://podcast.exemple.fr/ecouter#t=3600)" in md
    assert "[1:02:05](https://podcast.exemple.fr/ecouter#t=3725)" in md
    # A source's own URL wins over the config one.
    assert "(https://radio.exemple.fr/ondes-numeriques/2026-03-02#t=612)" in md


def test_unverified_quote_is_never_published():
    edition = one_episode("cybernetica")
    fake = replace(Q_ENERGY, text="Une phrase que personne n'a dite.", verified=False)
    edition = replace(edition, sections=(replace(edition.sections[0], quotes=(fake,)),), epigraph=fake)
    out = _render(edition)
    for fmt in ("md", "html", "txt"):
        assert "personne n'a dite" not in out[fmt]


@pytest.mark.parametrize("style", STYLES)
def test_plain_text_wrapped_at_72_columns(style):
    long_summary = " ".join(["Une phrase assez longue pour dépasser la largeur d'une ligne."] * 6)
    edition = three_episodes(style)
    edition = replace(
        edition, sections=(replace(edition.sections[0], summary=long_summary), *edition.sections[1:])
    )
    txt = _render(edition)["txt"]
    too_long = [ln for ln in txt.splitlines() if len(ln) > 72 and len(ln.split()) > 1]
    assert too_long == []
    assert "Une phrase assez longue" in txt
    # Wrapped list items continue under their text, not under the bullet.
    lines = txt.splitlines()
    item = next(i for i, ln in enumerate(lines) if ln.startswith("- Ondes Numériques, 2 mars 2026"))
    assert lines[item + 1].startswith("  ") and lines[item + 1].strip()


@pytest.mark.parametrize("style", STYLES)
def test_html_is_email_safe(style):
    html = _render(three_episodes(style))["html"]
    parsed = _parse(html)
    tags = {t for t, _ in parsed.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "form", "svg"}
    assert not any(a.get("src") for _, a in parsed.tags)
    metas = [a for t, a in parsed.tags if t == "meta"]
    assert {"name": "color-scheme", "content": "light dark"} in metas
    assert html.lower().index('<meta charset="utf-8">') < 100
    # CSS is inlined; only the dark-mode / narrow-screen media queries remain in <style>.
    assert len(parsed.styles) == 1 and "prefers-color-scheme: dark" in parsed.styles[0]
    styled = [a for t, a in parsed.tags if t in ("p", "h2", "blockquote", "a") and "style" in a]
    assert len(styled) > 10
    assert "max-width: 640px" in html
    assert "url(" not in html and "@import" not in html


def test_unknown_style_and_missing_templates_are_clear_errors(tmp_path):
    with pytest.raises(RenderError, match="style inconnu"):
        _render(replace(one_episode(), style="inconnu"))
    with pytest.raises(RenderError, match="missing"):
        rendering.render(one_episode(), provenance(), NEWSLETTER, tmp_path)


# ------------------------------------------------------------------------------------------ goldens


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("which", EDITIONS)
@pytest.mark.parametrize("fmt", ("md", "html", "txt"))
def test_goldens(style, which, fmt, update_goldens):
    edition = EDITIONS[which](style)
    out = _render(edition)[fmt]
    golden = GOLDENS / f"{style}-{which}.{fmt}"
    if update_goldens or not golden.exists():
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(out, encoding="utf-8")
        if not update_goldens:
            pytest.fail(f"golden {golden.name} was missing and has been written; check it and rerun")
    assert out == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs; pytest --update-goldens if intended"
    )


# -------------------------------------------------------------------------------------------- XSS

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[clic](javascript:alert(1))",
    "[clic](<javascript:alert(1)>)",
    '<a href="javascript:alert(1)">lien</a>',
    "<javascript:alert(1)>",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "![pixel](https://traqueur.exemple/p.png)",
    "<https://traqueur.exemple/>",
    '"><svg onload=alert(1)>',
    "<style>body{display:none}</style>",
    '<iframe src="https://traqueur.exemple"></iframe>',
    "# Titre injecté\n\n<div onclick=alert(1)>x</div>",
    "*gras* _souligné_ `code` [ref]: javascript:alert(1)",
    "[ref][1]\n\n[1]: javascript:alert(1)",
    'https://ok.exemple/"onmouseover="alert(1)',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#106;avascript:alert(1)",
    "<!-- --><script>alert(1)</script><!-- -->",
    "Texte \x1b[31mrouge\x1b[0m et \u202edroite-à-gauche\x00",
]

TEMPLATE_TAGS = {"html", "head", "meta", "title", "style", "body", "div", "table", "tbody", "tr", "td"}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_every_text_field_never_reach_the_html(style, payload):
    edition = with_text(three_episodes(style), payload)
    out = _render(edition)
    html = out["html"]
    parsed = _parse(html)
    assert {t for t, _ in parsed.tags} <= TEMPLATE_TAGS | rendering.ALLOWED_TAGS
    assert len(parsed.styles) == 1
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs
        if "href" in attrs:
            assert re.match(r"^https?://[a-z0-9.-]+(/|$|#|\?)", attrs["href"] or ""), attrs["href"]
            assert "traqueur" not in attrs["href"] and '"' not in attrs["href"]
    lowered = html.lower()
    for needle in ("<script", "javascript:alert", "onerror=", "onload=", "<iframe", "<img", "<svg"):
        if needle.startswith("<"):
            assert needle not in lowered
        else:
            assert not re.search(rf"<[^>]*{re.escape(needle)}", lowered), needle
    # Markdown: no live link or raw HTML from the payload either.
    assert not re.search(r"(?<!\\)\]\(\s*<?javascript", out["md"], re.I)
    assert "<script" not in out["md"].lower()
    # Plain text and Markdown carry no terminal escapes or bidi overrides.
    for fmt in ("md", "txt", "html"):
        assert not re.search(
            r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", out[fmt].replace("\n", "")
        )


def test_payload_text_is_shown_not_executed():
    edition = with_text(one_episode("cybernetica"), "<b>gras</b> & [x](javascript:y)")
    out = _render(edition)
    assert "&lt;b&gt;gras&lt;/b&gt;" in out["html"]
    assert "[x](javascript:y)" in out["txt"]
    assert "<b>" not in out["html"].replace("<body", "")


def test_sanitiser_alone_strips_raw_html_and_script_links():
    """Second line of defence: even unescaped Markdown cannot smuggle HTML, handlers or script links."""
    html = rendering.markdown_to_safe_html(
        "<script>alert(1)</script>\n\n[a](javascript:alert(1)) <img src=x onerror=alert(1)>"
        ' <a href="https://ok.exemple/" onclick="x">ok</a>\n\n<style>p{}</style><iframe src="https://x.exemple"></iframe>'
    )
    lowered = html.lower()
    for needle in ("<script", "javascript:", "<img", "onerror", "onclick", "<style", "<iframe"):
        assert needle not in lowered
    assert '<a href="https://ok.exemple/" rel="noopener noreferrer">ok</a>' in html
