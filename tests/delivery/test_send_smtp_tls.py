"""SMTP over TLS against aiosmtpd on loopback: STARTTLS and implicit TLS with a certificate the system trusts
(SSL_CERT_FILE), and a certificate it does not trust refused before any credential or message is sent."""

# ruff: noqa: F811 - `project` is a pytest fixture imported from delivery_fixtures, then requested by name

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest
from delivery_fixtures import SECRETS, SMTP_PASSWORD, project, smtp_config  # noqa: F401
from delivery_servers import SmtpServer

# aiosmtpd warns when AUTH is allowed without STARTTLS: with implicit TLS the whole connection is TLS.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 made with the openssl command (skipped without it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not found")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    done = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {done.stderr.decode(errors='replace')[:200]}")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_trusted_certificate_carries_the_login_and_the_message(project, certificate, monkeypatch, security):
    cert, context = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # as a user trusting their own server's certificate would
    server = SmtpServer(
        username="lettre", password=SMTP_PASSWORD, tls=context, implicit_tls=security == "ssl"
    )
    with server as smtp:
        project.configure(smtp_config(smtp.port).replace('security = "none"', f'security = "{security}"'))
        assert project.send() == 0
    # The server refuses AUTH and MAIL before TLS (require_starttls, auth_require_tls): a send that
    # arrived went through TLS, with the password given once.
    assert smtp.logins == [("lettre", SMTP_PASSWORD)]
    assert len(smtp.received) == 1 and smtp.received[0].rcpt_tos == ["lectrice@exemple.fr"]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_untrusted_certificate_stops_before_the_password(
    project, certificate, capsys, monkeypatch, security
):
    _, context = certificate
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    server = SmtpServer(
        username="lettre", password=SMTP_PASSWORD, tls=context, implicit_tls=security == "ssl"
    )
    with server as smtp:
        project.configure(smtp_config(smtp.port).replace('security = "none"', f'security = "{security}"'))
        assert project.send() == 2
    err = capsys.readouterr().err
    assert "échec TLS" in err and f"127.0.0.1:{smtp.port}" in err and len(err.strip().splitlines()) == 1
    assert smtp.logins == [] and smtp.received == []
    assert not any(secret in err for secret in SECRETS)


def test_a_server_offering_no_login_is_named_as_such(project, capsys):
    with SmtpServer() as smtp:  # no AUTH at all, while the config gives a username
        project.configure(smtp_config(smtp.port))
        assert project.send() == 2
    err = capsys.readouterr().err
    assert "ne propose pas l'authentification" in err and "STARTTLS" not in err
    assert smtp.received == []
