"""llm/batch.py on its own: output lines, the deferring backend's decisions, batch prices."""

from __future__ import annotations

import json

import pytest
from test_llm import SCHEMA, backend, registry, request  # noqa: F401 - fixture

from generator.config import DEFAULT_BATCH_PRICES, DEFAULT_PRICES
from generator.llm import (
    ANSWERED,
    FAILED,
    SYNC,
    WAITING,
    BatchBackend,
    Deferred,
    LineRecord,
    LLMUnitError,
    cost,
)
from generator.llm.batch import custom_id, idempotency_key, parse_line, refused_option
from generator.model import Usage
from generator.nightly.ledger import Ledger

GOOD = {"title": "Les serveurs", "summary": "L'invitée parle des centres de données.", "quotes": []}


def _body(content: str, usage: dict | None = None) -> dict:
    return {
        "choices": [{"message": {"content": content}, "finish_reason": "stop"}],
        "model": "fake-model",
        **({"usage": usage} if usage else {}),
    }


def test_output_and_error_lines_are_read_by_custom_id() -> None:
    ok = parse_line(
        {
            "custom_id": "k1",
            "response": {
                "status_code": 200,
                "body": _body("{}", {"prompt_tokens": 100, "completion_tokens": 20}),
            },
        }
    )
    assert ok.content == "{}" and ok.usage == Usage(100, 20, 0, 1, False, 100, 20) and ok.error is None
    refused = parse_line(
        {"custom_id": "k2", "response": {"status_code": 429, "body": {"error": {"message": "slow down"}}}}
    )
    assert refused.content is None and "429" in refused.error and "slow down" in refused.error
    failed = parse_line({"custom_id": "k3", "response": None, "error": {"code": "x", "message": "expired"}})
    assert failed.error and "expired" in failed.error
    assert parse_line(
        {"custom_id": "k4", "response": {"status_code": 200, "body": _body("{}")}}
    ).usage.estimated


def test_a_line_refused_for_an_option_is_told_apart() -> None:
    llama = "HTTP 500: {'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\"}"
    assert refused_option(llama) == "format"
    assert refused_option("HTTP 400: Unrecognized request argument supplied: seed") == "seed"
    assert refused_option("HTTP 500: scripted line failure") is None and refused_option(None) is None
    assert refused_option("HTTP 400: maximum context length is 8192 tokens (json)") is None


def test_custom_ids_and_idempotency_keys() -> None:
    assert custom_id("abc", "first") == "abc" and custom_id("abc", "repair") == "abc.repair"
    assert custom_id("abc", "first", 1) == "abc.2" and custom_id("abc", "repair", 2) == "abc.repair.3"
    key = idempotency_key(7, ["b", "a"])
    assert key.startswith("newsletter-run7-") and key == idempotency_key(7, ["a", "b"])
    assert key != idempotency_key(8, ["a", "b"])


class Lines:
    """A fake nightly store: one record per key, set by the test."""

    def __init__(self) -> None:
        self.records: dict[str, LineRecord] = {}

    def __call__(self, key: str) -> LineRecord | None:
        return self.records.get(key)


def _batch_backend(
    fake_llm, tmp_path, ledger, *, late: bool = False, sync_fallback: bool = False
) -> tuple[BatchBackend, Lines]:
    lines = Lines()
    inner = backend(fake_llm, tmp_path, ledger=ledger)
    return BatchBackend(inner, lines, lambda: late, sync_fallback=sync_fallback), lines


def test_new_requests_are_collected_once_and_nothing_is_called(fake_llm, tmp_path, registry) -> None:  # noqa: F811
    with Ledger(tmp_path / "l.sqlite") as ledger:
        batch, _ = _batch_backend(fake_llm, tmp_path, ledger)
        req = request(registry)
        for _ in range(2):
            with pytest.raises(Deferred):
                batch.complete_json(req)
        [line] = batch.take_pending()
        assert line.custom_id == batch.cache_key(req) and line.body["messages"][-1]["role"] == "user"
        assert line.body["response_format"]["type"] == "json_schema" and line.body["max_tokens"] == 300
        assert fake_llm.chat_requests == [] and batch.take_pending() == []


def test_answers_validate_like_synchronous_ones_and_are_cached(fake_llm, tmp_path, registry) -> None:  # noqa: F811
    with Ledger(tmp_path / "l.sqlite") as ledger:
        batch, lines = _batch_backend(fake_llm, tmp_path, ledger)
        req = request(registry)
        key = batch.cache_key(req)
        spent = Usage(50, 10, 0, 1, False, 50, 10)
        lines.records[key] = LineRecord(key, ANSWERED, batch_id="b1", content=json.dumps(GOOD), usage=spent)
        result = batch.complete_json(req)
        assert result.data == GOOD and result.usage == spent and batch.batch_ids() == ["b1"]
        del lines.records[key]
        assert batch.complete_json(req).cached  # validated once, then from the ledger's cache
        # A cached answer wins over any later state of its line (here: a line failed five times).
        lines.records[key] = LineRecord(key, FAILED, attempts=5)
        assert batch.complete_json(req).cached and fake_llm.chat_requests == []


def test_an_invalid_answer_goes_to_repair_then_fails_for_good(fake_llm, tmp_path, registry) -> None:  # noqa: F811
    with Ledger(tmp_path / "l.sqlite") as ledger:
        batch, lines = _batch_backend(fake_llm, tmp_path, ledger)
        req = request(registry)
        key = batch.cache_key(req)
        lines.records[key] = LineRecord(key, ANSWERED, content="pas du JSON", usage=Usage(40, 5, 0, 1))
        with pytest.raises(Deferred):
            batch.complete_json(req)
        [repair] = batch.take_pending()
        assert repair.custom_id == f"{key}.repair" and repair.body["messages"][-2]["content"] == "pas du JSON"
        lines.records[key] = LineRecord(key, ANSWERED, kind="repair", content="{}", usage=Usage(90, 9, 0, 2))
        with pytest.raises(LLMUnitError, match="after one retry") as caught:
            batch.complete_json(req)
        assert caught.value.usage == Usage(90, 9, 0, 2)


def test_dead_batches_go_to_the_next_batch_unless_the_user_allows_sync(fake_llm, tmp_path, registry) -> None:  # noqa: F811
    with Ledger(tmp_path / "l.sqlite") as ledger:
        batch, lines = _batch_backend(fake_llm, tmp_path, ledger)
        req = request(registry)
        key = batch.cache_key(req)
        lines.records[key] = LineRecord(key, WAITING)
        with pytest.raises(Deferred):
            batch.complete_json(req)
        assert batch.deferred and batch.take_pending() == []  # waiting: nothing to submit again
        # A line a dead batch never ran, or one that failed twice: the next batch round, never synchronous.
        for record in (LineRecord(key, SYNC, sent=1), LineRecord(key, FAILED, attempts=2, sent=2)):
            lines.records[key] = record
            with pytest.raises(Deferred):
                batch.complete_json(req)
            [line] = batch.take_pending()
            assert line.custom_id == f"{key}.{record.sent + 1}"
        assert fake_llm.chat_requests == [] and batch.log.summary(lambda u: 0.0)["deferred"] == 1

        allowed, lines = _batch_backend(fake_llm, tmp_path, ledger, sync_fallback=True)
        lines.records[key] = LineRecord(key, SYNC, batch_id="batch-9", error="no answer (batch expired)")
        assert allowed.complete_json(req).usage.calls == 1 and len(fake_llm.chat_requests) == 1
        [why] = allowed.log.summary(lambda u: 0.0)["synchronous"]["why"]
        assert "--sync-fallback" in why["reason"] and "batch-9" in why["reason"]


def test_past_the_deadline_calls_go_synchronously_and_say_why(fake_llm, tmp_path, registry) -> None:  # noqa: F811
    late, _ = _batch_backend(fake_llm, tmp_path, None, late=True)
    assert late.complete_json(request(registry, "Un autre texte sur les serveurs.")).usage.calls == 1
    summary = late.log.summary(lambda u: float(u.input))
    assert summary["synchronous"]["calls"] == 1 and summary["batched"]["calls"] == 0
    assert summary["synchronous"]["cost"] > 0 and "heure limite" in summary["synchronous"]["why"][0]["reason"]


def test_batch_tokens_are_priced_at_the_batch_rate() -> None:
    usage = Usage(input=1_000_000, output=1_000_000)
    full = cost(usage, "gpt-4o-mini", DEFAULT_PRICES, DEFAULT_BATCH_PRICES)
    batch = Usage(1_000_000, 1_000_000, 0, 1, False, 1_000_000, 1_000_000)
    assert full == pytest.approx(0.75)
    assert cost(batch, "gpt-4o-mini", DEFAULT_PRICES, DEFAULT_BATCH_PRICES) == pytest.approx(0.375)
    # A model without a batch price is priced at its synchronous rate, never under-estimated.
    assert cost(batch, "gpt-4o-mini", DEFAULT_PRICES, {}) == pytest.approx(0.75)
