"""Buttondown, Ghost and listmonk against a fake platform on loopback that records every request."""

# ruff: noqa: F811 - `project` is a pytest fixture imported from delivery_fixtures, then requested by name
from __future__ import annotations

import json
import time

import jwt
import pytest
from delivery_fixtures import API_KEY, GHOST_KEY, SECRETS, project  # noqa: F401
from delivery_servers import FakePlatform, free_port


@pytest.fixture
def platform():
    server = FakePlatform().start()
    yield server
    server.stop()


def _config(channel: str, url: str, extra: str = "") -> str:
    tables = {
        "buttondown": f'[delivery.buttondown]\nbase_url = "{url}"\n',
        "ghost": f'[delivery.ghost]\nbase_url = "{url}"\n',
        "listmonk": f'[delivery.listmonk]\nbase_url = "{url}"\nusername = "api-lettre"\nlists = [3, 7]\n',
    }
    return (
        f'[delivery]\nmethod = "{channel}"\nretries = 2\nbackoff_s = 0.01\ntimeout_s = 0.5\n{extra}\n'
        + tables[channel]
    )


def _record(project, channel: str) -> dict:
    return json.loads(project.record_file(channel).read_text(encoding="utf-8"))


def test_buttondown_gets_one_post_creating_a_draft_with_the_api_version(project, platform, capsys):
    project.configure(_config("buttondown", platform.url))
    assert project.send() == 0
    assert len(platform.requests) == 1
    post = platform.requests[0]
    assert (post.method, post.path) == ("POST", "/v1/emails")
    assert post.headers["x-api-version"] == "2026-04-01"
    assert post.headers["authorization"] == f"Token {API_KEY}"
    body = post.body
    assert body["status"] == "draft" and body["subject"] == "Réparer plutôt que jeter"
    markdown = project.draft.file("md").read_text(encoding="utf-8")
    assert body["body"] == markdown.lstrip("\n") and not body["body"].lstrip().startswith("---")
    assert body["canonical_url"] == "https://audio.exemple.fr/circuits/2026-05-07"
    record = _record(project, "buttondown")
    assert record["status"] == "sent" and record["platform_id"] == platform.items[0]["id"]
    assert "brouillon créé sur la plateforme" in capsys.readouterr().out
    # A second send creates nothing.
    assert project.send() == 2
    assert "déjà envoyé le" in capsys.readouterr().err
    assert len(platform.posts()) == 1


def test_front_matter_never_reaches_the_platform(project, platform):
    from generator.delivery.approved import load_approved

    edition = load_approved(project.outbox, project.draft.id)
    from dataclasses import replace

    with_front = replace(edition, md="---\ntitle: x\nstyle: cybernetica\n---\n# Titre\n\nTexte.\n")
    assert with_front.markdown_body == "# Titre\n\nTexte.\n"


def test_a_5xx_then_429_is_retried_and_creates_one_draft(project, platform):
    project.configure(_config("buttondown", platform.url))
    platform.script.extend([503, 429])
    assert project.send() == 0
    assert len(platform.posts()) == 3 and len(platform.items) == 1


def test_retry_after_is_waited_for_and_a_too_long_one_stops_at_once(project, platform, capsys):
    project.configure(_config("buttondown", platform.url))
    platform.script.append((429, "1"))  # backoff is 0.01 s: the server's second is what is waited
    started = time.monotonic()
    assert project.send() == 0
    assert time.monotonic() - started >= 1.0 and len(platform.posts()) == 2 and len(platform.items) == 1
    assert "le serveur demande d'attendre 1 s" in capsys.readouterr().err

    project2_posts = len(platform.posts())
    platform.script.append((503, "Wed, 21 Oct 2099 07:28:00 GMT"))  # decades away: no retry, a clear stop
    assert project.send("--force") == 2
    err = capsys.readouterr().err
    assert len(platform.posts()) == project2_posts + 1 and "le serveur demande d'attendre" in err


def test_retry_after_values():
    import datetime as dt

    from generator.retry_after import retry_after

    now = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC).timestamp()
    assert retry_after("120") == 120.0 and retry_after(" 0 ") == 0.0
    assert retry_after("Sat, 05 Dec 2026 08:01:30 GMT", now) == 90.0
    assert retry_after("Sat, 05 Dec 2026 07:00:00 GMT", now) == 0.0  # already past
    assert retry_after(None) is None and retry_after("") is None and retry_after("bientôt") is None
    assert retry_after("-5") is None


def test_a_refused_key_stops_naming_the_variable_and_never_the_key(project, platform, capsys):
    project.configure(_config("buttondown", platform.url))
    platform.script.extend([401])
    assert project.send() == 2
    err = capsys.readouterr().err
    assert "NEWSLETTER_BUTTONDOWN_API_KEY" in err and API_KEY not in err
    assert len(platform.posts()) == 1 and _record(project, "buttondown")["status"] == "failed"


@pytest.mark.parametrize("behaviour", ["slow", "drop"])
def test_a_lost_reply_is_checked_before_any_new_post(project, platform, behaviour):
    """The platform created the draft but the answer never came: ask it, do not create a second one."""
    project.configure(_config("buttondown", platform.url))
    platform.script.append(behaviour)
    assert project.send() == 0
    assert len(platform.posts()) == 1 and len(platform.items) == 1
    assert [r.method for r in platform.requests] == ["POST", "GET"]
    assert _record(project, "buttondown")["platform_id"] == platform.items[0]["id"]


def test_platform_down_then_up(project, capsys):
    port = free_port()
    project.configure(_config("buttondown", f"http://127.0.0.1:{port}"))
    assert project.send() == 2
    err = capsys.readouterr().err
    assert "Buttondown injoignable" in err and "reste approuvé" in err
    assert _record(project, "buttondown")["status"] == "failed"
    server = FakePlatform()
    from http.server import ThreadingHTTPServer

    from delivery_servers import _platform_handler

    server.server = ThreadingHTTPServer(("127.0.0.1", port), _platform_handler(server))
    server.url = f"http://127.0.0.1:{port}"
    import threading

    threading.Thread(target=server.server.serve_forever, daemon=True).start()
    try:
        assert project.send() == 0
    finally:
        server.stop()
    assert len(server.items) == 1 and _record(project, "buttondown")["status"] == "sent"


def test_ghost_creates_a_draft_post_with_a_short_lived_admin_jwt(project, platform):
    project.configure(_config("ghost", platform.url))
    assert project.send() == 0
    (post,) = platform.requests
    assert (post.method, post.path) == ("POST", "/ghost/api/admin/posts/")
    assert post.query == {"source": ["html"]}
    assert post.headers["accept-version"] == "v5.0"
    scheme, token = post.headers["authorization"].split(" ")
    key_id, secret = GHOST_KEY.split(":")
    claims = jwt.decode(token, bytes.fromhex(secret), algorithms=["HS256"], audience="/admin/")
    assert scheme == "Ghost" and jwt.get_unverified_header(token)["kid"] == key_id
    assert claims["exp"] - claims["iat"] == 300
    sent = post.body["posts"][0]
    assert (
        sent["status"] == "draft"
        and sent["slug"] == project.draft.id
        and sent["title"] == project.draft.title
    )
    assert "<html" not in sent["html"] and "Bastien Roux" in sent["html"]


def test_listmonk_creates_a_campaign_and_never_starts_it(project, platform):
    project.configure(_config("listmonk", platform.url))
    assert project.send() == 0
    (post,) = platform.requests
    assert (post.method, post.path) == ("POST", "/api/campaigns")
    assert post.headers["authorization"] == f"token api-lettre:{API_KEY}"
    body = post.body
    assert body["lists"] == [3, 7] and body["content_type"] == "markdown" and "status" not in body
    assert body["name"].endswith(f"[{project.draft.id}#1]")
    assert not any("/status" in r.path for r in platform.requests)
    assert _record(project, "listmonk")["url"].endswith("/admin/campaigns/1")


def test_no_secret_in_the_outbox_after_platform_sends(project, platform, capsys):
    for channel in ("buttondown", "ghost", "listmonk"):
        project.configure(_config(channel, platform.url))
        platform.script.extend([401])
        assert project.send("--json") == 2
        assert project.send("--json") == 0
        assert project.send("--force", "--json") == 0
    out, err = capsys.readouterr()
    for secret in SECRETS:
        assert secret not in out + err
        for path, data in project.written_bytes():
            assert secret.encode() not in data, f"{path} holds a secret"
