"""The language-model layer: protocol, OpenAI-compatible client, prompts, tokens, schema checks, pricing.

Only `llm/client.py` imports openai and only `llm/tokens.py` imports tiktoken; the rest of the package
goes through the names below.
"""

from generator.llm.batch import (
    ANSWERED,
    FAILED,
    IDEMPOTENCY_KEY,
    MAX_REFUSALS,
    REPAIR,
    SYNC,
    WAITING,
    BatchBackend,
    BatchClient,
    BatchStatus,
    Deferred,
    LineRecord,
    LineResult,
    PendingLine,
    idempotency_key,
)
from generator.llm.checks import degeneration, french_errors
from generator.llm.client import OPENAI_URL, OpenAIBackend, make_backend, refused_option
from generator.llm.parallel import run_parallel
from generator.llm.paths import BATCHED, CACHED, SYNCHRONOUS, CallLog, CallRecord, describe_calls
from generator.llm.pricing import cost, estimate, price_for
from generator.llm.prompts import PromptFile, PromptRegistry, RenderedPrompt, default_root
from generator.llm.protocol import Backend, LLMRequest, LLMResult, LLMUnitError, Validator
from generator.llm.schema import check_schema, parse_json_object, validate_schema, wire_schema
from generator.llm.speech import SpeechClient, SpeechSegment, transcribe_file
from generator.llm.tokens import Tokenizer, get_tokenizer, input_budget, preload_tokenizer, split_to_fit

__all__ = [
    "BATCHED",
    "CACHED",
    "SYNCHRONOUS",
    "CallLog",
    "CallRecord",
    "describe_calls",
    "ANSWERED",
    "FAILED",
    "IDEMPOTENCY_KEY",
    "REPAIR",
    "SYNC",
    "SpeechClient",
    "SpeechSegment",
    "WAITING",
    "BatchBackend",
    "BatchClient",
    "BatchStatus",
    "Deferred",
    "LineRecord",
    "LineResult",
    "MAX_REFUSALS",
    "PendingLine",
    "idempotency_key",
    "refused_option",
    "OPENAI_URL",
    "Backend",
    "LLMRequest",
    "LLMResult",
    "LLMUnitError",
    "OpenAIBackend",
    "PromptFile",
    "PromptRegistry",
    "RenderedPrompt",
    "Tokenizer",
    "Validator",
    "check_schema",
    "cost",
    "default_root",
    "degeneration",
    "estimate",
    "french_errors",
    "get_tokenizer",
    "input_budget",
    "preload_tokenizer",
    "make_backend",
    "parse_json_object",
    "price_for",
    "run_parallel",
    "split_to_fit",
    "transcribe_file",
    "validate_schema",
    "wire_schema",
]
