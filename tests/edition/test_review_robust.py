"""The review server never loses or corrupts an edit: cut bodies, races, low-level errors, hang-ups."""

from __future__ import annotations

import html
import json
import logging
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from render_fixtures import NEWSLETTER
from review_fixtures import TEMPLATES, write_review_draft

from generator.edition import outbox, review


def _start(outbox_dir):
    server = review.review_server(outbox_dir, newsletter=NEWSLETTER, templates_dir=TEMPLATES)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server


@pytest.fixture
def served(tmp_path):
    draft = write_review_draft(tmp_path / "outbox")
    server = _start(tmp_path / "outbox")
    yield server, draft
    server.shutdown()
    server.server_close()


def _raw(server, data: bytes, *, close_write: bool = False, timeout: float = 10) -> bytes:
    """Send bytes as they are on a socket and read the whole answer."""
    with socket.create_connection(server.server_address[:2], timeout=timeout) as sock:
        sock.sendall(data)
        if close_write:
            sock.shutdown(socket.SHUT_WR)  # the client stops sending: the body ends here
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _split(answer: bytes) -> tuple[int, dict[str, str], str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return int(lines[0].split()[1]), headers, html.unescape(body.decode("utf-8"))


def _host(server) -> str:
    return f"127.0.0.1:{server.server_address[1]}"


def _post_bytes(server, path: str, form: dict, *, lang: str = "fr") -> bytes:
    body = urlencode(form).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {_host(server)}\r\nOrigin: http://{_host(server)}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        f"Accept-Language: {lang}\r\nConnection: close\r\n\r\n"
    ).encode()
    return head + body


def _doc(draft) -> dict:
    return json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))


def test_a_post_cut_half_way_is_refused_and_writes_nothing(served):
    server, draft = served
    md = draft.file("md").read_text(encoding="utf-8")
    form = {"csrf_token": server.app.csrf_token, "revision": "1", "markdown": md + "\nAjout en Europe.\n"}
    whole = _post_bytes(server, f"/drafts/{draft.id}/edit", form)
    status, headers, page = _split(_raw(server, whole[: len(whole) - 40], close_write=True))
    assert status == 400 and "rien n'a été enregistré" in page
    assert "default-src 'none'" in headers["content-security-policy"]
    assert draft.file("md").read_text(encoding="utf-8") == md and _doc(draft)["revision"] == 1
    assert not (draft.path / "revisions").exists()
    # The whole body is saved.
    assert _split(_raw(server, whole))[0] == 303 and _doc(draft)["revision"] == 2


def test_an_edit_after_an_approval_elsewhere_gives_the_typed_text_back(served):
    server, draft = served
    md = draft.file("md").read_text(encoding="utf-8")
    outbox.approve(server.app.outbox_dir, draft.id, revision=1)  # the CLI, or another tab
    typed = md.replace("jeter", "JETER ABSOLUMENT")
    form = {"csrf_token": server.app.csrf_token, "revision": "1", "markdown": typed}
    status, headers, page = _split(_raw(server, _post_bytes(server, f"/drafts/{draft.id}/edit", form)))
    assert status == 409 and "approuvé" in page
    assert "JETER ABSOLUMENT" in page and '<textarea id="unsaved"' in page and "readonly" not in page
    assert (
        '<pre class="current">' in page and "Réparer plutôt que jeter" in page
    )  # the current version beside
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "JETER" not in draft.file("md").read_text(encoding="utf-8")


def test_a_two_tab_race_offers_to_save_the_typed_text_over_the_current_revision(served):
    server, draft = served
    md = draft.file("md").read_text(encoding="utf-8")
    token = server.app.csrf_token
    first = {"csrf_token": token, "revision": "1", "markdown": md.replace("jeter", "JETER")}
    assert _split(_raw(server, _post_bytes(server, f"/drafts/{draft.id}/edit", first)))[0] == 303
    second = {"csrf_token": token, "revision": "1", "markdown": md + "\nMa phrase à moi.\n"}
    status, _, page = _split(_raw(server, _post_bytes(server, f"/drafts/{draft.id}/edit", second)))
    assert status == 409 and "Ma phrase à moi." in page
    assert 'name="revision" value="2"' in page and 'name="markdown"' in page  # resubmit against revision 2
    assert "JETER" in page  # revision 2, beside


def test_put_options_and_unknown_methods_get_the_french_page_with_the_csp(served):
    server, _ = served
    for method, code in (("PUT", 405), ("OPTIONS", 405), ("DELETE", 405), ("BREW", 501)):
        answer = _raw(server, f"{method} / HTTP/1.1\r\nHost: {_host(server)}\r\n\r\n".encode())
        status, headers, page = _split(answer)
        assert status == code, method
        assert (
            "default-src 'none'" in headers["content-security-policy"]
            and headers["allow"] == "GET, HEAD, POST"
        )
        assert headers["x-frame-options"] == "DENY" and '<html lang="fr">' in page
        assert "n'accepte que GET, HEAD et POST" in page and "Error" not in page


def test_garbage_request_line_and_huge_header_get_the_french_page(served):
    server, _ = served
    status, headers, page = _split(_raw(server, b"\x16\x03\x01 garbage garbage garbage garbage\r\n\r\n"))
    assert status == 400 and "Requête mal formée." in page
    assert "default-src 'none'" in headers["content-security-policy"]
    huge = f"GET / HTTP/1.1\r\nHost: {_host(server)}\r\nX-Big: {'a' * 70_000}\r\n\r\n".encode()
    status, headers, page = _split(_raw(server, huge))
    assert status == 431 and "En-têtes de la requête trop volumineux." in page
    assert "default-src 'none'" in headers["content-security-policy"]


def test_a_damaged_draft_is_listed_with_its_error(served):
    server, draft = served
    broken = server.app.outbox_dir / "2026-05-09-abime"
    broken.mkdir()
    (broken / "draft.json").write_text('{"status": "draft", "title": ', encoding="utf-8")
    answer = _raw(server, f"GET / HTTP/1.0\r\nHost: {_host(server)}\r\n\r\n".encode())
    status, _, page = _split(answer)
    assert status == 200 and 'id="endommage-2026-05-09-abime"' in page and "1 brouillon endommagé" in page
    assert "draft.json" in page and f'id="brouillon-{draft.id}"' in page  # the others still listed
    answer = _raw(server, f"GET /drafts/2026-05-09-abime HTTP/1.0\r\nHost: {_host(server)}\r\n\r\n".encode())
    status, _, page = _split(answer)
    assert status == 500 and "endommagé" in page


def test_the_edited_title_line_is_the_title_everywhere(served):
    server, draft = served
    md = draft.file("md").read_text(encoding="utf-8")
    old = next(line for line in md.splitlines() if line.startswith("# "))
    edited = md.replace(old, "# Un titre tout neuf", 1)
    form = {"csrf_token": server.app.csrf_token, "revision": "1", "markdown": edited}
    assert _split(_raw(server, _post_bytes(server, f"/drafts/{draft.id}/edit", form)))[0] == 303
    assert _doc(draft)["title"] == "Un titre tout neuf"
    assert outbox.load_draft(server.app.outbox_dir, draft.id).title == "Un titre tout neuf"
    assert "<title>Un titre tout neuf</title>" in draft.file("html").read_text(encoding="utf-8")
    _, _, page = _split(_raw(server, f"GET / HTTP/1.0\r\nHost: {_host(server)}\r\n\r\n".encode()))
    assert ">Un titre tout neuf</a>" in page


def test_removed_html_is_announced(served):
    server, draft = served
    md = draft.file("md").read_text(encoding="utf-8")
    pasted = md + '\n<img src="x.png"> <img src="y.png"> [piège](javascript:alert(1))\n'
    form = {"csrf_token": server.app.csrf_token, "revision": "1", "markdown": pasted}
    answer = _split(_raw(server, _post_bytes(server, f"/drafts/{draft.id}/edit", form)))
    assert answer[0] == 303
    location = answer[1]["location"]
    _, _, page = _split(_raw(server, f"GET {location} HTTP/1.0\r\nHost: {_host(server)}\r\n\r\n".encode()))
    assert "Révision enregistrée. 2 images et 1 lien retirés." in page


def test_the_page_follows_accept_language(served):
    server, draft = served
    request = (
        f"GET /drafts/{draft.id} HTTP/1.0\r\nHost: {_host(server)}\r\nAccept-Language: en-GB,en;q=0.9\r\n\r\n"
    )
    _, _, page = _split(_raw(server, request.encode()))
    assert '<html lang="en">' in page and "Approve" in page and "Approuver" not in page
    request = (
        f"GET /drafts/{draft.id} HTTP/1.0\r\nHost: {_host(server)}\r\nAccept-Language: de, fr;q=0.5\r\n\r\n"
    )
    _, _, page = _split(_raw(server, request.encode()))
    assert '<html lang="fr">' in page and "Approuver" in page


def test_idle_connections_time_out_and_hang_ups_are_one_log_line(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(review, "IDLE_TIMEOUT", 0.5)
    write_review_draft(tmp_path / "outbox")
    server = _start(tmp_path / "outbox")
    try:
        assert server.request_queue_size >= 128
        with socket.create_connection(server.server_address[:2], timeout=5) as idle:
            started = time.monotonic()
            idle.sendall(b"GET / HTTP/1.1\r\n")  # and then nothing
            assert idle.recv(65536) is not None  # the server answers or closes: never holds it
            assert time.monotonic() - started < 4
        with caplog.at_level(logging.WARNING, logger="newsletter.review"):
            for _ in range(5):
                with socket.create_connection(server.server_address[:2], timeout=5) as sock:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    sock.sendall(b"POST /drafts/x/edit HTTP/1.1\r\nContent-Length: 10\r\n")
            time.sleep(1.2)
        assert all("Traceback" not in r.getMessage() and r.exc_info is None for r in caplog.records)
        assert all(len(r.getMessage().splitlines()) == 1 for r in caplog.records)
    finally:
        server.shutdown()
        server.server_close()
