"""[delivery] auto in the nightly run, the `file` channel, and the [delivery] settings' validation."""

# ruff: noqa: F811 - `project` is a pytest fixture imported from delivery_fixtures, then requested by name
from __future__ import annotations

import datetime as dt
import email
import email.policy
import json

import pytest
from delivery_fixtures import SECRETS, SMTP_PASSWORD, UNSUBSCRIBE, project, smtp_config  # noqa: F401
from delivery_servers import SmtpServer
from review_fixtures import write_review_draft

from generator.cli import main
from generator.config import load_settings
from generator.edition import outbox
from generator.errors import ConfigError

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def test_the_nightly_run_sends_approved_editions_and_never_the_others(project, capsys, monkeypatch):
    monkeypatch.chdir(project.root)
    unapproved = write_review_draft(project.outbox)
    old = write_review_draft(project.outbox)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    outbox.approve(project.outbox, old.id, now=long_ago)  # a backlog: left for `newsletter send`
    (project.root / "inbox").mkdir()
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port).replace('method = "smtp"', 'method = "smtp"\nauto = true'))
        assert main(["run", "--json", "-q", "--config", str(project.config)]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert len(smtp.received) == 1
        assert any(n.startswith(f"{project.draft.id} : envoyé à 1 destinataire") for n in doc["notes"])
        assert not (unapproved.path / "delivery-smtp.json").exists()
        assert not (old.path / "delivery-smtp.json").exists()
        # The next night sends nothing again.
        assert main(["run", "--json", "-q", "--config", str(project.config)]) == 0
        assert json.loads(capsys.readouterr().out)["notes"] == []
        assert len(smtp.received) == 1
    # A night that fails to log in writes its error to the log: the password is in no file of the project.
    with SmtpServer(username="lettre", password="un autre") as smtp:
        project.configure(smtp_config(smtp.port).replace('method = "smtp"', 'method = "smtp"\nauto = true'))
        outbox.approve(project.outbox, unapproved.id)
        assert main(["run", "-q", "--config", str(project.config)]) == 1  # a failed send fails the night
        assert smtp.received == []
    last = (project.root / "state" / "newsletter.log").read_text(encoding="utf-8").splitlines()[-1]
    assert "failed deliveries: 1" in last and "authentification refusée" in last
    for path, data in project.written_bytes():
        assert not any(secret.encode() in data for secret in SECRETS), f"{path} holds a secret"


def test_auto_off_sends_nothing(project, capsys, monkeypatch):
    monkeypatch.chdir(project.root)
    (project.root / "inbox").mkdir()
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        assert main(["run", "-q", "--config", str(project.config)]) == 0
    assert smtp.received == []


def test_the_file_channel_writes_a_ready_eml_once(project, capsys):
    project.configure(
        f'[delivery]\nmethod = "file"\n\n[delivery.file]\nfrom = "lettre@exemple.fr"\nunsubscribe_url = "{UNSUBSCRIBE}"\n'
    )
    assert project.send() == 0
    eml = project.draft.path / "newsletter.eml"
    raw = eml.read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == project.draft.title and msg.get_content_type() == "multipart/alternative"
    assert f"\r\nList-Unsubscribe: <{UNSUBSCRIBE}>\r\n".encode() in raw
    assert project.send() == 2 and "déjà envoyé le" in capsys.readouterr().err
    assert eml.read_bytes() == raw


def test_send_without_a_channel_says_how_to_choose_one(project, capsys):
    project.configure("")
    assert project.send() == 2
    err = capsys.readouterr().err
    assert "[delivery] method" in err and "smtp, buttondown, ghost, listmonk, file" in err


@pytest.mark.parametrize(
    "toml, words",
    [
        ('[delivery]\nmethod = "pigeon"\n', "pigeon"),
        (
            '[delivery]\nmethod = "smtp"\n[delivery.smtp]\npassword = "x"\nhost = "h"\n',
            "NEWSLETTER_SMTP_PASSWORD",
        ),
        ('[delivery.buttondown]\napi_key = "x"\n', "NEWSLETTER_BUTTONDOWN_API_KEY"),
        (
            '[delivery]\nmethod = "smtp"\n[delivery.smtp]\nfrom = "a@b.fr"\nto = ["c@d.fr"]\n',
            "il manque host",
        ),
        ('[delivery]\nmethod = "smtp"\n[delivery.smtp]\nhost = "h"\nfrom = "a@b.fr"\n', "destinataires"),
        ('[delivery.smtp]\nsecurity = "tls"\n', "starttls, ssl, none"),
        ('[delivery.smtp]\nunsubscribe_url = "http://x.fr/u"\n', "https://"),
        ('[delivery.smtp]\nport = "vingt-cinq"\n', "port"),
        ('[delivery]\nmethod = "ghost"\n', "base_url"),
        ('[delivery]\nauto = "oui"\n', "auto"),
        ('[delivery.smtpp]\nhost = "h"\n', "smtpp"),
    ],
)
def test_bad_delivery_settings_are_named(tmp_path, toml, words):
    config = tmp_path / "newsletter.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_settings(config, env={})
    assert words in str(exc.value)


def test_recipients_file_is_relative_to_the_config(tmp_path):
    config = tmp_path / "conf" / "newsletter.toml"
    config.parent.mkdir()
    config.write_text(
        '[delivery]\nmethod = "smtp"\n[delivery.smtp]\nhost = "h"\nfrom = "a@b.fr"\nrecipients_file = "abonnes.txt"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, env={})
    assert settings.delivery.options("smtp").recipients_file == tmp_path / "conf" / "abonnes.txt"
    assert settings.delivery.method == "smtp" and settings.delivery.auto is False
