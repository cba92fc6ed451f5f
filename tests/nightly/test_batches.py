"""Batch mode of the nightly run against a loopback Batch API in front of the fake chat server."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from batch_server import BatchServer, Plan
from conftest import FIXTURES
from shared_embedder import shared_embedder  # noqa: F401 - fixture

from generator import crashpoint, pipeline
from generator.cli import main
from generator.config import load_settings
from generator.edition import outbox
from generator.llm import make_backend
from generator.nightly.batches import deadline_after, too_late
from generator.nightly.ledger import Ledger

MODEL = "gpt-4o-mini"
INPUTS = ("ciel-ouvert.srt", "pedales-et-circuits.srt")
_MARK = re.compile(r"\[\d\d:\d\d(?::\d\d)?\]\s*")


def responder(body: dict[str, Any]) -> dict[str, Any]:
    """Grounded answers built from the request's own transcript (any prompt version)."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")  # a repair adds turns
    if "<resumes>" in user:
        return {
            "title": "Ce que la semaine a montré",
            "intro": "Cette semaine, plusieurs sujets ont retenu mon attention, les voici dans l'ordre.",
            "closing": "Bonne lecture à toutes et à tous.",
            "order": [int(i) for i in re.findall(r"^\[(\d+)\]", user, re.MULTILINE)],
        }
    text = _MARK.sub("", user.split("<transcription>")[1].split("</transcription>")[0])
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if 8 <= len(s.split()) <= 40]
    sentences = sentences or ["Un sujet de l'émission a été abordé ce soir-là."]
    return {
        "title": " ".join(sentences[0].split()[:8]).rstrip(".,"),
        "summary": " ".join(sentences[:3]),
        "key_points": sentences[:2],
        "quotes": [{"text": sentences[0]}],
        "entities": [],
    }


class Killed(BaseException):
    """A simulated kill -9: nothing in the run catches it."""


def _config(root: Path, *, deadline_in: float = 3.0) -> None:
    """A send time and deadline hours away from now, so the real clock never crosses them by chance."""
    now = dt.datetime.now(ZoneInfo("Europe/Paris"))
    deadline = (now + dt.timedelta(hours=deadline_in)).strftime("%H:%M")
    send = (now + dt.timedelta(hours=deadline_in + 1)).strftime("%H:%M")
    (root / "newsletter.toml").write_text(
        f'[llm]\nbatch = true\nbatch_deadline = "{deadline}"\n[schedule]\ntime = "{send}"\n', encoding="utf-8"
    )


class Night:
    """A project folder, the fake model behind a loopback Batch API, and runs at a movable clock."""

    def __init__(self, root: Path, fake: Any, loop: BatchServer) -> None:
        self.root, self.fake, self.loop = root, fake, loop
        self.offset = 0.0
        for name in INPUTS:
            self.drop(name)
        _config(root)

    def drop(self, name: str) -> None:
        target = self.root / "inbox" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / "run" / name, target)
        old = time.time() - 3600
        os.utime(target, (old, old))

    def settings(self):
        env = {"OPENAI_BASE_URL": self.loop.base_url, "OPENAI_API_KEY": "test", "NEWSLETTER_MODEL": MODEL}
        return load_settings(
            self.root / "newsletter.toml",
            env=env,
            overrides={"llm": {"max_retries": 0, "max_concurrency": 1}},
        )

    def run(self, crash: str | None = None, monkeypatch: Any = None, *, sync_fallback: bool = False):
        if crash is not None:

            def die() -> None:
                raise Killed(crash)

            monkeypatch.setattr(crashpoint, "from_env", lambda env=None: crashpoint.CrashAt(crash, kill=die))
        settings = self.settings()
        with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
            tools = pipeline.build_tools(
                settings, make_backend(settings, ledger), clock=lambda: time.time() + self.offset
            )
            options = pipeline.NightOptions(sync_fallback=sync_fallback)
            return pipeline.run_nightly(tools, ledger=ledger, options=options)

    def drafts(self) -> list[outbox.DraftInfo]:
        return outbox.list_drafts(self.root / "outbox")

    def lines(self, n: int) -> list[dict[str, Any]]:
        """The JSONL lines of the n-th batch created."""
        data = self.loop.files[self.loop.created[n]["input_file_id"]]
        return [json.loads(x) for x in data.decode().splitlines()]


@pytest.fixture
def night(fake_llm, tmp_path: Path, shared_embedder):  # noqa: F811
    fake_llm.responder = responder
    fake_llm.models = (MODEL,)
    loop = BatchServer(fake_llm.base_url).start()
    yield Night(tmp_path, fake_llm, loop)
    loop.stop()


def _sync_draft(tmp_path: Path, fake: Any) -> dict[str, Any]:
    """The same inputs through the synchronous path, for comparison."""
    root = tmp_path / "sync"
    for name in INPUTS:
        (root / "inbox").mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / "run" / name, root / "inbox" / name)
        old = time.time() - 3600
        os.utime(root / "inbox" / name, (old, old))
    env = {"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "test", "NEWSLETTER_MODEL": MODEL}
    settings = load_settings(None, env=env, cwd=root, overrides={"llm": {"max_concurrency": 1}})
    with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
        tools = pipeline.build_tools(settings, make_backend(settings, ledger))
        result = pipeline.run_nightly(tools, ledger=ledger)
    [draft] = outbox.list_drafts(root / "outbox")
    assert result.status == "ok"
    return json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))


def _sections(meta: dict[str, Any]) -> list[Any]:
    """Each section's title, place and quotes: a mismatched answer would put them under another topic."""
    return [(s["title"], s["episode"], s["start_s"], s["quotes"]) for s in meta["sections"]] + [
        (q["text"], q.get("start_s")) for q in meta["quotes"]
    ]


def test_first_run_returns_waiting_then_later_runs_write_the_draft(night) -> None:
    first = night.run()
    assert first.status == "waiting" and first.exit_code == 0 and first.drafts == ()
    [waiting] = first.waiting
    total = waiting["requests"]["total"]
    assert waiting["status"] == "in_progress" and total >= 4 and waiting["batch_id"] == "batch-0002"
    assert {i.status for i in first.inputs} == {"waiting"} and night.drafts() == []
    assert sorted(p.name for p in (night.root / "inbox").glob("*.srt")) == sorted(INPUTS)
    lines = night.lines(0)
    assert all(line["method"] == "POST" and line["url"] == "/v1/chat/completions" for line in lines)
    assert len({line["custom_id"] for line in lines}) == total
    assert night.fake.chat_requests == [] and night.loop.sync_calls == 0

    # Still running: the next tick submits nothing and processes nothing.
    again = night.run()
    assert again.status == "waiting" and len(night.loop.created) == 1

    night.loop.process()
    third = night.run()  # the summaries are in; the compose call goes as a second small batch
    assert third.status == "waiting" and len(night.loop.created) == 2
    assert len(night.lines(1)) == 1 and "<resumes>" in night.lines(1)[0]["body"]["messages"][-1]["content"]

    night.loop.process()
    done = night.run()
    assert done.status == "ok" and len(done.drafts) == 1
    [draft] = night.drafts()
    meta = json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))
    assert meta["extra"]["batches"] == [b["id"] for b in night.loop.batches.values()]
    assert not meta["extra"]["failed_segments"]
    assert night.loop.sync_calls == 0 and night.loop.line_calls == total + 1  # each request once
    tokens = meta["tokens"]
    assert tokens["input"] > 0 and done.usage.batch_input == done.usage.input
    assert meta["extra"]["batch_tokens"] == {"input": tokens["input"], "output": tokens["output"]}
    # Priced at the batch rate: half of gpt-4o-mini's synchronous price.
    full = (tokens["input"] * 0.15 + tokens["output"] * 0.60) / 1e6
    assert meta["cost_estimate"] == pytest.approx(full / 2, rel=1e-6)

    # Unchanged: nothing new, nothing submitted.
    quiet = night.run()
    assert quiet.status == "nothing" and len(night.loop.created) == 2


def test_shuffled_answers_are_matched_by_custom_id(night, tmp_path: Path) -> None:
    night.loop.script(Plan(shuffle=True), Plan(shuffle=True))
    night.run()
    night.loop.process()
    night.run()
    night.loop.process()
    assert night.run().status == "ok"
    [draft] = night.drafts()
    batch = json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))
    assert _sections(batch) == _sections(_sync_draft(tmp_path, night.fake))


def test_failed_lines_alone_are_retried(night) -> None:
    night.loop.script(Plan(fail_lines=frozenset({1})))
    first = night.run()
    failed_id = night.lines(0)[1]["custom_id"]
    night.loop.process()
    second = night.run()
    assert second.status == "waiting"
    # Only the failed line goes again, as a new line of the same request (never the same line twice).
    assert [line["custom_id"] for line in night.lines(1)] == [f"{failed_id}.2"]
    night.loop.process()
    night.run()  # compose batch
    night.loop.process()
    assert night.run().status == "ok" and night.loop.sync_calls == 0
    assert night.loop.line_calls == first.waiting[0]["requests"]["total"] + 1  # failed line not executed


@pytest.mark.parametrize("status", [400, 500])
def test_a_refused_response_format_is_learnt_from_the_batch_and_never_goes_synchronous(night, status) -> None:
    """llama.cpp's Python server refuses json_schema (HTTP 500): the lines go again, in a batch, without it."""
    night.fake.reject_formats = frozenset({"json_schema"})
    night.fake.reject_status = status
    total = night.run().waiting[0]["requests"]["total"]
    night.loop.process()
    second = night.run()
    assert second.status == "waiting" and any(
        "refused response format json_schema" in n for n in second.notes
    )
    retried = night.lines(1)
    assert len(retried) == total and all(line["custom_id"].endswith(".2") for line in retried)
    assert {line["body"]["response_format"]["type"] for line in retried} == {"json_object"}
    assert all("schema" in line["body"]["response_format"] for line in retried)  # json_object + schema
    for _ in range(3):
        night.loop.process()
        result = night.run()
        if result.status != "waiting":
            break
    assert result.status == "ok" and night.loop.sync_calls == 0
    ids = [line["custom_id"] for n in range(len(night.loop.created)) for line in night.lines(n)]
    assert len(ids) == len(set(ids))
    # The compose line, built by a later run, already used the format the server accepts.
    assert night.lines(len(night.loop.created) - 1)[0]["body"]["response_format"]["type"] == "json_object"
    assert night.run().status == "nothing"


def test_expired_batch_keeps_its_answers_and_the_rest_joins_the_next_batch(night) -> None:
    night.loop.script(Plan(outcome="expired", answered=2))
    total = night.run().waiting[0]["requests"]["total"]
    night.loop.process()
    second = night.run()
    assert second.status == "waiting" and night.loop.sync_calls == 0
    assert len(night.lines(1)) == total - 2  # the lines the expired batch never ran, in a new batch
    for _ in range(3):
        night.loop.process()
        result = night.run()
        if result.status != "waiting":
            break
    assert result.status == "ok" and night.loop.sync_calls == 0
    assert result.calls["synchronous"]["calls"] == 0 and result.calls["batched"]["calls"] == total + 1


def test_with_sync_fallback_an_expired_batch_does_the_rest_synchronously(night) -> None:
    night.loop.script(Plan(outcome="expired", answered=2))
    total = night.run(sync_fallback=True).waiting[0]["requests"]["total"]
    night.loop.process()
    result = night.run(sync_fallback=True)
    assert night.loop.sync_calls == total - 2
    assert result.status == "waiting"  # the compose call still goes as a batch
    assert result.calls["synchronous"]["calls"] == total - 2
    assert all("--sync-fallback" in w["reason"] for w in result.calls["synchronous"]["why"])
    night.loop.process()
    done = night.run(sync_fallback=True)
    assert done.status == "ok"
    # The draft still knows which calls went synchronously (their answers came back from the cache).
    [draft] = night.drafts()
    calls = json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))["extra"]["calls"]
    assert calls["synchronous"]["calls"] == total - 2 and calls["batched"]["calls"] == 3
    assert calls["synchronous"]["cost"] > 0 and calls["batched"]["cost"] > 0


def test_failed_batch_goes_again_in_a_batch(night) -> None:
    night.loop.script(Plan(outcome="failed"))
    total = night.run().waiting[0]["requests"]["total"]
    night.loop.process()
    assert night.run().status == "waiting"
    assert night.loop.sync_calls == 0 and len(night.lines(1)) == total


def test_failed_batch_goes_synchronously_with_sync_fallback(night) -> None:
    night.loop.script(Plan(outcome="failed"))
    total = night.run(sync_fallback=True).waiting[0]["requests"]["total"]
    night.loop.process()
    night.run(sync_fallback=True)
    assert night.loop.sync_calls == total and night.loop.line_calls == 0


def test_past_the_deadline_waiting_batches_are_cancelled_and_done_synchronously(night) -> None:
    total = night.run().waiting[0]["requests"]["total"]
    night.offset = 3.5 * 3600  # past the deadline, before the send time
    result = night.run()
    assert result.status == "ok" and len(night.drafts()) == 1
    assert night.loop.batches["batch-0002"]["status"] == "cancelled"
    assert night.loop.sync_calls == total + 1 and len(night.loop.created) == 1  # compose too: too late
    assert any("deadline" in n for n in result.notes)


@pytest.mark.parametrize("point", ["batch_intent", "batch_uploaded", "batch_created", "batch_recorded"])
def test_a_kill_while_submitting_never_submits_twice(night, monkeypatch, point: str) -> None:
    with pytest.raises(Killed):
        night.run(crash=point, monkeypatch=monkeypatch)
    monkeypatch.setattr(crashpoint, "from_env", lambda env=None: crashpoint.never)
    result = night.run()
    assert result.status == "waiting" and len(night.loop.created) == 1
    assert night.loop.uploads == 1
    total = result.waiting[0]["requests"]["total"]
    night.loop.process()
    night.run()
    night.loop.process()
    assert night.run().status == "ok"
    assert len(night.loop.created) == 2 and night.loop.line_calls == total + 1


def test_run_json_lists_the_batch_under_waiting(night, capsys, monkeypatch) -> None:
    monkeypatch.chdir(night.root)
    monkeypatch.setenv("OPENAI_BASE_URL", night.loop.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("NEWSLETTER_MODEL", MODEL)
    assert main(["run", "--dry-run", "--json", "-q"]) == 0
    estimate = json.loads(capsys.readouterr().out)["estimate"]
    assert estimate["cost_estimate_batch"] == pytest.approx(estimate["cost_estimate"] / 2)
    assert main(["run", "--json", "-q"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "waiting" and doc["drafts"] == []
    [waiting] = doc["waiting"]
    assert waiting["status"] == "in_progress" and waiting["requests"]["total"] >= 4


def test_deadline_defaults_to_an_hour_before_the_send_time(tmp_path: Path) -> None:
    (tmp_path / "newsletter.toml").write_text('[schedule]\ntime = "06:00"\n', encoding="utf-8")
    settings = load_settings(tmp_path / "newsletter.toml", env={})
    paris = ZoneInfo("Europe/Paris")
    evening = dt.datetime(2026, 11, 30, 23, 10, tzinfo=paris).timestamp()
    assert deadline_after(evening, settings) == dt.datetime(2026, 12, 1, 5, 0, tzinfo=paris).timestamp()
    assert not too_late(evening, settings)
    assert too_late(dt.datetime(2026, 12, 1, 5, 30, tzinfo=paris).timestamp(), settings)
    assert not too_late(dt.datetime(2026, 12, 1, 6, 30, tzinfo=paris).timestamp(), settings)


def test_an_invalid_batch_answer_gets_its_repair_in_the_next_batch(night) -> None:
    night.fake.script("english")  # the first line executed answers in English
    first = night.run()
    total = first.waiting[0]["requests"]["total"]
    night.loop.process()
    assert night.run().status == "waiting"
    [repair] = night.lines(1)
    assert repair["custom_id"].endswith(".repair")
    messages = repair["body"]["messages"]
    assert messages[-2]["role"] == "assistant" and "français" in messages[-1]["content"]
    night.loop.process()
    night.run()  # compose
    night.loop.process()
    assert night.run().status == "ok" and night.loop.sync_calls == 0
    [draft] = night.drafts()
    meta = json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))
    assert not meta["extra"]["failed_segments"] and meta["tokens"]["input"] > 0
    assert night.loop.line_calls == total + 2


def test_a_server_without_batch_api_stops_the_run_with_one_line_and_loses_nothing(
    night, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(night.root)
    monkeypatch.setenv("OPENAI_BASE_URL", night.fake.base_url)  # the chat server alone: no /v1/files
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("NEWSLETTER_MODEL", MODEL)
    assert main(["run", "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "HTTP 404" in err[0] and "batch = false" in err[0]
    assert sorted(p.name for p in (night.root / "inbox").glob("*.srt")) == sorted(INPUTS)
    assert night.drafts() == [] and night.fake.chat_requests == []
    monkeypatch.setenv("NEWSLETTER_BATCH", "0")  # the way out the message gives
    assert main(["run", "-q"]) == 0 and len(night.drafts()) == 1


def test_a_lying_output_file_is_matched_safely_and_a_lost_batch_goes_again(night) -> None:
    total = night.run().waiting[0]["requests"]["total"]
    night.loop.process()
    out = night.loop.batches["batch-0002"]["output_file_id"]
    lines = night.loop.files[out].decode().splitlines()
    # A torn line, a custom_id we never sent, and one real answer dropped: only real matches count.
    stranger = json.loads(lines[0]) | {"custom_id": "not-ours"}
    night.loop.files[out] = "\n".join(["{torn", json.dumps(stranger), *lines[1:]]).encode() + b"\n"
    assert night.run().status == "waiting"  # the dropped line goes again, alone
    assert (
        len(night.lines(1)) == 1
        and night.lines(1)[0]["custom_id"] == json.loads(lines[0])["custom_id"] + ".2"
    )
    del night.loop.batches[list(night.loop.batches)[-1]]  # the provider lost the retry batch
    result = night.run()
    assert any("no longer knows" in n for n in result.notes)
    assert night.loop.sync_calls == 0  # the lost line goes again, in a new batch
    assert night.lines(2)[0]["custom_id"] == json.loads(lines[0])["custom_id"] + ".3"
    for _ in range(3):
        night.loop.process()
        done = night.run()
        if done.status != "waiting":
            break
    # every line once, and the lost one once more (the lost batch never ran it), plus compose
    assert done.status == "ok" and night.loop.sync_calls == 0 and night.loop.line_calls == total + 2


@pytest.mark.slow
@pytest.mark.parametrize("point", ["batch_intent", "batch_uploaded", "batch_created", "batch_recorded"])
def test_a_real_kill_while_submitting_never_submits_twice(night, point: str) -> None:
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NEWSLETTER_"))}
    env |= {"OPENAI_BASE_URL": night.loop.base_url, "OPENAI_API_KEY": "t", "NEWSLETTER_MODEL": MODEL}
    env |= {"PYTHONPATH": str(ROOT), "NEWSLETTER_MAX_CONCURRENCY": "1"}
    cmd = [sys.executable, "-m", "generator", "run", "--json", "-q"]

    def run(**extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cmd, cwd=night.root, env=env | extra, capture_output=True, text=True, timeout=300
        )

    killed = run(NEWSLETTER_TEST_CRASH_AT=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = run()
    assert again.returncode == 0, again.stderr
    doc = json.loads(again.stdout)
    assert doc["status"] == "waiting" and len(night.loop.created) == 1 and night.loop.uploads == 1
    night.loop.process()
    run()  # compose batch
    night.loop.process()
    assert json.loads(run().stdout)["status"] == "ok"
    assert night.loop.line_calls == doc["waiting"][0]["requests"]["total"] + 1
