"""`newsletter send` against a real SMTP server on loopback (aiosmtpd): the raw bytes it accepted."""

# ruff: noqa: F811 - `project` is a pytest fixture imported from delivery_fixtures, then requested by name
from __future__ import annotations

import email
import email.policy
import json

import pytest
from delivery_fixtures import SECRETS, SMTP_PASSWORD, UNSUBSCRIBE, project, smtp_config  # noqa: F401
from delivery_servers import SmtpServer, free_port

from generator.edition import outbox

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_send_delivers_one_multipart_message_with_one_line_unsubscribe_headers(project, capsys):
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        assert project.send() == 0
    assert len(smtp.received) == 1
    got = smtp.received[0]
    assert got.mail_from == "lettre@exemple.fr" and got.rcpt_tos == ["lectrice@exemple.fr"]
    assert smtp.logins == [("lettre", SMTP_PASSWORD)]
    raw = got.raw
    # One line each, exactly as RFC 8058 wants them (no folding, no RFC 2047 encoding).
    assert f"\r\nList-Unsubscribe: <{UNSUBSCRIBE}>\r\n".encode() in raw
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
    assert len(f"List-Unsubscribe: <{UNSUBSCRIBE}>") > 78
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    msg = _parsed(raw)
    assert msg["Subject"] == project.draft.title == "Réparer plutôt que jeter"
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    # MIME text is CRLF in canonical form; the content is the approved files', byte for byte otherwise.
    for part, fmt in zip(parts, ("txt", "html"), strict=True):
        sent = part.get_content().replace("\r\n", "\n").rstrip("\n")
        assert sent == project.draft.file(fmt).read_text(encoding="utf-8").rstrip("\n")
    assert msg["Date"] and msg["Message-ID"].endswith("@exemple.fr>")
    record = json.loads(project.record_file("smtp").read_text(encoding="utf-8"))
    assert record["status"] == "sent" and record["message_id"] == msg["Message-ID"]
    assert record["recipients"] == 1 and record["accepted"] == 1 and record["revision"] == 1
    assert "lectrice@exemple.fr" not in json.dumps(record)  # no address list beside the draft
    assert project.draft.id in capsys.readouterr().out
    assert outbox.load_draft(project.outbox, project.draft.id).status == "approved"


def test_a_second_send_delivers_nothing_unless_forced(project, capsys):
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        assert project.send() == 0
        capsys.readouterr()
        assert project.send() == 2
        err = capsys.readouterr().err
        assert "déjà envoyé le" in err and "--force" in err
        assert len(smtp.received) == 1
        assert project.send("--force") == 0
        assert len(smtp.received) == 2
    first, second = (_parsed(r.raw)["Message-ID"] for r in smtp.received)
    assert first != second
    record = json.loads(project.record_file("smtp").read_text(encoding="utf-8"))
    assert record["forced"] is True and [p["status"] for p in record["previous"]] == ["sent"]


def test_an_unapproved_draft_is_refused(tmp_path, project, capsys):
    from review_fixtures import write_review_draft

    unapproved = write_review_draft(tmp_path / "outbox")
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        from generator.cli import main

        assert main(["send", unapproved.id, "--config", str(project.config)]) == 2
    err = capsys.readouterr().err
    assert "n'est pas approuvé" in err and "à relire" in err
    assert smtp.received == []
    assert not (unapproved.path / "delivery-smtp.json").exists()


def test_server_down_then_up(project, capsys):
    port = free_port()  # nothing listens there yet
    project.configure(smtp_config(port))
    assert project.send() == 2
    err = capsys.readouterr().err
    assert "injoignable" in err and f"127.0.0.1:{port}" in err and "rien n'est marqué envoyé" in err
    record = json.loads(project.record_file("smtp").read_text(encoding="utf-8"))
    assert record["status"] == "failed"
    assert outbox.load_draft(project.outbox, project.draft.id).status == "approved"
    with SmtpServer(port=port, username="lettre", password=SMTP_PASSWORD) as smtp:
        assert project.send() == 0
    assert len(smtp.received) == 1
    assert json.loads(project.record_file("smtp").read_text(encoding="utf-8"))["status"] == "sent"


def test_a_4xx_is_retried_and_a_5xx_stops_with_the_servers_words(project, capsys):
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        smtp.data_replies.extend(["451 4.3.0 surcharge, revenez"])
        assert project.send() == 0
        assert len(smtp.received) == 1
        capsys.readouterr()
        smtp.data_replies.extend(["554 5.7.1 contenu refusé"] * 5)
        assert project.send("--force") == 2
    err = capsys.readouterr().err
    assert "554 5.7.1 contenu refusé" in err and "reste approuvé" in err
    assert len(smtp.received) == 1
    assert json.loads(project.record_file("smtp").read_text(encoding="utf-8"))["status"] == "failed"


def test_wrong_password_names_what_to_fix_and_never_the_password(project, capsys, monkeypatch):
    with SmtpServer(username="lettre", password="le-bon-mot-de-passe") as smtp:
        project.configure(smtp_config(smtp.port))
        assert project.send("--json") == 2
    out, err = capsys.readouterr()
    assert "NEWSLETTER_SMTP_PASSWORD" in err and "username" in err
    assert SMTP_PASSWORD not in out + err
    assert smtp.received == []


def test_recipients_go_in_batches_of_the_same_message(project):
    addresses = [f"lecteur{n}@exemple.fr" for n in range(5)]
    (project.root / "abonnes.txt").write_text(
        "# abonnés\n" + "\n".join(addresses) + "\nlecteur0@exemple.fr\n", encoding="utf-8"
    )
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        smtp.refuse.add("lecteur3@exemple.fr")
        project.configure(
            smtp_config(smtp.port, to="[]", extra='recipients_file = "abonnes.txt"\nbatch_size = 2')
        )
        assert project.send() == 0
    assert [r.rcpt_tos for r in smtp.received] == [addresses[:2], addresses[2:3], addresses[4:]]
    assert len({_parsed(r.raw)["Message-ID"] for r in smtp.received}) == 1
    record = json.loads(project.record_file("smtp").read_text(encoding="utf-8"))
    assert (record["recipients"], record["accepted"], record["refused"], record["batches"]) == (5, 4, 1, 3)


def test_a_file_changed_after_approval_is_not_sent(project, capsys):
    html = project.draft.file("html")
    html.write_text(html.read_text(encoding="utf-8").replace("Réparer", "Jeter"), encoding="utf-8")
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        assert project.send() == 2
    assert "a changé depuis l'approbation" in capsys.readouterr().err
    assert smtp.received == []


def test_no_secret_reaches_the_outbox_the_json_or_the_messages(project, capsys):
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        assert project.send("--json") == 0
        assert project.send("--json") == 2  # refused: an error message too
        assert project.send("--force", "--json") == 0
    with SmtpServer(username="lettre", password="autre") as smtp:  # refused login: another error path
        project.configure(smtp_config(smtp.port))
        assert project.send("--force", "--json") == 2
    out, err = capsys.readouterr()
    assert json.loads(out.split("\n}\n")[0] + "\n}")["channel"] == "smtp"
    for secret in SECRETS:
        assert secret not in out + err
        for path, data in project.written_bytes():
            assert secret.encode() not in data, f"{path} holds a secret"


def test_a_reply_lost_after_the_data_is_not_retried_and_needs_force(project, capsys):
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        smtp.data_replies.append("drop")
        assert project.send() == 2
        assert "peut-être accepté" in capsys.readouterr().err
        assert len(smtp.received) == 1  # taken once, never sent again blindly
        assert json.loads(project.record_file("smtp").read_text(encoding="utf-8"))["status"] == "unknown"
        assert project.send() == 2
        assert "--force" in capsys.readouterr().err and len(smtp.received) == 1


def test_a_silent_server_times_out_and_starttls_missing_is_named(project, capsys):
    import socket

    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        project.configure(smtp_config(silent.getsockname()[1]).replace("timeout_s = 5", "timeout_s = 0.2"))
        assert project.send() == 2
    assert "délai dépassé" in capsys.readouterr().err
    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port).replace('security = "none"', 'security = "starttls"'))
        assert project.send() == 2
        assert smtp.received == []
    assert "ne propose pas STARTTLS" in capsys.readouterr().err


def test_two_sends_at_once_deliver_one_message(project):
    import threading

    from generator.config import load_settings
    from generator.delivery import send
    from generator.errors import DeliveryError

    with SmtpServer(username="lettre", password=SMTP_PASSWORD) as smtp:
        project.configure(smtp_config(smtp.port))
        settings = load_settings(project.config)
        outcomes: list[str] = []

        def one() -> None:
            try:
                outcomes.append(send(settings, project.draft.id).result)
            except DeliveryError as exc:
                outcomes.append("déjà envoyé" if "déjà envoyé" in str(exc) else str(exc))

        threads = [threading.Thread(target=one) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert sorted(outcomes) == ["déjà envoyé", "déjà envoyé", "sent"]
    assert len(smtp.received) == 1
