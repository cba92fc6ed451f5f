"""The LLM protocol and the OpenAI-compatible backend (the only module importing openai)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlparse

from generator.config import Settings
from generator.errors import BudgetError, ConfigError, LLMError
from generator.model import PromptUse, Usage
from generator.prompts import PromptFile, PromptRegistry, RenderedPrompt, default_root
from generator.tokens import Tokenizer, get_tokenizer

Validator = Callable[[dict[str, Any]], list[str]]

# How servers say a request exceeds the model's context (OpenAI, vLLM, llama.cpp, Ollama, Mistral).
_CONTEXT_MARKERS = (
    "context length",
    "context_length",
    "context window",
    "maximum context",
    "too long",
    "too many tokens",
    "exceeds the",
)

# Used when only OPENAI_API_KEY is set; passed explicitly so the client never reads the environment itself.
OPENAI_URL = "https://api.openai.com/v1"

# Response-format modes, best first; a backend remembers the first one its server accepted.
MODES = ("json_schema", "json_object_schema", "json_object", "text")


@dataclass(frozen=True)
class LLMRequest:
    """One unit of work: a rendered prompt, the JSON schema of the answer and an output budget."""

    prompt: RenderedPrompt
    schema: dict[str, Any]
    max_tokens: int
    validate: Validator | None = None


@dataclass(frozen=True)
class LLMResult:
    """A validated answer; `cached` answers cost 0 tokens (usage is all zeros, calls=0)."""

    data: dict[str, Any]
    usage: Usage
    cached: bool
    prompt: PromptUse
    model: str
    seconds: float = 0.0


class LLMUnitError(LLMError):
    """One unit of work failed; carries the tokens it spent so drafts still account for them."""

    def __init__(self, message: str, *, usage: Usage | None = None, prompt: PromptUse | None = None) -> None:
        super().__init__(message)
        self.usage = usage or Usage()
        self.prompt = prompt


class Backend(Protocol):
    """What summarise/compose need from a language model."""

    name: str
    model: str

    def complete_json(self, request: LLMRequest) -> LLMResult: ...


# ------------------------------------------------------------------------------ JSON schema subset

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}
_SCHEMA_KEYS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "anyOf",
        "description",
        "title",
        "default",
        "$schema",
    }
)


def check_schema(schema: Mapping[str, Any], path: str = "$") -> None:
    """Refuse schema keywords the validator does not implement (a silent gap would pass bad output)."""
    unknown = set(schema) - _SCHEMA_KEYS
    if unknown:
        raise ValueError(f"{path}: unsupported JSON-schema keyword(s) {', '.join(sorted(unknown))}")
    for name, sub in (schema.get("properties") or {}).items():
        check_schema(sub, f"{path}.{name}")
    if isinstance(schema.get("items"), Mapping):
        check_schema(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), Mapping):
        check_schema(schema["additionalProperties"], f"{path}.*")
    for i, sub in enumerate(schema.get("anyOf") or ()):
        check_schema(sub, f"{path}|{i}")


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[name])


def validate_schema(data: Any, schema: Mapping[str, Any], path: str = "$") -> list[str]:
    """Errors of `data` against a JSON-schema subset (type, properties, required, items, enum, bounds)."""
    if "anyOf" in schema:
        options = [validate_schema(data, sub, path) for sub in schema["anyOf"]]
        if all(options):
            return [f"{path}: matches none of the allowed shapes ({options[0][0]})"]
    kind = schema.get("type")
    if kind is not None:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        if not any(_is_type(data, k) for k in kinds):
            return [f"{path}: expected {' or '.join(kinds)}, got {type(data).__name__}"]
    errors: list[str] = []
    if "enum" in schema and data not in schema["enum"]:
        errors.append(f"{path}: {data!r} is not one of {schema['enum']}")
    if isinstance(data, dict):
        props = schema.get("properties") or {}
        errors += [f"{path}.{k}: required field missing" for k in schema.get("required", ()) if k not in data]
        extra = schema.get("additionalProperties", True)
        for key, value in data.items():
            if key in props:
                errors += validate_schema(value, props[key], f"{path}.{key}")
            elif extra is False:
                errors.append(f"{path}.{key}: unexpected field")
            elif isinstance(extra, Mapping):
                errors += validate_schema(value, extra, f"{path}.{key}")
    elif isinstance(data, list):
        if len(data) < schema.get("minItems", 0):
            errors.append(f"{path}: needs at least {schema['minItems']} item(s), got {len(data)}")
        if "maxItems" in schema and len(data) > schema["maxItems"]:
            errors.append(f"{path}: at most {schema['maxItems']} item(s), got {len(data)}")
        if isinstance(schema.get("items"), Mapping):
            for i, item in enumerate(data):
                errors += validate_schema(item, schema["items"], f"{path}[{i}]")
    elif isinstance(data, str):
        if len(data.strip()) < schema.get("minLength", 0):
            errors.append(f"{path}: at least {schema['minLength']} character(s) required")
        if "maxLength" in schema and len(data) > schema["maxLength"]:
            errors.append(f"{path}: at most {schema['maxLength']} characters, got {len(data)}")
    elif _is_type(data, "number"):
        if "minimum" in schema and data < schema["minimum"]:
            errors.append(f"{path}: {data} is below the minimum {schema['minimum']}")
        if "maximum" in schema and data > schema["maximum"]:
            errors.append(f"{path}: {data} is above the maximum {schema['maximum']}")
    return errors


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object of an answer: the whole text, else the first decodable `{...}` in it."""
    stripped = text.strip()
    try:
        value = json.loads(stripped)
        if isinstance(value, dict):
            return value
    except json.JSONDecodeError:
        pass
    decoder = json.JSONDecoder()
    # Models without JSON mode wrap the object in prose or ``` fences: take the first object that decodes.
    for match in re.finditer(r"\{", stripped):
        try:
            value, _ = decoder.raw_decode(stripped, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    raise ValueError(
        "the answer holds no JSON object" if "{" not in stripped else "the answer is not valid JSON"
    )


# ------------------------------------------------------------------------- output quality checks


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _text_loop(text: str) -> str | None:
    """A sentence said 3 times, a paragraph twice, or an 8-word phrase 4 times, inside one text."""
    sentences = Counter(
        norm for piece in re.split(r"(?<=[.!?…])\s+|\n+", text) if len((norm := _norm(piece)).split()) >= 4
    )
    if sentences and (top := sentences.most_common(1)[0])[1] >= 3:
        return f"the same sentence appears {top[1]} times: {top[0][:80]!r}"
    paragraphs = Counter(n for p in re.split(r"\n\s*\n", text) if len((n := _norm(p)).split()) >= 12)
    if paragraphs and (top := paragraphs.most_common(1)[0])[1] >= 2:
        return f"the same paragraph appears {top[1]} times: {top[0][:80]!r}"
    words = _norm(text).split()
    grams = Counter(tuple(words[i : i + 8]) for i in range(max(0, len(words) - 7)))
    if grams and (top := grams.most_common(1)[0])[1] >= 4:
        return f"a phrase repeats in a loop: {' '.join(top[0])!r}"
    return None


def degeneration(data: Any) -> str | None:
    """Why an answer looks degenerate (a sentence, item or phrase looping), else None.

    Repeats are looked for inside one field or one list only: a small model copying the same transcript
    sentence into the summary, a key point and a quote is not a loop.
    """
    if isinstance(data, str):
        return _text_loop(data)
    if isinstance(data, dict):
        return next((r for r in map(degeneration, data.values()) if r), None)
    if isinstance(data, list):
        items = Counter(
            _norm(item) if isinstance(item, str) else json.dumps(item, sort_keys=True, ensure_ascii=False)
            for item in data
        )
        if items and (top := items.most_common(1)[0])[1] >= 3 and top[0]:
            return f"the same item appears {top[1]} times: {top[0][:80]!r}"
        return next((r for r in map(degeneration, data) if r), None)
    return None


_FR = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "est",
        "et",
        "une",
        "un",
        "du",
        "que",
        "qui",
        "dans",
        "pour",
        "pas",
        "sur",
        "avec",
        "ce",
        "cette",
        "il",
        "elle",
        "nous",
        "vous",
        "sont",
        "au",
        "aux",
        "plus",
        "mais",
        "ou",
        "par",
        "ne",
        "se",
        "leur",
        "ils",
        "elles",
        "été",
        "être",
        "très",
        "aussi",
        "comme",
    ]
)
_EN = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "of",
        "to",
        "that",
        "this",
        "with",
        "for",
        "was",
        "were",
        "it",
        "be",
        "on",
        "have",
        "has",
        "not",
        "but",
        "they",
        "their",
        "from",
        "which",
        "an",
        "will",
        "would",
        "can",
        "about",
        "there",
        "what",
        "when",
    ]
)


def french_errors(data: Any) -> list[str]:
    """Long text fields that read as English rather than French (stop-word counts; short text ignored)."""
    errors = []
    for text in _strings(data):
        words = _norm(text).split()
        if len(words) < 8:
            continue
        en = sum(w in _EN for w in words)
        fr = sum(w in _FR for w in words)
        if en >= 3 and en > 2 * fr:
            errors.append(f"this text is in English, it must be in French: {text[:60]!r}")
    return errors


# ----------------------------------------------------------------------------------------- backend


# Bounds we enforce ourselves after the answer, never in what we send: llama.cpp turns a maxLength into a
# grammar with one nested rule per character, and its Python server crashes on maxLength = 1200.
_SERVER_SIDE_DROP = frozenset({"minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"})


def wire_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema sent to the server: the bounds of _SERVER_SIDE_DROP removed (our validator keeps them)."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SERVER_SIDE_DROP:
            continue
        if key == "properties" and isinstance(value, Mapping):
            out[key] = {name: wire_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            out[key] = wire_schema(value)
        elif key == "anyOf":
            out[key] = [wire_schema(sub) for sub in value]
        else:
            out[key] = value
    return out


def _safe_name(prompt_id: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "_", prompt_id)[:64] or "answer"


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class OpenAIBackend:
    """Any OpenAI-compatible chat-completions server: OpenAI, Mistral, Ollama, vLLM, llama.cpp."""

    name = "openai"

    def __init__(
        self,
        client: Any,
        *,
        model: str,
        endpoint: str,
        tokenizer: Tokenizer,
        context_window: int,
        temperature: float | None = 0.2,
        seed: int | None = None,
        ledger: Any = None,
        no_cache: bool = False,
        repair: PromptFile | None = None,
        require_french: bool = True,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_output_tokens: int | None = None,
    ) -> None:
        self.client = client
        self.model = model
        self.endpoint = endpoint
        self.tokenizer = tokenizer
        self.context_window = context_window
        self.temperature = temperature
        self.seed = seed
        self.ledger = ledger
        self.no_cache = no_cache
        self.repair = repair
        self.require_french = require_french
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_output_tokens = max_output_tokens
        self.mode = MODES[0]  # downgraded once per backend when the server refuses a response_format
        self.send_seed = seed is not None
        self._lock = threading.Lock()

    @property
    def host(self) -> str:
        return urlparse(self.endpoint).netloc or self.endpoint

    # -------------------------------------------------------------------------------- helpers

    def _params(self, request: LLMRequest) -> dict[str, Any]:
        params: dict[str, Any] = {"temperature": self.temperature, "seed": self.seed}
        params.update({k: v for k, v in request.prompt.params.items() if k != "max_tokens"})
        return {k: v for k, v in params.items() if v is not None}

    def cache_key(self, request: LLMRequest) -> str:
        """Backend, endpoint host, model, prompt id/version/hash, parameters, messages, schema, budget."""
        p = request.prompt
        return _digest(
            {
                "backend": self.name,
                "host": self.host,
                "model": self.model,
                "prompt": [p.id, p.version, p.hash],
                "params": self._params(request),
                "messages": _digest(list(p.messages)),
                "schema": _digest(request.schema),
                "max_tokens": request.max_tokens,
            }
        )

    def is_cached(self, request: LLMRequest) -> bool:
        """Whether a call for this request would be answered from the cache (used by --dry-run)."""
        return bool(self.ledger and not self.no_cache and self.ledger.cache_get(self.cache_key(request)))

    def _needed(self, messages: Sequence[Mapping[str, Any]], max_tokens: int) -> int:
        return self.tokenizer.count_messages(messages) + max_tokens

    def _problems(
        self, content: str, finish: str | None, request: LLMRequest
    ) -> tuple[dict | None, list[str]]:
        """Parse and check one answer; any problem means it is never returned."""
        if finish == "length":
            return None, [f"the answer was cut off at max_tokens={request.max_tokens}: answer more briefly"]
        try:
            data = parse_json_object(content)
        except ValueError as exc:
            return None, [f"{exc}: answer with one JSON object only"]
        problems = validate_schema(data, request.schema)
        if not problems:
            reason = degeneration(data)
            if reason:
                problems.append(f"degenerate answer, {reason}")
        if not problems and self.require_french:
            problems += french_errors(data)
        if not problems and request.validate is not None:
            problems += list(request.validate(data))
        return data, problems

    def _usage(self, raw: Any, messages: Sequence[Mapping[str, Any]], content: str) -> Usage:
        """Server-reported usage when given, else our own count marked as estimated."""
        if raw is not None and getattr(raw, "prompt_tokens", None) is not None:
            details = getattr(raw, "prompt_tokens_details", None)
            cached = getattr(details, "cached_tokens", None) or 0
            return Usage(int(raw.prompt_tokens), int(raw.completion_tokens or 0), int(cached), 1, False)
        return Usage(self.tokenizer.count_messages(messages), self.tokenizer.count(content), 0, 1, True)

    def _fail(self, message: str, usage: Usage, request: LLMRequest) -> LLMUnitError:
        return LLMUnitError(
            f"{request.prompt.id} v{request.prompt.version}: {message}",
            usage=usage,
            prompt=request.prompt.use,
        )

    # ---------------------------------------------------------------------------------- calls

    def _create(self, messages: list[dict[str, str]], request: LLMRequest, mode: str) -> Any:
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages, "max_tokens": request.max_tokens}
        params = self._params(request)
        if not self.send_seed:
            params.pop("seed", None)
        kwargs.update(params)
        if mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": _safe_name(request.prompt.id),
                    "schema": wire_schema(request.schema),
                    "strict": False,
                },
            }
        elif mode == "json_object_schema":
            # llama.cpp's Python server (and some others) constrain JSON mode with a schema given this way.
            kwargs["response_format"] = {"type": "json_object", "schema": wire_schema(request.schema)}
        elif mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        return self.client.chat.completions.create(**kwargs)

    def _refused_option(self, exc: Any, mode: str, request: LLMRequest) -> bool:
        """Drop the seed or downgrade the response format when the server refuses it; False if neither."""
        text = str(exc).lower()
        if any(m in text for m in _CONTEXT_MARKERS):
            raise BudgetError(
                f"{request.prompt.id}: the server at {self.endpoint} says the request is too long "
                f"for the model ({exc}); set [llm] context_window to the server's real context"
            ) from exc
        # Servers refuse an option with 400/422 naming it; llama.cpp's Python server with a 500 naming it.
        if not any(word in text for word in ("response_format", "json", "schema", "seed")):
            return False
        with self._lock:
            if self.mode != mode:
                return True  # another thread already downgraded: retry with its mode
            if "seed" in text and self.send_seed:
                self.send_seed = False  # e.g. Mistral calls it random_seed: send none
                return True
            if mode != "text":
                self.mode = MODES[MODES.index(mode) + 1]
                return True
        return False

    def _status_error(self, exc: Any, usage: Usage, request: LLMRequest) -> LLMUnitError:
        """An HTTP error turned into a message that says what to do."""
        status = exc.status_code
        if status == 401:
            why = "refused the API key (401); check OPENAI_API_KEY"
        elif status in (403, 404):
            why = (
                f"refused model {self.model!r} ({status}); choose a model it serves with --model or "
                "NEWSLETTER_MODEL, or check OPENAI_BASE_URL"
            )
        elif status == 429:
            why = f"rate-limited the requests after {self.max_retries} retries; lower [llm] max_concurrency or try later"
        else:
            why = f"answered HTTP {status} after {self.max_retries} retries: {exc.message}"
        return self._fail(f"the server at {self.endpoint} {why}", usage, request)

    def _call(
        self, messages: list[dict[str, str]], request: LLMRequest, usage: Usage
    ) -> tuple[str, str | None, Usage, str]:
        """One chat completion, downgrading the response format once if the server refuses it."""
        import openai  # already loaded by make_backend; deferred so offline runs never import it

        while True:
            mode = self.mode
            try:
                response = self._create(messages, request, mode)
                break
            except openai.APIStatusError as exc:
                if not self._refused_option(exc, mode, request):
                    raise self._status_error(exc, usage, request) from exc
            except openai.APITimeoutError as exc:
                raise self._fail(
                    f"no answer from {self.endpoint} within {self.timeout}s "
                    f"(after {self.max_retries} retries); raise [llm] timeout or NEWSLETTER_TIMEOUT",
                    usage,
                    request,
                ) from exc
            except openai.APIConnectionError as exc:
                raise self._fail(
                    f"cannot reach {self.endpoint} ({exc.__cause__ or exc}); is the server "
                    "running? check OPENAI_BASE_URL",
                    usage,
                    request,
                ) from exc
            except openai.APIError as exc:
                raise self._fail(f"bad response from {self.endpoint}: {exc}", usage, request) from exc
            except (ValueError, TypeError) as exc:  # an HTML error page or other non-JSON body on HTTP 200
                raise self._fail(
                    f"the server at {self.endpoint} answered with something that is not "
                    f"chat-completion JSON ({type(exc).__name__}: {exc}); check OPENAI_BASE_URL "
                    "points at the /v1 API",
                    usage,
                    request,
                ) from exc
        choices = getattr(response, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        content = getattr(message, "content", None) if message is not None else None
        if not isinstance(content, str):
            raise self._fail(
                f"the server at {self.endpoint} sent a response without message content", usage, request
            )
        spent = self._usage(getattr(response, "usage", None), messages, content)
        return (
            content,
            getattr(choices[0], "finish_reason", None),
            spent,
            getattr(response, "model", None) or self.model,
        )

    def _retry_messages(
        self, messages: list[dict[str, str]], content: str, problems: list[str], max_tokens: int
    ) -> list[dict[str, str]] | None:
        """The original messages, the bad answer, and the repair prompt, fitted to the context window."""
        if self.repair is None:
            return list(messages)
        repair = list(self.repair.render(errors=problems[:10]).messages)
        with_answer = [*messages, {"role": "assistant", "content": content}, *repair]
        for candidate in (with_answer, [*messages, *repair]):
            if self._needed(candidate, max_tokens) <= self.context_window:
                return candidate
        return None

    def complete_json(self, request: LLMRequest) -> LLMResult:
        """A validated JSON answer, from the cache when possible; LLMError for this unit otherwise."""
        started = time.monotonic()
        if request.max_tokens < 1:
            raise ValueError(
                f"{request.prompt.id}: max_tokens must be a positive bound, got {request.max_tokens}"
            )
        if self.max_output_tokens and request.max_tokens > self.max_output_tokens:
            request = replace(request, max_tokens=self.max_output_tokens)  # [llm] max_output_tokens caps all
        needed = self._needed(request.prompt.messages, request.max_tokens)
        if needed > self.context_window:
            raise BudgetError(
                f"{request.prompt.id}: request needs ~{needed} tokens (output {request.max_tokens} included) "
                f"but [llm] context_window is {self.context_window}; split the input or raise context_window"
            )
        key = self.cache_key(request)
        if self.ledger is not None and not self.no_cache:
            hit = self.ledger.cache_get(key)
            if hit is not None:
                data, meta = hit
                if not validate_schema(data, request.schema) and not (
                    request.validate and request.validate(data)
                ):
                    return LLMResult(
                        data,
                        Usage(),
                        True,
                        request.prompt.use,
                        meta.get("model", self.model),
                        time.monotonic() - started,
                    )

        messages = [dict(m) for m in request.prompt.messages]
        usage = Usage()
        problems: list[str] = []
        for attempt in range(2):
            content, finish, spent, model = self._call(messages, request, usage)
            usage = usage + spent
            data, problems = self._problems(content, finish, request)
            if not problems and data is not None:
                if self.ledger is not None:
                    self.ledger.cache_put(
                        key, request.prompt.id, self.model, data, {**asdict(usage), "model": model}
                    )
                return LLMResult(data, usage, False, request.prompt.use, model, time.monotonic() - started)
            if attempt == 0:
                retry = self._retry_messages(messages, content, problems, request.max_tokens)
                if retry is None:
                    break
                messages = retry
        raise self._fail(f"invalid answer after one retry: {'; '.join(problems[:5])}", usage, request)


# ---------------------------------------------------------------------------------------- parallel


def run_parallel(
    backend: Backend,
    requests: Sequence[LLMRequest],
    max_concurrency: int,
    *,
    on_done: Callable[[int, LLMResult | LLMError], None] | None = None,
) -> list[LLMResult | LLMError]:
    """Run requests on a thread pool of at most `max_concurrency`; results keep the input order."""

    def one(index: int) -> LLMResult | LLMError:
        try:
            result: LLMResult | LLMError = backend.complete_json(requests[index])
        except LLMError as exc:
            result = exc
        except Exception as exc:  # noqa: BLE001 - one unit's bug must not sink the other units
            result = LLMUnitError(
                f"{requests[index].prompt.id}: unexpected {type(exc).__name__}: {exc}",
                prompt=requests[index].prompt.use,
            )
        if on_done is not None:
            on_done(index, result)
        return result

    if not requests:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(max_concurrency, len(requests)))) as pool:
        return list(pool.map(one, range(len(requests))))


# ------------------------------------------------------------------------------------- construction


def make_backend(
    settings: Settings,
    ledger: Any,
    *,
    no_cache: bool = False,
    prompts: PromptRegistry | None = None,
    tokenizer: Tokenizer | None = None,
) -> OpenAIBackend:
    """The OpenAI-compatible backend described by settings; ConfigError says what to set."""
    llm = settings.llm
    if settings.llm.backend == "extractive":
        raise ConfigError("the extractive backend uses no language model; choose --backend openai")
    if not settings.llm_configured:
        raise ConfigError(
            "no language model configured: set OPENAI_API_KEY or OPENAI_BASE_URL "
            "(or [llm] base_url in newsletter.toml), or use --backend extractive"
        )
    import openai  # deferred: importing it costs ~0.5 s that offline runs need not pay

    # Local servers (Ollama, llama.cpp, vLLM) check no key, but the client refuses to start without one.
    api_key = llm.api_key or "not-needed"
    try:
        client = openai.OpenAI(
            base_url=llm.base_url or OPENAI_URL,
            api_key=api_key,
            timeout=llm.timeout,
            max_retries=llm.max_retries,
        )
    except openai.OpenAIError as exc:
        raise ConfigError(f"cannot set up the OpenAI client: {exc}") from exc
    registry = prompts or PromptRegistry(default_root(), settings.prompts)
    return OpenAIBackend(
        client,
        model=llm.model,
        endpoint=str(client.base_url).rstrip("/"),
        tokenizer=tokenizer or get_tokenizer(llm.model),
        context_window=llm.context_window,
        temperature=llm.temperature,
        seed=llm.seed,
        ledger=ledger,
        no_cache=no_cache,
        repair=registry.get("repair_output"),
        timeout=llm.timeout,
        max_retries=llm.max_retries,
        max_output_tokens=llm.max_output_tokens,
    )


# --------------------------------------------------------------------------------------------- cost


def price_for(
    model: str, prices: Mapping[str, tuple[float, float, float]]
) -> tuple[float, float, float] | None:
    """Price per million tokens (input, cached input, output): exact name, else longest prefix match."""
    for name in (model, model.rsplit("/", 1)[-1]):
        if name in prices:
            return prices[name]
        matches = [k for k in prices if name.startswith(k)]
        if matches:
            return prices[max(matches, key=len)]
    return None


def cost(usage: Usage, model: str, prices: Mapping[str, tuple[float, float, float]]) -> float:
    """Estimated USD cost of `usage`; 0.0 for models without a price (local servers)."""
    price = price_for(model, prices)
    if price is None:
        return 0.0
    fresh = max(0, usage.input - usage.cached)
    return (fresh * price[0] + usage.cached * price[1] + usage.output * price[2]) / 1_000_000


def estimate(
    requests: Sequence[LLMRequest],
    tokenizer: Tokenizer,
    *,
    model: str,
    prices: Mapping[str, tuple[float, float, float]],
    is_cached: Callable[[LLMRequest], bool] | None = None,
) -> dict[str, Any]:
    """Dry-run figures without calling anything: output counted at its max_tokens bound."""
    todo = [r for r in requests if not (is_cached and is_cached(r))]
    usage = Usage(
        input=sum(tokenizer.count_messages(r.prompt.messages) for r in todo),
        output=sum(r.max_tokens for r in todo),
        calls=len(todo),
        estimated=True,
    )
    return {
        "calls": usage.calls,
        "cache_hits": len(requests) - len(todo),
        "tokens": {"input": usage.input, "output": usage.output},
        "cost_estimate": cost(usage, model, prices),
        "model": model,
        "priced": price_for(model, prices) is not None,
        "tokenizer": tokenizer.name,
        "estimated": True,
    }


__all__ = [
    "Backend",
    "LLMRequest",
    "LLMResult",
    "LLMUnitError",
    "OpenAIBackend",
    "check_schema",
    "cost",
    "degeneration",
    "estimate",
    "french_errors",
    "make_backend",
    "parse_json_object",
    "price_for",
    "run_parallel",
    "validate_schema",
]
