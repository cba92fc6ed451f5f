"""The review commands through generator.cli.main: drafts, show, approve, reject, preview."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from render_fixtures import NEWSLETTER, one_episode, provenance, three_episodes

from generator.cli import main
from generator.edition import outbox, rendering

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A config whose outbox holds a one-episode draft and a three-episode extractive draft."""
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NEWSLETTER_BACKEND", "NEWSLETTER_STYLE"):
        monkeypatch.delenv(var, raising=False)
    config = tmp_path / "newsletter.toml"
    config.write_text('[paths]\noutbox = "sortie"\n', encoding="utf-8")
    box = tmp_path / "sortie"
    drafts = []
    for edition, prov in (
        (one_episode(), provenance()),
        (three_episodes("cafetech"), provenance("extractive", None)),
    ):
        rendered = rendering.render(edition, prov, NEWSLETTER, TEMPLATES)
        drafts.append(outbox.write_draft(box, edition, prov, rendered))
    return {"config": str(config), "outbox": box, "drafts": drafts}


def run(project, *argv):
    return main([*argv, "--config", project["config"]])


def test_drafts_json(project, capsys):
    assert run(project, "drafts", "--json") == 0
    out = capsys.readouterr().out
    listing = json.loads(out)
    assert [d["id"] for d in listing] == [d.id for d in project["drafts"]]
    first, second = listing
    assert first["date"] == "2026-03-04" and first["status"] == "draft"
    assert first["title"] == "La proximité, nouvel atout du cloud"
    assert first["episodes"] == ["Ondes Numériques (2026-03-02)"]
    assert first["backend"] == "openai" and first["model"] == "modele-test"
    assert first["quotes"] == {"verified": 2, "rejected": 1}
    assert len(first["warnings"]) == 2
    assert second["backend"] == "extractive" and second["extractive"] is True and len(second["episodes"]) == 3


def test_drafts_human_listing_and_empty_outbox(project, capsys, tmp_path):
    assert run(project, "drafts") == 0
    out = capsys.readouterr().out
    for draft in project["drafts"]:
        assert f"{draft.id}  [à relire]" in out
    assert "citations : 2 vérifiées / 1 refusée, 2 alertes" in out
    assert "    - Le Câble du lundi (2026-03-01)" in out

    empty = tmp_path / "vide.toml"
    empty.write_text(f'[paths]\noutbox = "{tmp_path / "rien"}"\n', encoding="utf-8")
    assert main(["drafts", "--config", str(empty)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "aucun brouillon dans" in captured.err
    assert main(["drafts", "--json", "--config", str(empty)]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
def test_show_prints_the_file_and_warnings_on_stderr(project, capsys, fmt):
    draft = project["drafts"][0]
    assert run(project, "show", draft.id, "--format", fmt) == 0
    captured = capsys.readouterr()
    assert captured.out == draft.file(fmt).read_text(encoding="utf-8")
    assert "alerte : segment 4" in captured.err


def test_show_defaults_to_markdown_and_quiet_silences_stderr(project, capsys):
    draft = project["drafts"][1]
    assert run(project, "show", draft.id, "--quiet") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# ☕ ") and captured.err == ""


def test_approve_and_reject_through_the_cli(project, capsys):
    one, three = project["drafts"]
    assert run(project, "approve", one.id) == 0
    assert f"{one.id} : approuvé par " in capsys.readouterr().out
    assert run(project, "approve", one.id) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsletter : erreur : ") and "déjà été approuvé" in err and err.count("\n") == 1
    assert run(project, "reject", one.id, "--reason", "non") == 2
    assert "déjà été approuvé" in capsys.readouterr().err

    assert run(project, "reject", three.id, "--reason", "trop de citations") == 0
    out = capsys.readouterr().out
    assert f"{three.id} : rejeté par " in out and out.rstrip().endswith("(raison : trop de citations)")
    doc = json.loads((three.path / "draft.json").read_text())
    assert doc["status"] == "rejected" and doc["history"][-1]["reason"] == "trop de citations"

    assert run(project, "drafts", "--json") == 0
    statuses = {d["id"]: d["status"] for d in json.loads(capsys.readouterr().out)}
    assert statuses == {one.id: "approved", three.id: "rejected"}


def test_reject_without_reason_is_a_usage_error(project, capsys):
    with pytest.raises(SystemExit) as exc:
        run(project, "reject", project["drafts"][0].id)
    assert exc.value.code == 2
    assert "--reason" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["show"], ["approve"], ["reject", "--reason", "x"], ["preview"]])
def test_unknown_id_exits_2_with_one_clear_line(project, capsys, command):
    assert run(project, command[0], "2020-01-01-absent", *command[1:]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"newsletter : erreur : brouillon inconnu « 2020-01-01-absent » dans {project['outbox']} ; "
        "`newsletter drafts` les liste\n"
    )


def _fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), b""


def _serve_then_interrupt(monkeypatch, paths: list[str], results: dict):
    """Replace serve_forever: answer real requests for `paths`, then act as if Ctrl-C was pressed."""

    def fake_serve_forever(self, poll_interval=0.5):
        url = f"http://127.0.0.1:{self.server_address[1]}"
        client = threading.Thread(target=lambda: results.update({p: _fetch(url + p) for p in paths}))
        client.start()
        for _ in paths:
            self.handle_request()
        client.join(10)
        raise KeyboardInterrupt

    monkeypatch.setattr(ThreadingHTTPServer, "serve_forever", fake_serve_forever)


def test_preview_serves_only_the_draft_html_on_localhost(project, capsys, monkeypatch):
    draft = project["drafts"][0]
    results: dict = {}
    _serve_then_interrupt(monkeypatch, ["/", "/draft.json", "/../newsletter.md"], results)
    assert run(project, "preview", draft.id) == 0
    captured = capsys.readouterr()
    url = captured.out.strip()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/") and int(url.split(":")[2].strip("/")) > 0
    assert "Ctrl-C" in captured.err and "aperçu : serveur arrêté" in captured.err

    status, headers, body = results["/"]
    assert status == 200 and body == draft.file("html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert results["/draft.json"][0] == 404 and results["/../newsletter.md"][0] == 404


def test_preview_uses_the_given_port(project, capsys, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    results: dict = {}
    _serve_then_interrupt(monkeypatch, ["/"], results)
    assert run(project, "preview", project["drafts"][1].id, "--port", str(port)) == 0
    assert capsys.readouterr().out.strip() == f"http://127.0.0.1:{port}/"
    assert results["/"][0] == 200


def test_preview_port_in_use_is_a_clear_error(project, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert run(project, "preview", project["drafts"][0].id, "--port", str(port)) == 2
    err = capsys.readouterr().err
    assert f"impossible d'écouter sur 127.0.0.1:{port}" in err and "un autre --port" in err
