"""Pins and drops from the review page (issue 25): the week page, its forms, and the weekly edition after.

Four nightly drafts of our French week, written by `generate` today, are the week's material: the page
lists their stories; a pin and a drop posted there go to the store `weekly pin|drop` uses, and
`newsletter weekly --json` then leads with the pinned story and leaves the dropped one out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import threading
from pathlib import Path

import pytest
from review_fixtures import TEMPLATES, ReviewClient
from shared_embedder import _SHARED, shared_embedder  # noqa: F401 - fixture
from test_weekly import WEEK1, datacentre, settings_in

from generator import weekly
from generator.cli import main
from generator.cli.weekly import review_week
from generator.config import load_settings
from generator.edition import review
from generator.edition.review_app import CSP
from generator.topics import embeddings
from generator.transcript import clean, ingest
from generator.weekly.memory import names_story
from generator.weekly.picking import section_text


@pytest.fixture(scope="module")
def nightly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A newsletter folder whose outbox holds this week's four nightly drafts (built once)."""
    root = tmp_path_factory.mktemp("nightly")
    settings_in(root)
    for path in WEEK1:
        shutil.copy(path, root / "inbox" / path.name)
        shutil.copy(path.with_suffix(".info.json"), root / "inbox" / path.with_suffix(".info.json").name)
    with pytest.MonkeyPatch.context() as mp:
        if not _SHARED:
            _SHARED.append(embeddings.USEEmbedder())
        mp.setattr(embeddings, "USEEmbedder", lambda *a, **kw: _SHARED[0])
        mp.chdir(root)
        for path in WEEK1:
            assert main(["-q", "generate", str(root / "inbox" / path.name)]) == 0
    return root


@pytest.fixture
def site(nightly: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A copy of the week's folder (its own picks) and a review server over it, as `newsletter review`."""
    root = tmp_path / "news"
    shutil.copytree(nightly, root)
    monkeypatch.chdir(root)
    settings = load_settings(root / "newsletter.toml", env={})
    server = review.review_server(
        settings.paths.outbox,
        newsletter=settings.newsletter,
        templates_dir=TEMPLATES,
        week=review_week(settings),
    )
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield ReviewClient(server), settings
    server.shutdown()
    server.server_close()


def rows(page: str) -> list[dict]:
    """The stories listed on the week page: key (from the form), show, state, title."""
    found = []
    for card in page.split('<li class="draft-card"')[1:]:
        key = re.search(r'name="histoire" value="([^"]+)"', card)
        found.append(
            {
                "key": key.group(1) if key else None,
                "show": card.split('<p class="meta">')[1].split(" · ")[0],
                "state": re.search(r'class="state state-(\w+)"', card).group(1),
                "title": re.search(r"<h2>(.*?)</h2>", card).group(1),
                "card": card,
            }
        )
    return found


def naming(settings, words: str) -> list[str]:
    """The keys of the nightly sections whose transcript says these words (as the weekly build matches)."""
    from generator.edition import list_drafts

    keys = []
    for draft in list_drafts(settings.paths.outbox):
        source = draft.doc["sources"][0]
        said = clean(ingest(Path(source["path"]))).utterances
        for i, section in enumerate(draft.doc["sections"]):
            if names_story(words, section_text(said, section["start_s"], section["end_s"])):
                keys.append(f"{draft.id}:{i}")
    return keys


def picks(settings) -> dict:
    return weekly.picks_for(settings.paths.state, weekly.week_of(dt.date.today()))


def test_pin_and_drop_on_the_page_then_weekly_honours_them(site, capsys, shared_embedder):  # noqa: F811
    client, settings = site
    status, _, index = client.request("GET", "/")
    assert status == 200 and 'href="/semaine"' in index
    status, headers, page = client.request("GET", "/semaine")
    assert status == 200 and headers["content-security-policy"] == CSP and "<script" not in page
    listed = rows(page)
    assert {r["show"] for r in listed} == {
        "Octets du Matin",
        "Le Fil Numérique",
        "Terre Numérique",
        "Le Club des Codeurs",
    }
    assert all(r["state"] == "none" and r["title"] for r in listed)
    assert "novembre 2026" in page and "Épingler" in page and "Écarter" in page
    [fibre] = naming(settings, "fibre optique")
    navea = naming(settings, "NavéoCloud")  # the data centre: Octets du Matin and Le Fil Numérique
    octets = next(k for k in navea if "octets" in k)

    status, headers, _ = client.post("/semaine/epingler", {"csrf_token": client.token, "histoire": fibre})
    assert status == 303 and headers["location"] == "/semaine?fait=epingle"
    status, headers, _ = client.post("/semaine/ecarter", {"csrf_token": client.token, "histoire": octets})
    assert status == 303 and headers["location"] == "/semaine?fait=ecarte"
    stored = picks(settings)
    assert len(stored["pin"]) == 1 and len(stored["drop"]) == 1

    _, _, page = client.request("GET", "/semaine?fait=ecarte")
    assert "Histoire écartée de l&#39;édition de la semaine." in page
    states = {r["key"]: r["state"] for r in rows(page)}
    assert states[fibre] == "pin" and states[octets] == "drop"

    capsys.readouterr()
    assert main(["weekly", "--json", "-q"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert not datacentre(doc)  # dropped from the page
    assert any(item["reason"] == "dropped" for item in doc["left_out"])
    assert doc["ideas"][0]["pinned"] and {s["show"] for s in doc["ideas"][0]["sources"]} == {
        "Terre Numérique"
    }
    assert doc["unmatched_picks"] == []


def test_a_post_without_its_token_or_from_elsewhere_changes_nothing(site):
    client, settings = site
    key = rows(client.request("GET", "/semaine")[2])[0]["key"]
    refused = [
        client.post("/semaine/epingler", {"histoire": key}),
        client.post("/semaine/ecarter", {"csrf_token": "faux", "histoire": key}),
        client.post(
            "/semaine/epingler",
            {"csrf_token": client.token, "histoire": key},
            headers={"Origin": "http://evil.example"},
        ),
        client.post(
            "/semaine/ecarter",
            {"csrf_token": client.token, "histoire": key},
            headers={"Sec-Fetch-Site": "cross-site"},
        ),
        client.post(
            "/semaine/epingler",
            {"csrf_token": client.token, "histoire": key},
            headers={"Host": "evil.example"},
        ),
    ]
    assert [status for status, _, _ in refused] == [403] * 5
    assert "Jeton de formulaire absent ou invalide" in refused[0][2]
    assert not (settings.paths.state / "weekly" / "picks.json").exists()
    status, _, page = client.post("/semaine/epingler", {"csrf_token": client.token, "histoire": "x:9"})
    assert status == 404 and "introuvable" in page
    assert client.request("GET", "/semaine/epingler")[0] == 404  # actions are POST only


def test_undo_and_the_cli_picks_show_on_the_page(site, capsys):
    client, settings = site
    assert main(["weekly", "drop", "NavéoCloud"]) == 0
    assert main(["weekly", "pin", "zeppelin", "lunaire"]) == 0  # names no story of the week
    capsys.readouterr()
    page = client.request("GET", "/semaine")[2]
    dropped = [r for r in rows(page) if r["state"] == "drop"]
    assert sorted(r["key"] for r in dropped) == sorted(naming(settings, "NavéoCloud"))
    assert {r["show"] for r in dropped} == {"Octets du Matin", "Le Fil Numérique"}
    assert all("choix : NavéoCloud" in r["card"] for r in dropped)
    assert "« zeppelin lunaire »" in page  # listed among the picks that name no story

    # Pinning a dropped story undoes the drop; "Annuler" undoes the pin.
    key = dropped[0]["key"]
    assert client.post("/semaine/epingler", {"csrf_token": client.token, "histoire": key})[0] == 303
    assert picks(settings)["drop"] == [] and len(picks(settings)["pin"]) == 2
    assert client.post("/semaine/annuler", {"csrf_token": client.token, "histoire": key})[0] == 303
    assert picks(settings) == {"pin": ["zeppelin lunaire"], "drop": []}
    status, headers, _ = client.post(
        "/semaine/annuler", {"csrf_token": client.token, "mots": "zeppelin lunaire"}
    )
    assert status == 303 and headers["location"] == "/semaine?fait=annule"
    assert picks(settings) == {"pin": [], "drop": []}
    page = client.request("GET", "/semaine?fait=annule")[2]
    assert "Choix annulé." in page and all(r["state"] == "none" for r in rows(page))


def test_without_the_weekly_edition_the_page_says_so(tmp_path: Path):
    server = review.review_server(
        tmp_path, newsletter=load_settings(None, env={}).newsletter, templates_dir=TEMPLATES
    )
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        client = ReviewClient(server)
        status, _, page = client.request("GET", "/semaine")
        assert status == 200 and "L&#39;édition de la semaine n&#39;est pas disponible ici." in page
        assert client.post("/semaine/epingler", {"csrf_token": client.token, "histoire": "a:0"})[0] == 404
    finally:
        server.shutdown()
        server.server_close()


def test_the_week_page_speaks_english_on_request(site):
    client, _ = site
    page = client.request("GET", "/semaine", headers={"Accept-Language": "en-GB,en;q=0.8"})[2]
    assert "Weekly edition" in page and "Pin" in page and "neither pinned nor dropped" in page
