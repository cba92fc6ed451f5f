# ruff: noqa: F811 - `project` is a pytest fixture imported from delivery_fixtures, then requested by name
"""The stages of issues 23-25 speak the locale's language end to end: sources, delivery, weekly.

A real error of each stage, through the CLI as a user meets it: a feed server on 127.0.0.1 answering
malformed XML and a feed too big (`newsletter sources check`), the send of a draft nobody approved
(`newsletter send`), a weekly window the wrong way round and a date that is not one (`newsletter weekly`).
French under C.UTF-8 (sizes with a decimal comma, the XML position in French, never the parser's
English), English under en_US.UTF-8.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from delivery_fixtures import project, smtp_config  # noqa: F401
from delivery_servers import free_port
from feed_server import FeedServer, Route, item, rss, zeros
from review_fixtures import write_review_draft

from generator.cli import main

MB = 1024 * 1024
# Cut in the middle of <title>: expat stops at line 1, column 27 ("mismatched tag" in its English).
MALFORMED = b"<rss><channel><title>oups</channel>"

EXPECTED = {
    "C.UTF-8": {
        "malformed": "flux mal formé (XML illisible ligne 1, colonne 27)",
        "big": "trop gros : 11,0 Mo annoncés, limite 10,0 Mo",
        "failed": "en échec",
        "ok": "source Ciel Ouvert : lu",
        "unapproved": "n'est pas approuvé (état : à relire) ; rien n'a été envoyé. Relisez-le puis approuvez-le",
        "window": "fenêtre vide : --since 2026-12-06 est après --until 2026-12-05",
        "date": "--until '2026-13-01' : date attendue au format AAAA-MM-JJ",
        "error": "newsletter : erreur : ",
    },
    "en_US.UTF-8": {
        "malformed": "malformed feed (unreadable XML at line 1, column 27)",
        "big": "too big: 11.0 MB announced, limit 10.0 MB",
        "failed": "failed",
        "ok": "source Ciel Ouvert: read",
        "unapproved": "is not approved (status: to review); nothing was sent. Review it, then approve it",
        "window": "empty window: --since 2026-12-06 is after --until 2026-12-05",
        "date": "--until '2026-13-01': expected a date as YYYY-MM-DD",
        "error": "newsletter: error: ",
    },
}
# Words that would betray the other language (or the XML parser's English) in a line.
FRENCH_ONLY = ("mal formé", "illisible", "trop gros", " Mo", "annoncés", "approuvé", "fenêtre", "attendue")
ENGLISH_ONLY = ("mismatched", "malformed", "too big", " MB", "not approved", "window", "expected")


def _locale(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", lang)


def _foreign(text: str, lang: str) -> list[str]:
    words = ENGLISH_ONLY if lang.startswith("C") else FRENCH_ONLY
    return [w for w in words if w in text]


@pytest.mark.parametrize("lang", ["C.UTF-8", "en_US.UTF-8"])
def test_sources_check_says_a_malformed_and_a_too_big_feed_in_the_locales_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, lang: str
) -> None:
    _locale(monkeypatch, lang)
    monkeypatch.chdir(tmp_path)
    want = EXPECTED[lang]
    with FeedServer() as server:
        server.routes["/casse.xml"] = Route(MALFORMED)
        server.routes["/enorme.xml"] = Route(zeros(11 * MB), length=11 * MB)
        server.routes["/ciel.xml"] = Route(
            rss("Ciel Ouvert", [item("c-1", "Les étoiles", "Mon, 23 Nov 2026")])
        )
        urls = [server.url(p) for p in ("/casse.xml", "/enorme.xml", "/ciel.xml")]
        config = "".join(f'[[sources]]\nurl = "{url}"\n\n' for url in urls)
        (tmp_path / "newsletter.toml").write_text(config, encoding="utf-8")
        code = main(["sources", "check"])
    captured = capsys.readouterr()
    assert code == 1, captured
    lines = captured.out.splitlines()
    assert len(lines) == 4, lines  # two failed sources, one read with its new episode
    malformed, big, ok = lines[0], lines[1], lines[2]
    assert malformed.startswith(f"source {urls[0]}") and want["failed"] in malformed
    assert malformed.endswith(f"{urls[0]}: {want['malformed']}"), malformed
    assert want["big"] in big, big
    assert ok == want["ok"]
    assert not _foreign(captured.out, lang), captured.out


@pytest.mark.parametrize("lang", ["C.UTF-8", "en_US.UTF-8"])
def test_send_refuses_an_unapproved_draft_in_the_locales_language(
    tmp_path: Path, project, monkeypatch: pytest.MonkeyPatch, capsys, lang: str
) -> None:
    _locale(monkeypatch, lang)
    unapproved = write_review_draft(tmp_path / "outbox")
    project.configure(smtp_config(free_port()))  # nothing listens: the refusal comes before any connection
    assert main(["send", unapproved.id, "--config", str(project.config)]) == 2
    err = capsys.readouterr().err
    want = EXPECTED[lang]
    assert err.startswith(want["error"]) and want["unapproved"] in err, err
    assert unapproved.id in err and not _foreign(err, lang), err
    assert not (unapproved.path / "delivery-smtp.json").exists()


@pytest.mark.parametrize("lang", ["C.UTF-8", "en_US.UTF-8"])
def test_weekly_errors_in_the_locales_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, lang: str
) -> None:
    _locale(monkeypatch, lang)
    monkeypatch.chdir(tmp_path)
    want = EXPECTED[lang]
    assert main(["weekly", "--since", "2026-12-06", "--until", "2026-12-05", "-q"]) == 2
    err = capsys.readouterr().err
    assert err == want["error"] + want["window"] + "\n", err
    assert main(["weekly", "pin", "fibre", "--until", "2026-13-01"]) == 2
    err = capsys.readouterr().err
    assert err == want["error"] + want["date"] + "\n", err
