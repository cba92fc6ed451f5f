"""Kills between the server's acceptance and the record (generator/crashpoint.py), then the next send."""

# ruff: noqa: F811 - `project` is a pytest fixture imported from delivery_fixtures, then requested by name
from __future__ import annotations

import json

import pytest
from delivery_fixtures import SMTP_PASSWORD, project, smtp_config  # noqa: F401
from delivery_servers import FakePlatform, SmtpServer

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _record(project, channel: str) -> dict:
    return json.loads(project.record_file(channel).read_text(encoding="utf-8"))


def test_smtp_killed_after_acceptance_is_never_sent_blindly_again(project, capsys):
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        done = project.send_process(crash_at="delivery_accepted")
        assert done.returncode == -9
        assert len(smtp.received) == 1
        assert _record(project, "smtp")["status"] == "sending"
        assert project.send() == 2
        err = capsys.readouterr().err
        assert "pas de résultat connu" in err and "--force" in err and "1 lot(s) sur 1 confirmé(s)" in err
        assert len(smtp.received) == 1
        # --force goes on with the same message: the batch the server confirmed is not sent again.
        assert project.send("--force") == 0
        assert len(smtp.received) == 1
    record = _record(project, "smtp")
    assert (
        record["status"] == "sent"
        and record["message_id"] == smtp.received[0].raw.split(b"Message-ID: ")[1].split(b"\r\n")[0].decode()
    )


def test_smtp_killed_before_contacting_the_server_needs_force_then_sends_once(project, capsys):
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        assert project.send_process(crash_at="delivery_recorded").returncode == -9
        assert smtp.received == [] and _record(project, "smtp")["status"] == "sending"
        assert project.send() == 2
        assert smtp.received == []
        assert project.send("--force") == 0
        assert len(smtp.received) == 1
        assert project.send() == 2  # and now it is sent
        assert len(smtp.received) == 1


PLATFORMS = {
    "buttondown": "",
    "ghost": "",
    "listmonk": 'username = "api-lettre"\nlists = [1]\n',
}


@pytest.mark.parametrize("channel", PLATFORMS)
@pytest.mark.parametrize("point, posts", [("delivery_accepted", 1), ("delivery_recorded", 0)])
def test_a_platform_killed_at_each_step_holds_one_draft(project, channel, point, posts):
    """Killed after the platform created it: the next send finds it (marker, slug or name), creates nothing."""
    platform = FakePlatform().start()
    try:
        project.configure(
            f'[delivery]\nmethod = "{channel}"\nbackoff_s = 0.01\n\n'
            f'[delivery.{channel}]\nbase_url = "{platform.url}"\n{PLATFORMS[channel]}'
        )
        assert project.send_process(crash_at=point).returncode == -9
        assert len(platform.posts()) == posts
        assert project.send() == 0  # asks the platform first; creates only if it has nothing
        assert len(platform.items) == 1 and len(platform.posts()) == 1
        assert platform.requests[posts].method == "GET"
        record = _record(project, channel)
        assert record["status"] == "sent" and record["platform_id"] == str(platform.items[0]["id"])
        assert record.get("recovered") is (True if posts else None)
        assert project.send() == 2 and len(platform.posts()) == 1
    finally:
        platform.stop()


def test_killed_after_the_record_changes_nothing(project):
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        assert project.send_process(crash_at="delivery_sent").returncode == -9
        assert _record(project, "smtp")["status"] == "sent"
        assert project.send() == 2 and len(smtp.received) == 1
