"""A draft generated from a file with warnings reads in French on the review page, and in English on request."""

from __future__ import annotations

import html
import re
import threading
import urllib.request

import pytest
from render_fixtures import NEWSLETTER
from review_fixtures import TEMPLATES
from shared_embedder import shared_embedder  # noqa: F401 - fixture

from generator.cli import main
from generator.edition import outbox, review
from generator.i18n import update

# Mojibake (UTF-8 read as cp1252), no timestamps, no description: three warnings from three stages.
TRANSCRIPT = (
    (
        "Bonjour à tous, ce soir on parle de vélos électriques et de batteries réparées.\n"
        "Les batteries durent plus longtemps quand on les charge à moitié, explique l'invitée.\n"
        "Elle répare des vélos depuis dix ans dans un atelier associatif à Grenoble.\n"
        "Le prix d'une batterie neuve dépasse souvent cinq cents euros, ce qui freine les gens.\n"
        "On peut remplacer les cellules une par une, c'est moins cher et ça évite un déchet.\n"
        "Merci beaucoup, et à la semaine prochaine pour un nouvel épisode.\n"
    )
    .encode()
    .decode("cp1252", errors="replace")
)
ENGLISH_WORDS = re.compile(
    r"\b(the|and|with|without|found|is|are|not|no|was|will|from|this)\b", re.IGNORECASE
)


def _english_fragments() -> list[str]:
    """The fixed words of every English message of the catalogue (placeholders cut out)."""
    catalog = update.load(update.po_path("en", "newsletter"), "en")
    fragments = []
    for message in catalog:
        strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
        for text in strings:
            fragments += [f.strip() for f in re.split(r"\{[a-z_]+\}", text or "") if len(f.strip()) >= 12]
    return fragments


def _visible(page: str) -> str:
    body = page[page.index("<main>") :]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def generated(tmp_path, monkeypatch, shared_embedder):  # noqa: F811
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NEWSLETTER_BACKEND", "NEWSLETTER_STYLE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "velos.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    assert main(["generate", str(source), "-q"]) == 0
    (draft,) = outbox.list_drafts(tmp_path / "outbox")
    server = review.review_server(tmp_path / "outbox", newsletter=NEWSLETTER, templates_dir=TEMPLATES)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield server, draft
    server.shutdown()
    server.server_close()


def _get(server, path: str, language: str | None = None) -> str:
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    request = urllib.request.Request(url, headers={"Accept-Language": language} if language else {})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.read().decode("utf-8")


def test_the_review_page_of_a_draft_with_warnings_has_no_english_sentence(generated):
    server, draft = generated
    assert len(draft.warnings) >= 3, draft.warnings
    for path in ("/", f"/drafts/{draft.id}"):
        text = _visible(_get(server, path))
        assert "aucun horodatage" in text or path == "/"
        leaked = [f for f in _english_fragments() if f in text]
        assert not leaked, (path, leaked)
        assert not ENGLISH_WORDS.findall(text), (path, ENGLISH_WORDS.findall(text))
    page = _visible(_get(server, f"/drafts/{draft.id}"))
    assert "texte mal décodé en amont (mojibake) : réparé" in page
    assert "aucune description de l'épisode" in page
    assert "Moteur extractif, sans modèle de langage" in " ".join(page.split())
    assert re.search(r"le \d{1,2} \w+ 20\d\d à \d{1,2} h \d\d par", page)  # a date in words, not ISO


def test_an_english_browser_gets_the_page_in_english(generated):
    server, draft = generated
    page = _visible(_get(server, f"/drafts/{draft.id}", "en-US,en;q=0.9"))
    assert "Warnings" in page and "Approve" in page and "Alertes" not in page
    assert re.search(r"on \w+ \d{1,2}, 20\d\d at \d{1,2}:\d\d", page)
