"""A real browser: headless system Chromium driven by Playwright opens drafts and the review app.

Playwright for Python drives the Debian `chromium` through `executable_path`; no browser is ever
downloaded (`playwright install` is never run). Skips cleanly when either is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from render_fixtures import NEWSLETTER, provenance, three_episodes, with_text
from review_fixtures import TEMPLATES, write_review_draft

from generator.edition import outbox, preview, rendering, review

pytestmark = [pytest.mark.slow, pytest.mark.browser]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    "--hide-scrollbars",
]
WIDTHS = (375, 1024)
# Page measures: horizontal overflow, the widest element, scripts, and the newsletter card when there is one.
MEASURE = """() => {
  const card = document.querySelector('.card');
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    widest: Math.max(0, ...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right)),
    card: card ? getComputedStyle(card).backgroundColor : null,
    cardWidth: card ? card.getBoundingClientRect().width : null,
    scripts: document.scripts.length,
    h2: document.querySelectorAll('h2').length,
  };
}"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("chromium is not installed (Debian package `chromium`)")
    with sync_api.sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        except sync_api.Error as exc:
            pytest.skip(f"chromium did not start under Playwright: {str(exc)[:200]}")
        yield chromium
        chromium.close()


class Tab:
    """A page at a given width, with every console error, uncaught exception and failed request kept."""

    def __init__(self, browser, width: int, *, dark: bool = False) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": 900},
            device_scale_factor=1,
            is_mobile=width < 600,
            color_scheme="dark" if dark else "light",
            locale="fr-FR",  # Accept-Language: the review pages follow it (headless Chromium says en-US)
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.errors: list[str] = []
        self.page.on(
            "console", lambda m: self.errors.append(m.text) if m.type in ("error", "assert") else None
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))

    def open(self, url: str) -> dict:
        self.page.goto(url, wait_until="load")
        return self.page.evaluate(MEASURE)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tabs(browser):
    opened: list[Tab] = []

    def new(width: int = 1024, **kw) -> Tab:
        opened.append(Tab(browser, width, **kw))
        return opened[-1]

    yield new
    for tab in opened:
        tab.close()


def _serve(server) -> None:
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()


# ------------------------------------------------------------------------------ the newsletter HTML


@pytest.fixture
def served_draft(tmp_path):
    """Drafts (one per style, one stuffed with hostile text) served by the preview server."""
    servers: list = []

    def serve(style: str, hostile: bool = False) -> str:
        edition = three_episodes(style)
        if hostile:
            edition = with_text(
                edition, '<img src=x onerror="alert(1)"> [x](javascript:alert(1)) ' + "é" * 120
            )
        rendered = rendering.render(edition, provenance(), NEWSLETTER, TEMPLATES)
        draft = outbox.write_draft(tmp_path / "outbox", edition, provenance(), rendered)
        server = preview.preview_server(draft.file("html"))
        _serve(server)
        servers.append(server)
        return preview.server_url(server)

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def _screenshot(tab: Tab, path: Path, width: int) -> bytes:
    png = tab.page.screenshot(path=str(path), full_page=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == width
    return png


@pytest.mark.parametrize("style", ["cybernetica", "cafetech"])
def test_draft_fits_narrow_and_wide_screens_without_console_errors(tabs, served_draft, style, tmp_path):
    url = served_draft(style)
    for width in WIDTHS:
        tab = tabs(width)
        page = tab.open(url)
        assert page["scrollWidth"] <= page["innerWidth"] == width, page
        assert page["widest"] <= width + 0.5, page
        assert page["scripts"] == 0 and page["h2"] >= 3
        assert page["cardWidth"] <= 640 + 0.5
        assert tab.errors == []
        _screenshot(tab, tmp_path / f"{style}-{width}.png", width)


def test_dark_mode_and_hostile_text(tabs, served_draft, tmp_path):
    url = served_draft("cybernetica", hostile=True)
    light_tab = tabs(375)
    light = light_tab.open(url)
    assert light_tab.errors == []  # no blocked image, no script, no CSP violation
    assert light["scrollWidth"] <= light["innerWidth"] and light["scripts"] == 0
    dark_tab = tabs(375, dark=True)
    dark = dark_tab.open(url)
    assert dark_tab.errors == []
    assert light["card"] == "rgb(255, 255, 255)" and dark["card"] == "rgb(30, 30, 30)"
    _screenshot(dark_tab, tmp_path / "cybernetica-375-dark.png", 375)


# ---------------------------------------------------------------------------------- the review app


@pytest.fixture
def app(tmp_path):
    """The review app over an outbox holding the invented show's draft and a three-show draft."""
    box = tmp_path / "outbox"
    draft = write_review_draft(box)
    edition = three_episodes("cafetech")
    other = outbox.write_draft(
        box, edition, provenance(), rendering.render(edition, provenance(), NEWSLETTER, TEMPLATES)
    )
    server = review.review_server(box, newsletter=NEWSLETTER, templates_dir=TEMPLATES)
    _serve(server)
    yield {"url": preview.server_url(server), "draft": draft, "other": other, "outbox": box}
    server.shutdown()
    server.server_close()


def _status(app, draft) -> dict:
    return json.loads((app["outbox"] / draft.id / "draft.json").read_text(encoding="utf-8"))


def test_review_list_open_a_draft_see_quotes_in_context_and_approve(tabs, app):
    tab = tabs(1024)
    page = tab.page
    tab.open(app["url"])
    assert page.locator(".draft-card").count() == 2
    card = page.locator(f"#brouillon-{app['draft'].id}")
    assert "2 phrases retirées" in card.inner_text() and "à relire" in card.inner_text()
    card.get_by_role("link", name="Réparer plutôt que jeter").click()
    page.wait_for_url(f"**/drafts/{app['draft'].id}")

    quotes = page.locator("article.quote")
    assert quotes.count() == 3
    for i in range(3):
        before = quotes.nth(i).locator("li.before")
        assert before.count() >= 1 and before.first.locator(".ts").inner_text().count(":") == 1
        assert quotes.nth(i).locator("li.said-quote").is_visible()
    first = quotes.first
    assert "Dans mon atelier" in first.locator("li.before").last.inner_text()
    assert first.locator("li.before .ts a").last.get_attribute("href").endswith("#t=312")
    assert page.get_by_text("date absente de la transcription").is_visible()
    # The newsletter is in the page and grows with its content: no frame, nothing scrolls inside it.
    preview = page.locator("#apercu")
    assert "Réparer plutôt que jeter" in preview.locator("h1").inner_text()
    assert page.locator("iframe").count() == 0
    assert page.evaluate(
        "(() => { const e = document.querySelector('#apercu'); return e.scrollHeight <= e.clientHeight + 1; })()"
    )

    with page.context.expect_page() as email:  # the email as it will be sent, in its own tab
        page.get_by_role("link", name="Ouvrir le courriel tel qu'il sera envoyé").click()
    assert "Réparer plutôt que jeter" in email.value.title()
    email.value.close()

    page.get_by_role("button", name="Approuver").click()
    page.wait_for_url("**?fait=approuve")
    assert page.locator("#etat").inner_text() == "approuvé"
    assert page.get_by_role("button", name="Approuver").count() == 0
    assert _status(app, app["draft"])["status"] == "approved"
    assert tab.errors == []


def test_review_reject_needs_a_reason(tabs, app):
    tab = tabs(375)
    page = tab.page
    tab.open(app["url"] + f"drafts/{app['other'].id}")
    page.get_by_role("button", name="Rejeter").click()  # the browser refuses the empty required field
    assert page.evaluate("document.querySelector('#reason').validity.valueMissing") is True
    assert _status(app, app["other"])["status"] == "draft"
    page.fill("#reason", "Trop d'émissions dans une seule lettre.")
    page.get_by_role("button", name="Rejeter").click()
    page.wait_for_url("**?fait=rejete")
    assert page.locator("#etat").inner_text() == "rejeté"
    assert page.get_by_text("Trop d'émissions dans une seule lettre.").first.is_visible()
    doc = _status(app, app["other"])
    assert (
        doc["status"] == "rejected"
        and doc["history"][-1]["reason"] == "Trop d'émissions dans une seule lettre."
    )
    assert tab.errors == []


def test_review_edit_a_word_and_see_it_in_the_html(tabs, app):
    tab = tabs(1024)
    page = tab.page
    tab.open(app["url"] + f"drafts/{app['draft'].id}")
    page.get_by_text("Modifier le texte (Markdown)").click()
    editor = page.locator("#markdown")
    text = editor.input_value()
    assert "Voici deux idées" in text
    editor.fill(text.replace("Voici deux idées", "Voici deux belles idées"))
    page.get_by_role("button", name="Enregistrer la révision").click()
    page.wait_for_url("**?fait=enregistre")
    assert "révision 2" in page.locator(".meta").inner_text()
    assert "Voici deux belles idées" in page.locator("#apercu").inner_text()
    assert "Voici deux belles idées" in (app["draft"].path / "newsletter.html").read_text(encoding="utf-8")
    assert tab.errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_review_pages_fit_without_overflow_or_console_errors(tabs, app, width, tmp_path):
    tab = tabs(width)
    for path in ("", f"drafts/{app['draft'].id}"):
        measures = tab.open(app["url"] + path)
        if path:
            tab.page.get_by_text("Modifier le texte (Markdown)").click()  # the open editor must fit too
            measures = tab.page.evaluate(MEASURE)
        assert measures["scrollWidth"] <= measures["innerWidth"] == width, (path, measures)
        assert measures["widest"] <= width + 0.5, (path, measures)
        assert measures["scripts"] == 0
        _screenshot(tab, tmp_path / f"review-{width}-{'draft' if path else 'list'}.png", width)
    assert tab.errors == []


class _Week:
    """The weekly collaborator the CLI hands in (weekly.ReviewWeek), reduced to two stories in memory."""

    def __init__(self) -> None:
        self.state: dict[str, str | None] = {"nuit:0": None, "nuit:1": None}

    def stories(self) -> dict:
        titles = {"nuit:0": "Les caissons et l'eau " + "é" * 60, "nuit:1": "La ferme isolée"}
        rows = [
            {
                "key": key,
                "show": "Octets du Matin",
                "date": "2026-11-23",
                "title": titles[key],
                "start": "00:22",
                "state": state,
                "pinned_by": [titles[key]] if state == "pin" else [],
                "dropped_by": [titles[key]] if state == "drop" else [],
            }
            for key, state in self.state.items()
        ]
        return {
            "week": "2026-W48",
            "since": "2026-11-22",
            "until": "2026-11-28",
            "stories": rows,
            "unmatched": [],
        }

    def pick(self, key: str, kind: str) -> bool:
        self.state[key] = kind
        return True

    def unpick(self, key: str = "", words: str = "") -> bool:
        self.state[key] = None
        return True


@pytest.mark.parametrize("width", WIDTHS)
def test_week_page_pin_drop_and_undo_in_a_browser(tabs, tmp_path, width):
    week = _Week()
    server = review.review_server(tmp_path, newsletter=NEWSLETTER, templates_dir=TEMPLATES, week=week)
    _serve(server)
    try:
        tab = tabs(width)
        page = tab.page
        tab.open(preview.server_url(server))
        page.get_by_role("link", name="Édition de la semaine : épingler ou écarter des histoires").click()
        page.wait_for_url("**/semaine")
        page.locator("#histoire-2").get_by_role("button", name="Épingler").click()
        page.wait_for_url("**/semaine?fait=epingle")
        page.locator("#histoire-1").get_by_role("button", name="Écarter").click()
        page.wait_for_url("**/semaine?fait=ecarte")
        assert week.state == {"nuit:0": "drop", "nuit:1": "pin"}
        assert page.locator("#histoire-2 .state").inner_text() == "épinglée"
        measures = page.evaluate(MEASURE)
        assert measures["scrollWidth"] <= measures["innerWidth"] == width, measures
        assert measures["scripts"] == 0
        page.locator("#histoire-1").get_by_role("button", name="Annuler").click()
        page.wait_for_url("**/semaine?fait=annule")
        assert week.state["nuit:0"] is None and page.get_by_text("Choix annulé.").is_visible()
        _screenshot(tab, tmp_path / f"review-{width}-week.png", width)
        assert tab.errors == []
    finally:
        server.shutdown()
        server.server_close()
