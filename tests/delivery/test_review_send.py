"""The review page's "Envoyer" button: after approval only, a confirmation step, the usual form checks."""

# ruff: noqa: F811 - `project` is a pytest fixture imported from delivery_fixtures, then requested by name
from __future__ import annotations

import json
import threading

import pytest
from delivery_fixtures import SMTP_PASSWORD, project, smtp_config  # noqa: F401
from delivery_servers import SmtpServer
from render_fixtures import NEWSLETTER
from review_fixtures import TEMPLATES, ReviewClient, write_review_draft

from generator.config import load_settings
from generator.delivery import ReviewSender
from generator.edition import review

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def site(project):
    """The review app with a sender on a loopback SMTP server; yields (client, smtp, project)."""
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        sender = ReviewSender(load_settings(project.config))
        server = review.review_server(
            project.outbox, newsletter=NEWSLETTER, templates_dir=TEMPLATES, sender=sender
        )
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        yield ReviewClient(server), smtp, project
        server.shutdown()
        server.server_close()


def test_an_approved_draft_offers_envoyer_then_confirms_then_sends_once(site):
    client, smtp, project = site
    draft_url = f"/drafts/{project.draft.id}"
    status, _, page = client.get(draft_url)
    assert status == 200 and "Pas encore envoyé (SMTP)." in page and f'href="{draft_url}/send"' in page
    status, _, page = client.get(f"{draft_url}/send")  # the confirmation step sends nothing
    assert status == 200 and "Confirmer l&#39;envoi" in page and smtp.received == []
    status, headers, _ = client.post(f"{draft_url}/send", {"csrf_token": client.token, "confirm": "oui"})
    assert status == 303 and headers["location"] == f"{draft_url}?fait=envoye"
    assert len(smtp.received) == 1
    status, _, page = client.get(f"{draft_url}?fait=envoye")
    assert "Édition envoyée." in page and "Envoyé le" in page and f'href="{draft_url}/send"' not in page
    status, _, page = client.post(f"{draft_url}/send", {"csrf_token": client.token, "confirm": "oui"})
    assert status == 409 and "déjà envoyé le" in page and len(smtp.received) == 1


@pytest.mark.parametrize(
    "form, headers, code",
    [
        ({"confirm": "oui"}, {}, 403),  # no CSRF token
        ({"csrf_token": "faux", "confirm": "oui"}, {}, 403),
        ({"csrf_token": None}, {}, 400),  # not confirmed
        ({"csrf_token": None, "confirm": "oui"}, {"Origin": "http://evil.example"}, 403),
        ({"csrf_token": None, "confirm": "oui"}, {"Host": "evil.example"}, 403),
    ],
)
def test_refusals_send_nothing(site, form, headers, code):
    client, smtp, project = site
    form = {k: (client.token if v is None else v) for k, v in form.items()}
    status, _, _ = client.post(f"/drafts/{project.draft.id}/send", form, headers=headers)
    assert status == code and smtp.received == []
    assert not project.record_file("smtp").exists()


def test_an_unapproved_draft_has_no_button_and_cannot_be_sent(site):
    client, smtp, project = site
    other = write_review_draft(project.outbox)
    status, _, page = client.get(f"/drafts/{other.id}")
    assert status == 200 and "/send" not in page
    assert client.get(f"/drafts/{other.id}/send")[0] == 409
    status, _, _ = client.post(f"/drafts/{other.id}/send", {"csrf_token": client.token, "confirm": "oui"})
    assert status == 409 and smtp.received == []


def test_without_a_channel_there_is_no_button(project):
    server = review.review_server(project.outbox, newsletter=NEWSLETTER, templates_dir=TEMPLATES)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        client = ReviewClient(server)
        page = client.get(f"/drafts/{project.draft.id}")[2]
        assert "Envoyer" not in page
        assert client.get(f"/drafts/{project.draft.id}/send")[0] == 404
        status = client.post(
            f"/drafts/{project.draft.id}/send", {"csrf_token": client.token, "confirm": "oui"}
        )[0]
        assert status == 404
    finally:
        server.shutdown()
        server.server_close()
    assert json.dumps(project.draft.doc)  # untouched


def test_the_delivery_line_follows_the_page_language(site):
    client, smtp, project = site
    draft_url = f"/drafts/{project.draft.id}"
    _, _, english = client.request("GET", draft_url, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Not sent yet (SMTP)." in english and "Pas encore envoyé" not in english
    assert client.post(f"{draft_url}/send", {"csrf_token": client.token, "confirm": "oui"})[0] == 303
    _, _, english = client.request("GET", draft_url, headers={"Accept-Language": "en"})
    _, _, french = client.get(draft_url)
    assert "Sent on " in english and " through SMTP." in english and "Envoyé le" not in english
    assert "Envoyé le " in french and " par SMTP." in french
