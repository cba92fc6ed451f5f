"""kill -9 of the real `newsletter run` while it takes a feed's new episode: on the next run the episode is
in the inbox once, downloaded once (never again once it has landed), and drafted exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from feed_server import FeedServer, Route, item, rss

from generator.crashpoint import ENV_VAR
from generator.sources import SourceStore
from generator.sources import store as st

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPT = ROOT / "tests" / "fixtures" / "run" / "ciel-ouvert.srt"


def _run(folder: Path, crash: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NEWSLETTER_"))}
    if crash:
        env[ENV_VAR] = crash
    return subprocess.run(
        [sys.executable, "-m", "generator", "run", "--json", "-q", "--config", str(folder / "newsletter.toml")],
        capture_output=True, text=True, cwd=folder, env=env, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize("point", ["source_claimed", "source_placed"])  # before the download; file landed
def test_a_run_killed_while_taking_an_episode_loses_nothing_and_doubles_nothing(tmp_path, point):
    with FeedServer() as server:
        server.routes["/t/1.srt"] = Route(TRANSCRIPT.read_bytes(), content_type="application/srt")
        link = f'<podcast:transcript url="{server.url("/t/1.srt")}" type="application/srt" language="fr"/>'
        episode = item("ep-1", "Ciel ouvert", "Mon, 30 Nov 2026 06:00:00 +0100", extra=link)
        server.routes["/f.xml"] = Route(rss("Ciel ouvert", [episode]))
        (tmp_path / "newsletter.toml").write_text(
            '[paths]\ninbox = "inbox"\noutbox = "outbox"\nstate = "state"\n\n'
            f'[[sources]]\nurl = "{server.url("/f.xml")}"\n',
            encoding="utf-8",
        )
        killed = _run(tmp_path, crash=point)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert not list((tmp_path / "outbox").glob("*/draft.json"))  # killed before any draft
        landed = list((tmp_path / "inbox").glob("*.srt"))
        assert len(landed) == (1 if point == "source_placed" else 0)

        again = _run(tmp_path)
        assert again.returncode == 0, again.stderr
        assert len(json.loads(again.stdout)["drafts"]) == 1
        assert (
            len(server.requests_to("/t/1.srt")) == 1
        )  # claimed: fetched after the restart; placed: never again
        third = _run(tmp_path)  # nothing new: no download, no draft
        assert third.returncode == 0 and json.loads(third.stdout)["drafts"] == []
        assert len(server.requests_to("/t/1.srt")) == 1
    assert len(list((tmp_path / "outbox").glob("*/draft.json"))) == 1
    assert len(list((tmp_path / "inbox").rglob("*.srt"))) == 1  # once, moved to processed/
    with SourceStore(tmp_path / "state" / st.STORE_NAME) as store:
        [row] = store.items(server.url("/f.xml"))
        assert row.status == st.DELIVERED
