"""The OpenAI-compatible backend against a real HTTP server that misbehaves on demand."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from generator.config import load_settings
from generator.errors import BudgetError, ConfigError, LLMError
from generator.llm import (
    LLMRequest,
    LLMResult,
    LLMUnitError,
    check_schema,
    cost,
    degeneration,
    estimate,
    french_errors,
    make_backend,
    parse_json_object,
    price_for,
    run_parallel,
    validate_schema,
    wire_schema,
)
from generator.llm.prompts import PromptRegistry
from generator.llm.tokens import get_tokenizer, input_budget, split_to_fit
from generator.model import Usage
from generator.nightly.ledger import Ledger

SCHEMA = {
    "type": "object",
    "required": ["title", "summary", "quotes"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "summary": {"type": "string", "minLength": 1},
        "quotes": {
            "type": "array",
            "items": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
        },
    },
}

PROMPT = """\
+++
id = "summarise_test"
version = 1
description = "Prompt de test."

[inputs.transcript]
type = "str"
description = "Texte."
example = "Bonjour à toutes et à tous."
+++
system:
Tu résumes des émissions en français. Réponds en JSON.
user:
<transcription>
{{ transcript }}
</transcription>
"""

TRANSCRIPT = (
    "Aujourd'hui on parle des centres de données. L'invitée raconte qu'on refroidit les machines avec "
    "de l'eau de pluie. Elle ajoute que la chaleur sert ensuite à chauffer une piscine du quartier."
)


@pytest.fixture
def registry(tmp_path: Path) -> PromptRegistry:
    root = tmp_path / "prompts"
    (root / "summarise_test").mkdir(parents=True)
    (root / "summarise_test" / "v1.md").write_text(PROMPT, encoding="utf-8")
    return PromptRegistry(root)


def request(registry: PromptRegistry, transcript: str = TRANSCRIPT, **kw) -> LLMRequest:
    prompt = registry.get("summarise_test").render(transcript=transcript)
    return LLMRequest(prompt, SCHEMA, kw.pop("max_tokens", 300), **kw)


def backend(fake, tmp_path: Path, *, ledger=None, no_cache=False, env=None, retry_failed=False, **llm):
    llm = {"model": "fake-model", "timeout": 2.0, "max_retries": 2, "context_window": 4096} | llm
    settings = load_settings(
        env={"OPENAI_BASE_URL": fake.base_url, **(env or {})}, cwd=tmp_path, overrides={"llm": llm}
    )
    return make_backend(settings, ledger, no_cache=no_cache, retry_failed=retry_failed)


# ----------------------------------------------------------------------------------------- happy path


def test_answer_is_parsed_validated_and_accounted(fake_llm, tmp_path, registry):
    result = backend(fake_llm, tmp_path).complete_json(request(registry))
    assert isinstance(result, LLMResult) and not result.cached
    assert result.data["title"] == "Les serveurs de calcul"
    sent = fake_llm.chat_requests[0]
    assert result.usage == Usage(sent.prompt_tokens, result.usage.output, 0, 1, False)
    assert result.usage.output > 0
    assert result.prompt.id == "summarise_test" and len(result.prompt.hash) == 12
    body = sent.body
    assert body["max_tokens"] == 300 and body["temperature"] == 0.2 and body["seed"] == 42
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == wire_schema(SCHEMA)
    assert sent.headers["authorization"] == "Bearer not-needed"  # dummy key for key-less local servers


def test_max_output_tokens_setting_caps_every_call(fake_llm, tmp_path, registry):
    backend(fake_llm, tmp_path, max_output_tokens=120).complete_json(request(registry, max_tokens=900))
    assert fake_llm.chat_requests[0].body["max_tokens"] == 120
    with pytest.raises(ValueError, match="positive bound"):
        backend(fake_llm, tmp_path).complete_json(request(registry, max_tokens=0))


def test_usage_is_estimated_when_server_gives_none(fake_llm, tmp_path, registry):
    fake_llm.script("no_usage")
    result = backend(fake_llm, tmp_path).complete_json(request(registry))
    assert result.usage.estimated and result.usage.calls == 1
    sent = fake_llm.chat_requests[0].body["messages"]
    assert result.usage.input == get_tokenizer("fake-model").count_messages(sent)
    assert result.usage.input >= fake_llm.chat_requests[0].prompt_tokens  # unknown model: safe-side count
    assert result.usage.output > 10


# ------------------------------------------------------------------------------------- fault matrix


def test_429_is_retried_after_the_retry_after_delay(fake_llm, tmp_path, registry):
    fake_llm.retry_after = "1"
    fake_llm.script("429", "ok")
    result = backend(fake_llm, tmp_path).complete_json(request(registry))
    first, second = fake_llm.chat_requests
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.95  # the client waited as the server asked
    assert result.data["summary"]


@pytest.mark.parametrize("fault", ["500", "503", "reset"])
def test_transient_server_faults_are_retried_then_succeed(fake_llm, tmp_path, registry, fault):
    fake_llm.script(fault, "ok")
    result = backend(fake_llm, tmp_path).complete_json(request(registry))
    assert [r.behaviour for r in fake_llm.chat_requests] == [fault, "ok"]
    assert result.data["title"]


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("500", "a répondu HTTP 500 après 1 nouvelles tentatives"),
        ("503", "a répondu HTTP 503 après 1 nouvelles tentatives"),
        ("429", "a limité le débit après 1 nouvelles tentatives"),
        ("reset", "impossible de joindre"),
    ],
)
def test_persistent_server_faults_fail_that_unit_clearly(fake_llm, tmp_path, registry, fault, message):
    fake_llm.retry_after = "0.05"
    fake_llm.script(fault, fault, "ok")
    with pytest.raises(LLMUnitError) as info:
        backend(fake_llm, tmp_path, max_retries=1).complete_json(request(registry))
    assert message in str(info.value) and fake_llm.base_url in str(info.value)
    assert len(fake_llm.chat_requests) == 2  # 1 try + 1 retry, then a clear failure: no loop


def test_slow_server_times_out_then_retry_succeeds(fake_llm, tmp_path, registry):
    fake_llm.script("slow", "ok")
    started = time.monotonic()
    result = backend(fake_llm, tmp_path, timeout=0.4, max_retries=1).complete_json(request(registry))
    assert result.data["title"] and time.monotonic() - started < 3


def test_server_slower_than_timeout_fails_without_hanging(fake_llm, tmp_path, registry):
    fake_llm.script("slow", "slow")
    started = time.monotonic()
    with pytest.raises(LLMUnitError, match=r"pas de réponse de .* en 0.4 s .*NEWSLETTER_TIMEOUT"):
        backend(fake_llm, tmp_path, timeout=0.4, max_retries=1).complete_json(request(registry))
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("fault", ["malformed", "missing_fields", "length", "degenerate", "english"])
def test_bad_output_is_retried_once_with_the_errors(fake_llm, tmp_path, registry, fault):
    fake_llm.script(fault, "ok")
    result = backend(fake_llm, tmp_path).complete_json(request(registry))
    assert result.data == fake_llm.responder({})
    assert result.usage.calls == 2  # both calls are accounted for
    retry = fake_llm.chat_requests[1].body["messages"]
    assert retry[:2] == fake_llm.chat_requests[0].body["messages"]
    assert retry[-1]["role"] == "user" and "ne peut pas être utilisée" in retry[-1]["content"]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("malformed", "not valid JSON"),
        ("missing_fields", "$.summary: required field missing"),
        ("length", "cut off at max_tokens=300"),
        ("degenerate", "degenerate answer"),
        ("english", "in English"),
    ],
)
def test_bad_output_twice_is_a_clear_unit_failure_never_a_result(fake_llm, tmp_path, registry, fault, reason):
    fake_llm.script(fault, fault, "ok")
    with pytest.raises(LLMUnitError) as info:
        backend(fake_llm, tmp_path).complete_json(request(registry))
    assert reason in str(info.value) and "summarise_test v1" in str(info.value)
    assert info.value.usage.calls == 2 and info.value.usage.output > 0
    assert len(fake_llm.chat_requests) == 2
    retry_text = fake_llm.chat_requests[1].body["messages"][-1]["content"]
    assert reason.split(":")[0].split("=")[0] in retry_text  # the model was told what was wrong


def test_invented_quote_is_caught_by_the_request_validator(fake_llm, tmp_path, registry):
    def quotes_in_transcript(data: dict) -> list[str]:
        return [
            f"quote not in the transcript: {q['text']!r}"
            for q in data["quotes"]
            if q["text"] not in TRANSCRIPT
        ]

    fake_llm.script("invented_quote", "ok")
    result = backend(fake_llm, tmp_path).complete_json(request(registry, validate=quotes_in_transcript))
    assert result.data["quotes"][0]["text"] in TRANSCRIPT
    assert "quote not in the transcript" in fake_llm.chat_requests[1].body["messages"][-1]["content"]

    fake_llm.script("invented_quote", "invented_quote")
    with pytest.raises(LLMUnitError, match="quote not in the transcript"):
        backend(fake_llm, tmp_path, no_cache=True).complete_json(
            request(registry, validate=quotes_in_transcript)
        )


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("bad_body", "autre chose que du JSON de chat completion"),
        ("empty_choices", "réponse sans contenu"),
    ],
)
def test_broken_responses_fail_clearly(fake_llm, tmp_path, registry, fault, message):
    fake_llm.script(fault)
    with pytest.raises(LLMUnitError, match=message):
        backend(fake_llm, tmp_path).complete_json(request(registry))


def test_unknown_model_says_the_server_refused_it(fake_llm, tmp_path, registry):
    with pytest.raises(LLMUnitError, match=r"a refusé le modèle « gpt-nope » \(404\).*NEWSLETTER_MODEL"):
        backend(fake_llm, tmp_path, model="gpt-nope").complete_json(request(registry))


def test_unreachable_server_says_what_to_check(tmp_path, registry):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = load_settings(
        env={"OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1"},
        cwd=tmp_path,
        overrides={"llm": {"max_retries": 0, "timeout": 1.0}},
    )
    with pytest.raises(LLMError, match=r"impossible de joindre http://127.0.0.1:\d+/v1 .*OPENAI_BASE_URL"):
        make_backend(settings, None).complete_json(request(registry))


def test_no_endpoint_configured_says_what_to_set(tmp_path):
    settings = load_settings(env={}, cwd=tmp_path)
    with pytest.raises(ConfigError, match="définissez OPENAI_API_KEY ou OPENAI_BASE_URL"):
        make_backend(settings, None)


def test_backend_uses_only_the_settings_never_the_process_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = load_settings(env={"OPENAI_API_KEY": "sk-test"}, cwd=tmp_path)
    llm = make_backend(settings, None)
    assert llm.endpoint == "https://api.openai.com/v1" and llm.host == "api.openai.com"
    assert llm.client.api_key == "sk-test"


# ------------------------------------------------------------------------------ structured output modes


@pytest.mark.parametrize("status", [400, 422, 500])
def test_json_schema_refused_falls_back_to_json_mode_and_remembers(fake_llm, tmp_path, registry, status):
    fake_llm.reject_formats = frozenset({"json_schema"})
    fake_llm.reject_status = status  # llama-cpp-python refuses with a 500 naming response_format
    llm = backend(fake_llm, tmp_path, max_retries=0)
    llm.complete_json(request(registry))
    llm.complete_json(request(registry, transcript=TRANSCRIPT + " Fin."))
    formats = [r.response_format for r in fake_llm.chat_requests]
    assert formats == ["json_schema", "json_object+schema", "json_object+schema"]


def test_no_json_mode_at_all_reads_the_first_object_in_prose(fake_llm, tmp_path, registry):
    fake_llm.reject_formats = frozenset({"json_schema", "json_object+schema", "json_object"})
    fake_llm.default = "prose_json"
    llm = backend(fake_llm, tmp_path)
    assert llm.complete_json(request(registry)).data["title"] == "Les serveurs de calcul"
    llm.complete_json(request(registry, transcript="Autre texte."))
    formats = [r.response_format for r in fake_llm.chat_requests]
    assert formats == ["json_schema", "json_object+schema", "json_object", None, None]


def test_unrelated_bad_request_does_not_downgrade_the_format(fake_llm, tmp_path, registry):
    llm = backend(fake_llm, tmp_path, max_retries=0, model="gpt-nope")
    fake_llm.strict_models = True
    with pytest.raises(LLMUnitError):
        llm.complete_json(request(registry))
    assert llm.mode == "json_schema" and len(fake_llm.chat_requests) == 1


# ------------------------------------------------------------------------------------------------ cache


def test_cache_hit_costs_zero_tokens_and_makes_no_call(fake_llm, tmp_path, registry):
    with Ledger(tmp_path / "state" / "ledger.sqlite") as ledger:
        first = backend(fake_llm, tmp_path, ledger=ledger).complete_json(request(registry))
        again = backend(fake_llm, tmp_path, ledger=ledger).complete_json(request(registry))
        assert first.usage.input > 0 and not first.cached
        assert again.cached and again.data == first.data
        assert again.usage == Usage() and again.usage.calls == 0
        assert len(fake_llm.chat_requests) == 1

        fresh = backend(fake_llm, tmp_path, ledger=ledger, no_cache=True).complete_json(request(registry))
        assert not fresh.cached and len(fake_llm.chat_requests) == 2


def test_a_failure_is_recorded_as_a_failure_and_not_paid_again(fake_llm, tmp_path, registry):
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        fake_llm.script("malformed", "malformed")
        with pytest.raises(LLMError) as first:
            backend(fake_llm, tmp_path, ledger=ledger).complete_json(request(registry))
        assert first.value.usage.input > 0 and len(fake_llm.chat_requests) == 2
        # Recorded as a failure (empty answer, the reason in its usage), never as an answer.
        rows = ledger.execute("SELECT response, usage FROM llm_cache")
        assert len(rows) == 1 and rows[0][0] == "{}" and "invalid answer" in rows[0][1]
        # An unchanged re-run: the same failure, no call, no token.
        with pytest.raises(LLMError) as again:
            backend(fake_llm, tmp_path, ledger=ledger).complete_json(request(registry))
        assert "--retry-failed" in str(again.value) and again.value.usage == Usage()
        assert len(fake_llm.chat_requests) == 2
        # Asked for explicitly: one new call, and its good answer replaces the failure.
        result = backend(fake_llm, tmp_path, ledger=ledger, retry_failed=True).complete_json(
            request(registry)
        )
        assert not result.cached and len(fake_llm.chat_requests) == 3
        cached = backend(fake_llm, tmp_path, ledger=ledger).complete_json(request(registry))
        assert cached.cached and len(fake_llm.chat_requests) == 3


def test_transport_errors_are_not_recorded(fake_llm, tmp_path, registry):
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        fake_llm.script("500", "500", "500")
        with pytest.raises(LLMError):
            backend(fake_llm, tmp_path, ledger=ledger).complete_json(request(registry))
        assert ledger.execute("SELECT COUNT(*) FROM llm_cache") == [(0,)]


def test_cache_key_covers_model_prompt_params_and_messages(fake_llm, tmp_path, registry):
    base = backend(fake_llm, tmp_path)
    key = base.cache_key(request(registry))
    assert key == backend(fake_llm, tmp_path).cache_key(request(registry))
    assert key != base.cache_key(request(registry, transcript="Autre chose."))
    assert key != base.cache_key(request(registry, max_tokens=301))
    assert key != backend(fake_llm, tmp_path, model="other").cache_key(request(registry))
    assert key != backend(fake_llm, tmp_path, temperature=0.7).cache_key(request(registry))
    # Same text but another prompt version/hash: another key.
    (registry.root / "summarise_test" / "v2.md").write_text(PROMPT.replace("version = 1", "version = 2"))
    v2 = PromptRegistry(registry.root).get("summarise_test").render(transcript=TRANSCRIPT)
    assert v2.messages == request(registry).prompt.messages
    assert key != base.cache_key(LLMRequest(v2, SCHEMA, 300))


# ------------------------------------------------------------------------------------- context budget


def test_request_larger_than_context_window_is_never_sent(fake_llm, tmp_path, registry):
    llm = backend(fake_llm, tmp_path, context_window=200)
    with pytest.raises(BudgetError, match="context_window vaut 200"):
        llm.complete_json(request(registry, transcript=TRANSCRIPT * 10, max_tokens=100))
    assert fake_llm.chat_requests == []


def test_tiny_context_window_split_keeps_every_request_inside_it(fake_llm, tmp_path, registry):
    window, max_tokens = 220, 60
    fake_llm.context_window = window  # the server refuses anything larger, like llama.cpp
    fake_llm.responder = lambda body: {
        "title": "Partie",
        "summary": "Un résumé court de cette partie.",
        "quotes": [],
    }
    llm = backend(fake_llm, tmp_path, context_window=window)
    tokenizer = get_tokenizer("fake-model")
    prompt_file = registry.get("summarise_test")
    overhead = tokenizer.count_messages(prompt_file.render(transcript="").messages)
    sentences = [
        f"Phrase numéro {i} de la transcription, avec quelques mots en plus pour la remplir."
        for i in range(40)
    ]
    chunks = split_to_fit(sentences, input_budget(window, max_tokens, overhead), tokenizer.count)
    requests = [LLMRequest(prompt_file.render(transcript="\n".join(c)), SCHEMA, max_tokens) for c in chunks]
    results = run_parallel(llm, requests, 2)
    assert len(chunks) > 3 and all(isinstance(r, LLMResult) for r in results)
    assert [s for c in chunks for s in c] == sentences  # nothing lost, order kept
    sizes = [r.prompt_tokens + r.body["max_tokens"] for r in fake_llm.chat_requests]
    assert len(sizes) == len(chunks) and max(sizes) <= window


def test_server_side_context_error_is_a_budget_error(fake_llm, tmp_path, registry):
    fake_llm.context_window = 100
    with pytest.raises(BudgetError, match="trop longue pour le modèle"):
        backend(fake_llm, tmp_path, context_window=4096).complete_json(request(registry))


# --------------------------------------------------------------------------------------------- parallel


def test_run_parallel_bounds_concurrency_keeps_order_and_isolates_failures(fake_llm, tmp_path, registry):
    fake_llm.base_latency = 0.15

    def responder(body):
        word = body["messages"][1]["content"].split()[1]
        if word == "Numéro4":  # unit 4 always answers without its summary: it fails, alone
            return {"title": word, "quotes": []}
        return {"title": word, "summary": "Un résumé en français.", "quotes": []}

    fake_llm.responder = responder
    requests = [request(registry, transcript=f"Numéro{i} du test.") for i in range(9)]
    results = run_parallel(backend(fake_llm, tmp_path), requests, max_concurrency=3)
    assert 2 <= fake_llm.max_in_flight <= 3
    ok = [r for r in results if isinstance(r, LLMResult)]
    assert len(results) == 9 and len(ok) == 8 and isinstance(results[4], LLMError)
    for i, r in enumerate(results):
        if isinstance(r, LLMResult):
            assert r.data["title"] == f"Numéro{i}"
        else:
            assert isinstance(r, LLMError) and "summarise_test" in str(r)


def test_run_parallel_turns_a_crashing_unit_into_an_error(registry):
    class Flaky:
        name, model = "fake", "m"

        def complete_json(self, req):
            if "boom" in req.prompt.messages[-1]["content"]:
                raise RuntimeError("bug")
            return LLMResult({}, Usage(), False, req.prompt.use, "m")

    results = run_parallel(
        Flaky(), [request(registry, "a"), request(registry, "boom"), request(registry, "c")], 2
    )
    assert isinstance(results[0], LLMResult) and isinstance(results[2], LLMResult)
    assert isinstance(results[1], LLMError) and "RuntimeError: bug" in str(results[1])


# ------------------------------------------------------------------------------------ dry run and cost


def test_estimate_counts_calls_tokens_and_cost_without_a_server(tmp_path, registry):
    tokenizer = get_tokenizer("gpt-4o-mini")
    reqs = [request(registry), request(registry, transcript="Court.")]
    prices = {"gpt-4o-mini": (0.15, 0.075, 0.60)}
    doc = estimate(reqs, tokenizer, model="gpt-4o-mini", prices=prices)
    tokens_in = sum(tokenizer.count_messages(r.prompt.messages) for r in reqs)
    assert doc["calls"] == 2 and doc["tokens"] == {"input": tokens_in, "output": 600}
    assert doc["cost_estimate"] == pytest.approx((tokens_in * 0.15 + 600 * 0.60) / 1e6)
    json.dumps(doc)
    cached = estimate(reqs, tokenizer, model="gpt-4o-mini", prices=prices, is_cached=lambda r: r is reqs[0])
    assert cached["calls"] == 1 and cached["cache_hits"] == 1


def test_dry_run_estimate_sees_the_cache(fake_llm, tmp_path, registry):
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        llm = backend(fake_llm, tmp_path, ledger=ledger)
        req = request(registry)
        assert (
            estimate([req], llm.tokenizer, model=llm.model, prices={}, is_cached=llm.is_cached)["calls"] == 1
        )
        llm.complete_json(req)
        doc = estimate([req], llm.tokenizer, model=llm.model, prices={}, is_cached=llm.is_cached)
        assert doc["calls"] == 0 and doc["tokens"] == {"input": 0, "output": 0} and doc["cost_estimate"] == 0


def test_cost_uses_cached_input_price_and_prefix_match():
    prices = {"gpt-4o": (2.5, 1.25, 10.0), "gpt-4o-mini": (0.15, 0.075, 0.6)}
    assert price_for("gpt-4o-mini-2024-07-18", prices) == (0.15, 0.075, 0.6)
    assert price_for("openai/gpt-4o", prices) == (2.5, 1.25, 10.0)
    assert price_for("qwen2.5-coder-1.5b-instruct", prices) is None
    usage = Usage(input=1_000_000, output=1_000_000, cached=400_000, calls=3)
    assert cost(usage, "gpt-4o", prices) == pytest.approx(0.6 * 2.5 + 0.4 * 1.25 + 10.0)
    assert cost(usage, "llama-local", prices) == 0.0


# ----------------------------------------------------------------------------------- output checking


def test_length_bounds_are_checked_by_us_not_sent_to_the_server():
    # llama.cpp's Python server crashes on the grammar of a large maxLength: bounds stay on our side.
    schema = {
        "type": "object",
        "properties": {
            "maxLength": {"type": "string", "minLength": 2, "maxLength": 1200},
            "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}},
        },
    }
    assert wire_schema(schema) == {
        "type": "object",
        "properties": {
            "maxLength": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    assert validate_schema({"maxLength": "x" * 1201, "tags": ["a"] * 4}, schema) == [
        "$.maxLength: at most 1200 characters, got 1201",
        "$.tags: at most 3 item(s), got 4",
    ]


def test_schema_validator_reports_paths():
    data = {"title": 3, "quotes": [{"txt": "x"}], "extra": True}
    errors = validate_schema(data, SCHEMA)
    assert "$.title: expected string, got int" in errors
    assert "$.summary: required field missing" in errors
    assert "$.quotes[0].text: required field missing" in errors
    assert "$.extra: unexpected field" in errors
    assert validate_schema({"title": "t", "summary": "s", "quotes": []}, SCHEMA) == []
    assert validate_schema({"n": True}, {"properties": {"n": {"type": "integer"}}}) == [
        "$.n: expected integer, got bool"
    ]
    check_schema(SCHEMA)
    with pytest.raises(ValueError, match=r"\$ref"):
        check_schema({"type": "object", "properties": {"a": {"$ref": "#/x"}}})


def test_json_is_found_in_fenced_or_chatty_answers():
    assert parse_json_object('Voici :\n```json\n{"a": {"b": 1}}\n```') == {"a": {"b": 1}}
    assert parse_json_object('{"a": "}"} et puis {"b": 2}') == {"a": "}"}
    with pytest.raises(ValueError, match="no JSON object"):
        parse_json_object("Je ne peux pas répondre.")
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_json_object('{"a": 1,')


def test_degeneration_and_language_checks_leave_normal_french_alone():
    normal = {
        "summary": "Le premier sujet porte sur les puces. Le second sujet porte sur les batteries.",
        "key_points": ["Les puces chauffent.", "Les batteries durent plus longtemps."],
    }
    assert degeneration(normal) is None and french_errors(normal) == []
    assert degeneration({"key_points": ["Une idée qui revient encore ici."] * 3})
    assert degeneration({"s": "et donc on continue à parler " * 6})
    assert degeneration(
        {"s": "Un long paragraphe qui dit une chose puis une autre chose encore et encore.\n\n" * 2}
    )
    copied = "Le tramway relie la gare au campus en douze minutes."
    assert degeneration({"summary": copied, "key_points": [copied], "quotes": [{"text": copied}]}) is None
    assert french_errors({"s": "The guest says that this is the best way to do it and they were right."})
