"""The review app through a real socket on 127.0.0.1: pages, actions, and every refusal."""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from render_fixtures import NEWSLETTER, provenance
from review_fixtures import SOURCE, TEMPLATES, TRANSCRIPT, ReviewClient, edition, write_review_draft

from generator.cli import main
from generator.edition import outbox, rendering, review
from generator.model import Utterance


def _start(outbox_dir: Path, **kw):
    server = review.review_server(outbox_dir, newsletter=NEWSLETTER, templates_dir=TEMPLATES, **kw)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server


@pytest.fixture
def app(tmp_path):
    draft = write_review_draft(tmp_path / "outbox")
    server = _start(tmp_path / "outbox")
    yield ReviewClient(server), draft
    server.shutdown()
    server.server_close()


def _doc(draft) -> dict:
    return json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))


def test_index_lists_the_draft_with_its_counts(app):
    client, draft = app
    status, headers, page = client.get("/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    card = page[page.index(f'id="brouillon-{draft.id}"') :]
    assert "Réparer plutôt que jeter" in card and f'href="/drafts/{draft.id}"' in card
    assert "2026-05-08" in card and "style cybernetica" in card and "à relire" in card
    assert "Les Circuits du jeudi (2026-05-07)" in card
    assert "2 alertes" in card and "2 phrases retirées" in card and "modele-test" in card


def test_draft_page_shows_each_quote_beside_its_transcript(app):
    client, draft = app
    status, _, page = client.get(f"/drafts/{draft.id}")
    assert status == 200
    quotes = page.split('<article class="quote">')[1:]
    assert len(quotes) == 3
    for quote in quotes:
        before = re.findall(r'<li class="before"><span class="ts">(.*?)</span>', quote)
        assert before and all(re.search(r"\d\d:\d\d", ts) for ts in before)
        assert '<li class="said-quote">' in quote
    glue = quotes[0]
    assert "Dans mon atelier, on voit arriver des téléphones" in glue  # the sentence just before
    assert "Collée, vraiment, avec de la colle ?" in glue  # and just after
    assert 'href="https://audio.exemple.fr/circuits/2026-05-07#t=312"' in glue  # the source at that time
    assert "05:12" in glue and "Bastien Roux" in glue
    # Removed sentences with their reasons, grounding warnings, model and prompts.
    assert "La loi entre en vigueur en mars." in page and "date absente de la transcription" in page
    assert "Léa Marchetti a fondé un atelier." in page and "relation non étayée" in page
    assert "la loi entre en vigueur en mars" in page  # the grounding warning
    assert "segment 4 : résumé impossible" in page
    assert "modele-test" in page and "<code>summarise_segment</code> v1" in page
    # The newsletter grows with its content in the page (no frame, no inner scroll); the email is one link away.
    assert "<iframe" not in page and '<article class="preview" id="apercu">' in page
    assert f'href="/drafts/{draft.id}/newsletter.html"' in page


def test_csp_is_present_without_wildcard_on_every_answer(app):
    client, draft = app
    for path in (
        "/",
        f"/drafts/{draft.id}",
        "/static/review.css",
        "/nulle-part",
        f"/drafts/{draft.id}/newsletter.html",
    ):
        status, headers, _ = client.get(path)
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "*" not in csp, (path, csp)
        assert "http:" not in csp and "https:" not in csp
    _, headers, _ = client.get(f"/drafts/{draft.id}")
    assert "script-src" not in headers["content-security-policy"]  # no script at all: default-src 'none'
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    status, headers, body = client.get("/static/review.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and "@import" not in body
    assert "url(" not in body  # no external font or image from the stylesheet either


def test_foreign_host_is_refused_localhost_accepted(app):
    client, draft = app
    for host in ("evil.example", f"evil.example:{client.port}", "127.0.0.1", f"127.0.0.1:{client.port + 1}"):
        status, _, page = client.get("/", headers={"Host": host})
        assert status == 403 and "Hôte refusé" in page
    status, _, _ = client.post(
        f"/drafts/{draft.id}/approve", {"csrf_token": client.token}, headers={"Host": "evil.example"}
    )
    assert status == 403 and outbox.load_draft(draft.path.parent, draft.id).status == "draft"
    assert client.get("/", headers={"Host": f"localhost:{client.port}"})[0] == 200


def test_post_without_token_or_with_a_wrong_one_is_refused(app):
    client, draft = app
    # A wrong token differs from the real one in its first character (never by chance equal to it).
    wrong = ("y" if client.token.startswith("x") else "x") + client.token[1:]
    for form in ({}, {"csrf_token": ""}, {"csrf_token": wrong}):
        status, _, page = client.post(f"/drafts/{draft.id}/approve", form)
        assert status == 403 and "Jeton" in page
    status, _, _ = client.post(f"/drafts/{draft.id}/reject", {"reason": "trop long"})
    assert status == 403
    assert _doc(draft)["status"] == "draft" and len(_doc(draft)["history"]) == 1


def test_post_from_a_foreign_origin_is_refused(app):
    client, draft = app
    form = {"csrf_token": client.token}
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": f"http://localhost:{client.port}"},  # another origin than the Host it was sent to
        {"Sec-Fetch-Site": "cross-site"},
    ):
        status, _, page = client.post(f"/drafts/{draft.id}/approve", form, headers=headers)
        assert status == 403 and "autre site" in page, headers
    assert _doc(draft)["status"] == "draft"


def test_approve_moves_the_draft_and_drafts_json_shows_it(app, tmp_path, capsys):
    client, draft = app
    status, headers, _ = client.post(
        f"/drafts/{draft.id}/approve", {"csrf_token": client.token, "revision": "1"}
    )
    assert status == 303 and headers["location"] == f"/drafts/{draft.id}?fait=approuve"
    _, _, page = client.get(headers["location"])
    assert "Brouillon approuvé." in page and "approuvé" in page and 'action="/drafts' not in page

    config = tmp_path / "newsletter.toml"
    config.write_text(f'[paths]\noutbox = "{tmp_path / "outbox"}"\n', encoding="utf-8")
    assert main(["drafts", "--json", "--config", str(config)]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [(d["id"], d["status"]) for d in listing] == [(draft.id, "approved")]

    # Final: neither approved again, rejected nor edited.
    form = {"csrf_token": client.token, "revision": "1", "reason": "non", "markdown": "# autre"}
    for action in ("approve", "reject", "edit"):
        status, _, page = client.post(f"/drafts/{draft.id}/{action}", form)
        assert status == 409 and "définitif" in page
    assert _doc(draft)["status"] == "approved" and len(_doc(draft)["history"]) == 2


def test_reject_needs_a_reason(app):
    client, draft = app
    status, _, page = client.post(f"/drafts/{draft.id}/reject", {"csrf_token": client.token, "reason": "non"})
    assert status == 400 and "révision manquant" in page  # every decision names the revision it read
    form = {"csrf_token": client.token, "revision": "1", "reason": "  "}
    status, _, page = client.post(f"/drafts/{draft.id}/reject", form)
    assert status == 400 and "raison" in page and _doc(draft)["status"] == "draft"
    status, headers, _ = client.post(
        f"/drafts/{draft.id}/reject",
        {"csrf_token": client.token, "revision": "1", "reason": "La citation de 05:42 est coupée."},
    )
    assert status == 303 and headers["location"].endswith("?fait=rejete")
    doc = _doc(draft)
    assert doc["status"] == "rejected" and doc["history"][-1]["reason"] == "La citation de 05:42 est coupée."
    _, _, page = client.get(f"/drafts/{draft.id}")
    assert f'action="/drafts/{draft.id}/reject"' not in page and "La citation de 05:42 est coupée." in page
    assert (
        client.post(
            f"/drafts/{draft.id}/reject", {"csrf_token": client.token, "revision": "1", "reason": "encore"}
        )[0]
        == 409
    )


def test_edit_saves_a_new_revision_rendered_in_html_and_text(app):
    client, draft = app
    md = draft.file("md").read_text(encoding="utf-8")
    old_html = draft.file("html").read_text(encoding="utf-8")
    edited = md.replace("deux idées", "deux bonnes idées")
    status, headers, _ = client.post(
        f"/drafts/{draft.id}/edit", {"csrf_token": client.token, "revision": "1", "markdown": edited}
    )
    assert status == 303 and headers["location"].endswith("?fait=enregistre")
    assert "deux bonnes idées" in draft.file("md").read_text(encoding="utf-8")
    assert "deux bonnes idées" in draft.file("html").read_text(encoding="utf-8")
    assert "deux bonnes idées" in draft.file("txt").read_text(encoding="utf-8")
    assert (draft.path / "revisions" / "1" / "newsletter.html").read_text(encoding="utf-8") == old_html
    doc = _doc(draft)
    assert doc["revision"] == 2 and doc["status"] == "draft"
    entry = doc["history"][-1]
    assert entry["action"] == "edit" and entry["revision"] == 2 and entry["user"] and entry["at"]
    assert "+**Voici deux bonnes idées pour cette semaine.**" in entry["diff"]
    assert doc["files"]["newsletter.md"] == hashlib.sha256(draft.file("md").read_bytes()).hexdigest()
    _, _, page = client.get(f"/drafts/{draft.id}?fait=enregistre")
    assert "Révision enregistrée." in page and "révision 2" in page and "modifié" in page
    _, _, frame = client.get(f"/drafts/{draft.id}/newsletter.html")
    assert "deux bonnes idées" in frame


def test_two_tabs_cannot_overwrite_each_other(app):
    client, draft = app
    md = draft.file("md").read_text(encoding="utf-8")
    first = {"csrf_token": client.token, "revision": "1", "markdown": md.replace("jeter", "JETER")}
    second = {"csrf_token": client.token, "revision": "1", "markdown": md.replace("téléphone", "TÉLÉPHONE")}
    assert client.post(f"/drafts/{draft.id}/edit", first)[0] == 303
    status, _, page = client.post(f"/drafts/{draft.id}/edit", second)
    assert status == 409 and "modifié entre-temps" in page
    assert "TÉLÉPHONE" in page and 'id="unsaved"' in page  # the losing tab's text is shown back, not lost
    saved = draft.file("md").read_text(encoding="utf-8")
    assert "JETER" in saved and "TÉLÉPHONE" not in saved and _doc(draft)["revision"] == 2
    # Approving what an old tab showed is refused too: the editor approves what they read.
    status, _, _ = client.post(f"/drafts/{draft.id}/approve", {"csrf_token": client.token, "revision": "1"})
    assert status == 409 and _doc(draft)["status"] == "draft"


def test_transcript_and_model_text_is_escaped(tmp_path):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    transcript = tuple(replace(u, text=f"{u.text} {hostile}", speaker=hostile) for u in TRANSCRIPT)
    ed = edition()
    prov = replace(provenance(), model=hostile, warnings=(hostile,))
    rendered = rendering.render(ed, prov, NEWSLETTER, TEMPLATES)
    draft = outbox.write_draft(
        tmp_path / "outbox", ed, prov, rendered, transcripts={SOURCE.sha256: transcript}
    )
    server = _start(tmp_path / "outbox")
    try:
        client = ReviewClient(server)
        for path in ("/", f"/drafts/{draft.id}"):
            _, _, page = client.get(path)
            assert (
                "<script" not in page
                and "<img" not in page
                and "onerror=" not in page.replace("onerror=&#34;", "")
            )
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    finally:
        server.shutdown()
        server.server_close()


def test_unknown_pages_and_drafts_are_404(app):
    client, draft = app
    for path in (
        "/drafts/2026-01-01-absent",
        "/drafts/../draft.json",
        "/static/../draft.html.j2",
        "/static/",
        "/x",
    ):
        assert client.get(path)[0] == 404, path
    assert client.post("/drafts/2026-01-01-absent/approve", {"csrf_token": client.token})[0] == 404
    assert client.post(f"/drafts/{draft.id}/delete", {"csrf_token": client.token})[0] == 404
    status, _, _ = client.request(
        "POST",
        f"/drafts/{draft.id}/approve",
        headers={"Content-Type": "application/json", "Origin": f"http://{client.host}"},
    )
    assert status == 415


def _legacy_draft(tmp_path: Path) -> tuple[outbox.DraftInfo, Path]:
    """A draft written before quotes kept their context, whose source file is on disk."""
    source = tmp_path / "inbox" / "circuits.txt"
    source.parent.mkdir(parents=True)
    source.write_text("Bonsoir, transcription des Circuits du jeudi.\n", encoding="utf-8")
    src = replace(SOURCE, path=str(source), sha256=hashlib.sha256(source.read_bytes()).hexdigest())
    ed = edition()
    ed = replace(ed, sources=(src,), sections=tuple(replace(s, source=src) for s in ed.sections))
    rendered = rendering.render(ed, provenance(), NEWSLETTER, TEMPLATES)
    return outbox.write_draft(tmp_path / "outbox", ed, provenance(), rendered), source


def test_without_recorded_context_the_source_is_read_again_if_unchanged(tmp_path):
    draft, source = _legacy_draft(tmp_path)
    assert all(q["context"] is None for q in draft.doc["quotes"])
    loads: list[Path] = []

    def load(path: Path) -> tuple[Utterance, ...]:
        loads.append(path)
        return TRANSCRIPT

    server = _start(tmp_path / "outbox", inbox_dir=tmp_path / "inbox", load_transcript=load)
    try:
        client = ReviewClient(server)
        page = client.get(f"/drafts/{draft.id}")[2]
        assert page.count('<li class="said-quote">') == 3 and "Collée, vraiment" in page
        client.get(f"/drafts/{draft.id}")
        assert loads == [source]  # read once, then remembered
        # The nightly run moved it to inbox/processed/<date>/: still found there.
        moved = tmp_path / "inbox" / "processed" / "2026-05-08" / source.name
        moved.parent.mkdir(parents=True)
        source.rename(moved)
        server.app.context_cache.clear()
        assert client.get(f"/drafts/{draft.id}")[2].count('<li class="said-quote">') == 3
        assert loads[-1] == moved
        # Changed since: its sentences would not match the quotes' indexes, so nothing is shown.
        moved.write_text("Un autre texte.\n", encoding="utf-8")
        server.app.context_cache.clear()
        page = client.get(f"/drafts/{draft.id}")[2]
        assert page.count("Contexte indisponible") == 3 and loads[-1] == moved
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def config(tmp_path, monkeypatch):
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NEWSLETTER_BACKEND", "NEWSLETTER_STYLE"):
        monkeypatch.delenv(var, raising=False)
    draft = write_review_draft(tmp_path / "outbox")
    path = tmp_path / "newsletter.toml"
    path.write_text(
        f'[paths]\noutbox = "{tmp_path / "outbox"}"\ninbox = "{tmp_path / "inbox"}"\n', encoding="utf-8"
    )
    return path, draft


@pytest.mark.parametrize(("no_open", "display"), [(True, ":0"), (False, ":0"), (False, None)])
def test_cli_prints_the_url_first_then_serves_until_ctrl_c(config, capsys, monkeypatch, no_open, display):
    path, draft = config
    opened: list[str] = []
    asked = threading.Event()
    pages: dict = {}
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if display:
        monkeypatch.setenv("DISPLAY", display)
    else:
        monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or asked.set() or True)

    def serve_forever(self, poll_interval=0.5):
        # The URL is already on stdout when serving starts: a wrapper script can read it and go.
        started = capsys.readouterr()
        pages["url"], pages["err"] = started.out.splitlines()[0], started.err
        client = threading.Thread(target=lambda: pages.update(index=ReviewClient(self).get("/")))
        client.start()
        self.handle_request()
        client.join(10)
        asked.wait(0 if no_open or not display else 5)
        raise KeyboardInterrupt

    monkeypatch.setattr(review.ThreadingHTTPServer, "serve_forever", serve_forever)
    argv = ["review", "--config", str(path)] + (["--no-open"] if no_open else [])
    assert main(argv) == 0
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", pages["url"])
    assert pages["index"][0] == 200 and draft.id in pages["index"][2]
    assert opened == ([pages["url"]] if display and not no_open else [])
    err = pages["err"] + capsys.readouterr().err
    assert "Ctrl-C" in err and "relecture : serveur arrêté" in err
    assert ("pas d'affichage graphique" in err) == (not no_open and not display)


def test_review_command_in_a_real_process_stops_cleanly_on_sigint(config):
    import signal
    import subprocess
    import sys

    path, draft = config
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "review", "--no-open", "--config", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        port = int(url.rsplit(":", 1)[1].strip("/"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"/drafts/{draft.id}")
        resp = conn.getresponse()
        assert resp.status == 200 and "Réparer plutôt que jeter" in resp.read().decode()
        conn.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (
        proc.returncode == 0 and out == "" and "relecture : serveur arrêté" in err and "Traceback" not in err
    )


def test_a_sparse_or_odd_draft_json_still_shows(tmp_path):
    """Old drafts (no revision, no context) and odd values must not break the pages."""
    folder = tmp_path / "outbox" / "2025-01-02-vieux"
    folder.mkdir(parents=True)
    doc = {
        "status": "rejected",
        "history": [{"status": "rejected", "reason": "ancien"}, "n'importe quoi"],
        "quotes": [{"text": "Une citation sans rien.", "section": 7, "utterance": "x"}, 3],
        "sections": "pas une liste",
        "removed": {"pas": "une liste"},
        "prompts": [None],
        "tokens": None,
        "cost_estimate": "gratuit",
        "revision": "deux",
    }
    (folder / "draft.json").write_text(json.dumps(doc), encoding="utf-8")
    server = _start(tmp_path / "outbox")
    try:
        client = ReviewClient(server)
        status, _, page = client.get("/")
        assert status == 200 and "2025-01-02-vieux" in page and "rejeté" in page
        status, _, page = client.get("/drafts/2025-01-02-vieux")
        assert status == 200 and "Une citation sans rien." in page and "Contexte indisponible" in page
        assert "révision 1" in page and "Aucune phrase retirée." in page and "ancien" in page
        assert client.get("/drafts/2025-01-02-vieux/newsletter.html")[0] == 404  # no HTML file: said so
    finally:
        server.shutdown()
        server.server_close()


def test_an_unexpected_failure_is_a_500_page_not_a_dropped_connection(app, monkeypatch):
    client, draft = app

    def broken(*args):
        raise ValueError("draft.json abîmé")

    monkeypatch.setattr(client.server.app, "draft_page", broken)
    status, headers, page = client.get(f"/drafts/{draft.id}")
    assert status == 500 and "Erreur interne" in page and "abîmé" not in page
    assert "default-src 'none'" in headers["content-security-policy"]
    assert client.get("/")[0] == 200  # and the server keeps serving
