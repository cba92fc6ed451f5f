"""Batch nights keep their promise (issue 27): every call of the night through the batch, the draft says so.

Through the CLI, in front of the repository's fake model behind a loopback Batch API: 0 synchronous chat
calls before the deadline, the draft written after the last round with its batch ids, and `run --json`,
draft.json and `show` reporting the calls and cost of each path.
"""

from __future__ import annotations

import json

import pytest
from shared_embedder import shared_embedder  # noqa: F401 - fixture
from test_batches import MODEL, night  # noqa: F401 - fixture

from generator.cli import main


@pytest.fixture
def cli(night, monkeypatch):  # noqa: F811
    monkeypatch.chdir(night.root)
    monkeypatch.setenv("OPENAI_BASE_URL", night.loop.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("NEWSLETTER_MODEL", MODEL)
    return night


def _run_json(capsys, *args: str) -> dict:
    code = main(["run", "--json", "-q", *args])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0, doc
    return doc


def test_a_batch_night_makes_no_synchronous_call_and_the_draft_says_which_path_each_took(cli, capsys) -> None:
    runs = cli
    assert main(["run", "--dry-run", "-q"]) == 0
    assert "mode lot : 2 tour(s) de lots, 7 requête(s) par lot" in capsys.readouterr().out
    estimate = _run_json(capsys, "--dry-run")["estimate"]
    assert estimate["batch"]["rounds"] == 2  # per-segment calls, then the edition call over their answers
    assert estimate["batch"]["calls"] == estimate["calls"]
    assert estimate["batch"]["cost"] == pytest.approx(estimate["cost_estimate"] / 2)

    docs = [_run_json(capsys)]
    while docs[-1]["status"] == "waiting":
        assert runs.drafts() == [] and len(docs) <= 4
        runs.loop.process()
        docs.append(_run_json(capsys))
    done = docs[-1]
    assert done["status"] == "ok" and runs.loop.sync_calls == 0 and runs.fake.chat_requests
    assert len(runs.loop.created) == estimate["batch"]["rounds"]  # as few rounds as the dependencies allow
    # Every batch finished before the draft was written.
    assert all(b["status"] == "completed" for b in runs.loop.batches.values())

    calls = done["calls"]
    assert calls["synchronous"] == {"calls": 0, "tokens": {"input": 0, "output": 0}, "cost": 0.0, "why": []}
    assert calls["batched"]["calls"] == estimate["calls"] and calls["deferred"] == 0
    assert calls["batched"]["cost"] == pytest.approx(done["cost_estimate"]) and calls["batched"]["cost"] > 0
    assert calls["batches"] == list(runs.loop.batches)
    # Per call: its path, its batch and its own cost, which add up to the path's totals.
    each = calls["each"]
    assert len(each) == estimate["calls"] and {c["path"] for c in each} == {"batched"}
    assert {c["batch_id"] for c in each} == set(runs.loop.batches)
    assert sum(c["cost"] for c in each) == pytest.approx(calls["batched"]["cost"], abs=1e-5)
    assert sum(c["tokens"]["input"] for c in each) == calls["batched"]["tokens"]["input"]
    # A waiting run reports what it deferred and calls nothing synchronously either.
    assert (
        docs[0]["calls"]["deferred"] == estimate["calls"] - 1
        and docs[0]["calls"]["synchronous"]["calls"] == 0
    )

    [draft] = runs.drafts()
    extra = json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))["extra"]
    assert extra["batches"] == list(runs.loop.batches)
    assert extra["calls"]["batched"] == calls["batched"] and extra["calls"]["synchronous"]["calls"] == 0
    assert extra["calls"]["each"] == calls["each"]  # every call, with its path, batch and cost, in the draft

    assert main(["show", draft.id]) == 0
    err = capsys.readouterr().err
    assert f"lots : {', '.join(runs.loop.batches)}" in err
    assert f"{estimate['calls']} par lot" in err and "0 synchrone(s)" in err


def test_past_the_deadline_each_synchronous_call_is_counted_and_explained(cli, capsys) -> None:
    runs = cli
    total = runs.run().waiting[0]["requests"]["total"]
    runs.offset = 3.5 * 3600  # past the deadline, before the send time: the run may not wait any longer
    done = runs.run().to_json()
    assert done["status"] == "ok" and runs.loop.sync_calls == total + 1
    sync = done["calls"]["synchronous"]
    assert sync["calls"] == total + 1 and sync["cost"] > 0 and done["calls"]["batched"]["calls"] == 0
    assert sync["cost"] == pytest.approx(done["cost_estimate"])  # full price: no batch discount
    assert len(sync["why"]) == total + 1 and all("heure limite" in w["reason"] for w in sync["why"])
    each = done["calls"]["each"]
    assert [c["path"] for c in each] == ["synchronous"] * (total + 1)
    assert all("heure limite" in c["reason"] and "batch_id" not in c for c in each)
    assert {c.get("left_batch") for c in each} <= {
        None,
        *runs.loop.batches,
    }  # the batch it stopped waiting for
    [draft] = runs.drafts()
    extra = json.loads((draft.path / "draft.json").read_text(encoding="utf-8"))["extra"]
    assert extra["calls"]["synchronous"]["calls"] == total + 1
    assert main(["show", draft.id]) == 0
    assert "synchrone : " in capsys.readouterr().err


def test_a_model_call_before_the_summaries_waits_for_its_batch_round_too(night, monkeypatch) -> None:  # noqa: F811
    """Any stage's model call joins a batch (here a stand-in for a segmentation pass): its input waits
    (never failed), its answer comes from round 1, the summaries that need it go in round 2, the edition in 3."""
    from dataclasses import replace

    from generator.pipeline import night as pipeline_night
    from generator.pipeline.edition import load
    from generator.pipeline.tools import Timings
    from generator.topics import segment
    from generator.writing import summariser

    real_prepare = pipeline_night.prepare

    def with_a_pass_first(path, tools, **kw):
        episode, _ = load(path, tools, Timings())
        segments = segment(
            episode, min_segment_s=tools.settings.segment.min_segment_s, embedder=tools.embedder
        )
        units = summariser.plan_requests(
            episode, segments, prompts=tools.prompts, tokenizer=tools.tokenizer, context_window=8192
        )
        first = units[0].request
        tools.backend.complete_json(replace(first, max_tokens=first.max_tokens - 7))  # its own cache key
        return real_prepare(path, tools, **kw)

    monkeypatch.setattr(pipeline_night, "prepare", with_a_pass_first)
    first = night.run()
    assert first.status == "waiting" and {i.status for i in first.inputs} == {"waiting"}
    assert len(night.lines(0)) == 2 and first.calls["deferred"] == 2
    runs = [first]
    while runs[-1].status == "waiting" and len(runs) < 5:
        night.loop.process()
        runs.append(night.run())
    assert runs[-1].status == "ok" and len(night.loop.created) == 3 and night.loop.sync_calls == 0
    assert runs[-1].calls["batched"]["calls"] == sum(len(night.lines(n)) for n in range(3))
