"""Batch mode against the real local model (marker `llm`): a loopback Batch API in front of its chat server.

The show is unseen (our own short fixture). The first run returns at once with the batch waiting and
no draft; later runs write the draft; no synchronous chat call is ever made; no request is submitted
twice; draft.json names the batches; an unchanged re-run submits nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from batch_server import BatchServer
from conftest import FIXTURES
from shared_embedder import shared_embedder  # noqa: F401 - fixture
from test_llm_real import MODEL, llm_url  # noqa: F401 - fixture

from generator import pipeline
from generator.config import load_settings
from generator.edition import outbox
from generator.llm import make_backend
from generator.nightly.ledger import Ledger

pytestmark = pytest.mark.llm

SHOW = "ciel-ouvert.srt"
ROUNDS = 6  # summaries, their repairs if any, compose, its repair if any


def _settings(root: Path, url: str):
    now = dt.datetime.now(ZoneInfo("Europe/Paris"))
    deadline = (now + dt.timedelta(hours=3)).strftime("%H:%M")
    send = (now + dt.timedelta(hours=4)).strftime("%H:%M")
    (root / "newsletter.toml").write_text(
        f'[llm]\nbatch = true\nbatch_deadline = "{deadline}"\n[schedule]\ntime = "{send}"\n', encoding="utf-8"
    )
    env = {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": "local-llm", "NEWSLETTER_MODEL": MODEL}
    llm = {
        "timeout": 900.0,
        "max_retries": 1,
        "max_concurrency": 1,
        "context_window": 8192,
        "temperature": 0.0,
    }
    return load_settings(root / "newsletter.toml", env=env, overrides={"llm": llm})


def _run(root: Path, url: str):
    settings = _settings(root, url)
    with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
        return pipeline.run_nightly(
            pipeline.build_tools(settings, make_backend(settings, ledger)), ledger=ledger
        )


def _wait(loop: BatchServer, timeout: float = 1800.0) -> None:
    """Until every batch has finished (the worker runs the lines one at a time against the model)."""
    deadline = time.monotonic() + timeout
    while any(b["status"] == "in_progress" for b in loop.batches.values()):
        assert time.monotonic() < deadline, "the local model did not finish the batch in time"
        time.sleep(2)


def _sync_report(loop: BatchServer) -> str:
    """What the synchronous chat calls asked, to see which stage bypassed the batch."""
    out = [f"{loop.sync_calls} synchronous chat call(s):"]
    for body in loop.sync_bodies:
        messages = body.get("messages") or []
        head = " | ".join(f"{m.get('role')}: {str(m.get('content'))[:160]!r}" for m in messages[:3])
        out.append(f"- {len(messages)} messages, max_tokens={body.get('max_tokens')}: {head}")
    return "\n".join(out)


def _report(loop: BatchServer, rounds: int, calls: dict) -> None:
    """The measured figures, for BENCHMARKS.md (shown with `pytest -s`)."""
    lines = sum(len(loop.files[b["input_file_id"]].decode().splitlines()) for b in loop.batches.values())
    print(
        f"\nbatch night (real model): {rounds} round(s), {len(loop.batches)} batch(es), {lines} line(s), "
        f"{loop.sync_calls} synchronous chat call(s); draft: {json.dumps(calls, ensure_ascii=False)}"
    )


def test_a_night_through_the_batch_api_of_the_real_model(llm_url, tmp_path: Path, shared_embedder):  # noqa: F811
    (tmp_path / "inbox").mkdir()
    shutil.copy(FIXTURES / "run" / SHOW, tmp_path / "inbox" / SHOW)
    old = time.time() - 3600
    os.utime(tmp_path / "inbox" / SHOW, (old, old))
    loop = BatchServer(llm_url, auto=True).start()
    try:
        started = time.monotonic()
        first = _run(tmp_path, loop.base_url)
        assert time.monotonic() - started < 120  # returns at once: nothing waits for the model
        assert first.status == "waiting" and first.drafts == () and first.waiting
        assert outbox.list_drafts(tmp_path / "outbox") == []
        rounds = 1
        for _ in range(ROUNDS):
            _wait(loop)
            result = _run(tmp_path, loop.base_url)
            if result.status != "waiting":
                break
            rounds += 1
        assert result.status == "ok", result.to_json()
        [draft] = outbox.list_drafts(tmp_path / "outbox")
        meta = json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))
        assert meta["extra"]["batches"] and set(meta["extra"]["batches"]) <= set(loop.batches)
        assert loop.sync_calls == 0, _sync_report(loop)  # every answer came through a batch
        # The draft was written after the last round: every batch was created before it.
        written = json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))["created"]
        assert all(b["status"] == "completed" for b in loop.batches.values()), written
        calls = result.to_json()["calls"]
        assert calls["synchronous"]["calls"] == 0 and calls["batched"]["calls"] >= 2
        assert meta["extra"]["calls"]["batched"]["calls"] == calls["batched"]["calls"]
        _report(loop, rounds, calls)
        ids = [
            json.loads(line)["custom_id"]
            for b in loop.batches.values()
            for line in loop.files[b["input_file_id"]].decode().splitlines()
        ]
        assert len(ids) == len(set(ids)), "a request was submitted twice"
        created = len(loop.created)
        assert _run(tmp_path, loop.base_url).status == "nothing" and len(loop.created) == created
    finally:
        loop.stop()
