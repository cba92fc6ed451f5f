"""Offline token counting and context budgets."""

from __future__ import annotations

import socket
import threading

import pytest

from generator.errors import BudgetError
from generator.language import split_sentences
from generator.llm import tokens
from generator.llm.tokens import fits, get_tokenizer, input_budget, split_to_fit


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_cl100k_models_count_exactly_from_the_bundled_file(no_network):
    tok = get_tokenizer("gpt-4")
    assert tok.name == "cl100k_base" and not tok.estimated
    assert tok.count("hello world") == 2  # cl100k: "hello", " world"
    assert tok.count("") == 0
    assert tok.count("<|endoftext|>") > 1  # special tokens in text are counted as text, never refused


def test_o200k_models_fall_back_to_an_estimate_without_downloading(no_network, monkeypatch, tmp_path):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    tok = get_tokenizer("gpt-4o-mini")
    assert tok.name == "cl100k_base" and tok.estimated
    assert tok.count("Bonjour à toutes et à tous.") > 3
    # A corrupt cached copy would make tiktoken re-download: it is ignored instead.
    tokens._tiktoken_cache_path(tokens._O200K_URL).write_bytes(b"garbage")
    assert get_tokenizer("gpt-4o").estimated


@pytest.mark.skipif(not tokens._o200k_cached(), reason="tiktoken's cache does not hold o200k_base")
def test_o200k_is_used_when_tiktoken_cache_has_it(no_network):
    tok = get_tokenizer("gpt-4o")
    assert tok.name == "o200k_base" and not tok.estimated


def test_unknown_models_are_safe_side_estimates(no_network):
    exact = get_tokenizer("gpt-4")
    text = "Une phrase en français, avec des mots un peu longs et quelques chiffres : 2025."
    for model in ("qwen2.5-coder-1.5b-instruct", "mistral-small-latest", "llama3.1:8b"):
        tok = get_tokenizer(model)
        assert tok.estimated and tok.count(text) >= exact.count(text) * tokens.UNKNOWN_SCALE


def test_tiktoken_failure_falls_back_to_a_character_estimate(monkeypatch):
    def broken(name):
        raise OSError("no encoding")

    monkeypatch.setattr(tokens, "_encoding", broken)
    tok = get_tokenizer("gpt-4")
    assert tok.name == "chars/3" and tok.estimated and tok.count("abcdefghi") == 3


def test_preloading_loads_once_in_the_background_and_counts_wait_for_it(no_network, monkeypatch):
    import tiktoken

    real = tiktoken.get_encoding
    started, release, loads = threading.Event(), threading.Event(), []

    def slow(name):
        loads.append(name)
        started.set()
        assert release.wait(10)
        return real(name)

    monkeypatch.setattr(tiktoken, "get_encoding", slow)
    monkeypatch.setattr(tokens, "_LOADED", {})
    tokens.preload_tokenizer("gpt-4")
    assert started.wait(10)  # the load runs in another thread: this one is free meanwhile
    counted: list[int] = []
    waiter = threading.Thread(target=lambda: counted.append(get_tokenizer("gpt-4").count("hello world")))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and not counted  # a count waits for the load under way, not a second load
    release.set()
    waiter.join(10)
    assert counted == [2] and loads == [tokens._BUNDLED]


def test_message_count_includes_formatting_overhead():
    tok = get_tokenizer("gpt-4")
    messages = [{"role": "system", "content": "Tu résumes."}, {"role": "user", "content": "Texte."}]
    assert tok.count_messages(messages) == 3 + 2 * 4 + tok.count("Tu résumes.") + tok.count("Texte.")


def test_budget_and_fits():
    tok = get_tokenizer("gpt-4")
    assert input_budget(1000, 200, 100, margin=0.0) == 700
    assert input_budget(1000, 200, 100) == 650  # 5 % safety margin by default
    with pytest.raises(BudgetError, match="relevez \\[llm\\] context_window"):
        input_budget(300, 200, 100)
    messages = [{"role": "user", "content": "mot " * 50}]
    assert fits(messages, 100, 200, tok) and not fits(messages, 150, 200, tok)


def test_split_sentences_keeps_punctuation():
    text = "Bonjour. Ça va ? Oui !  Fin…  « Citée. » Après (note.) Puis « fin. »"
    assert split_sentences(text) == [
        "Bonjour.",
        "Ça va ?",
        "Oui !",
        "Fin…",
        "« Citée. »",
        "Après (note.)",
        "Puis « fin. »",
    ]
    assert split_sentences("v1.2 et 3.5 restent entiers.") == ["v1.2 et 3.5 restent entiers."]
    assert split_sentences("Un. Deux ? Trois !") == ["Un.", "Deux ?", "Trois !"]


def test_split_to_fit_groups_in_order_within_budget():
    tok = get_tokenizer("gpt-4")
    items = [f"Voici la phrase numéro {i}, qui parle de choses et d'autres." for i in range(30)]
    chunks = split_to_fit(items, 60, tok.count)
    assert len(chunks) > 3
    assert [s for c in chunks for s in c] == items
    assert all(tok.count("\n".join(c)) <= 60 for c in chunks)


def test_split_to_fit_cuts_an_over_long_item_at_sentence_boundaries():
    tok = get_tokenizer("gpt-4")
    long_item = " ".join(f"Phrase {i} d'un très long monologue sans coupure." for i in range(20))
    chunks = split_to_fit(["Début.", long_item, "Fin."], 40, tok.count)
    flat = [s for c in chunks for s in c]
    assert flat[0] == "Début." and flat[-1] == "Fin."
    assert all(piece.endswith(".") for piece in flat)  # cut after sentences, not mid-sentence
    assert " ".join(flat[1:-1]) == long_item
    assert all(tok.count("\n".join(c)) <= 40 for c in chunks)


def test_split_to_fit_falls_back_to_words_then_refuses():
    tok = get_tokenizer("gpt-4")
    run_on = " ".join(["mot"] * 100)  # no sentence boundary at all
    chunks = split_to_fit([run_on], 20, tok.count)
    assert " ".join(s for c in chunks for s in c) == run_on
    assert all(tok.count("\n".join(c)) <= 20 for c in chunks)
    with pytest.raises(BudgetError, match="un seul mot"):
        split_to_fit(["x" * 400], 5, tok.count)
