"""The OpenAI-compatible backend and its construction from settings (the only module importing openai)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlparse

from generator.config import LLMSettings, Settings
from generator.errors import BudgetError, ConfigError
from generator.i18n import _
from generator.llm.checks import degeneration, french_errors
from generator.llm.prompts import PromptFile, PromptRegistry, default_root
from generator.llm.protocol import LLMRequest, LLMResult, LLMUnitError
from generator.llm.schema import parse_json_object, validate_schema, wire_schema
from generator.llm.tokens import Tokenizer, get_tokenizer
from generator.model import Usage

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


def refused_option(error: str | None) -> str | None:
    """Which request option a server's error says it refused: "seed", "format" or None.

    Servers refuse an option with an HTTP 400/422 naming it, llama.cpp's Python server with a 500;
    a context-length error is never a refused option.
    """
    text = (error or "").lower()
    if not text or any(m in text for m in _CONTEXT_MARKERS):
        return None
    if "seed" in text:
        return "seed"
    if any(word in text for word in ("response_format", "json", "schema")):
        return "format"
    return None


def _safe_name(prompt_id: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "_", prompt_id)[:64] or "answer"


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class CachePolicy:
    """How a backend uses the ledger's answer cache: ignore it (--no-cache), ask again for failures."""

    no_cache: bool = False
    retry_failed: bool = False


class OpenAIBackend:
    """Any OpenAI-compatible chat-completions server: OpenAI, Mistral, Ollama, vLLM, llama.cpp."""

    name = "openai"

    def __init__(
        self,
        client: Any,
        *,
        options: LLMSettings,
        endpoint: str,
        tokenizer: Tokenizer,
        ledger: Any = None,
        cache: CachePolicy | None = None,
        repair: PromptFile | None = None,
    ) -> None:
        cache = cache or CachePolicy()
        self.client = client
        self.model = options.model
        self.endpoint = endpoint
        self.tokenizer = tokenizer
        self.context_window = options.context_window
        self.temperature = options.temperature
        self.seed = options.seed
        self.ledger = ledger
        self.no_cache = cache.no_cache
        self.repair = repair
        self.require_french = True
        self.timeout = options.timeout
        self.max_retries = options.max_retries
        self.max_output_tokens = options.max_output_tokens
        self.retry_failed = cache.retry_failed  # ask again for answers recorded as failed (--retry-failed)
        self.mode = MODES[0]  # downgraded once per backend when the server refuses a response_format
        self.send_seed = options.seed is not None
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
        return self.client.chat.completions.create(**self.request_body(messages, request, mode))

    def request_body(self, messages: list[dict[str, str]], request: LLMRequest, mode: str) -> dict[str, Any]:
        """The chat-completions body of one call (also a Batch API line's `body`)."""
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
        return kwargs

    def _refused_option(self, exc: Any, mode: str, request: LLMRequest) -> bool:
        """Drop the seed or downgrade the response format when the server refuses it; False if neither."""
        text = str(exc).lower()
        if any(m in text for m in _CONTEXT_MARKERS):
            raise BudgetError(
                _(
                    "{prompt} : le serveur {endpoint} trouve la requête trop longue pour le modèle ({error}) ; "
                    "réglez [llm] context_window sur le contexte réel du serveur",
                    prompt=request.prompt.id,
                    endpoint=self.endpoint,
                    error=exc,
                )
            ) from exc
        refused = refused_option(text)
        return refused is not None and self.step_down(refused, mode)

    def step_down(self, refused: str, mode: str) -> bool:
        """After the server refused `refused` ("seed" or "format") sent with `mode`: drop the seed, else
        take the next response format; False when nothing is left to drop (shared with batch mode)."""
        with self._lock:
            if self.mode != mode:
                return True  # another thread already downgraded: retry with its mode
            if refused == "seed" and self.send_seed:
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
            why = _("a refusé la clé d'API (401) ; vérifiez OPENAI_API_KEY")
        elif status in (403, 404):
            why = _(
                "a refusé le modèle « {model} » ({status}) ; choisissez un modèle qu'il sert avec --model ou "
                "NEWSLETTER_MODEL, ou vérifiez OPENAI_BASE_URL",
                model=self.model,
                status=status,
            )
        elif status == 429:
            why = _(
                "a limité le débit après {n} nouvelles tentatives ; baissez [llm] max_concurrency ou réessayez plus tard",
                n=self.max_retries,
            )
        else:
            why = _(
                "a répondu HTTP {status} après {n} nouvelles tentatives : {error}",
                status=status,
                n=self.max_retries,
                error=exc.message,
            )
        return self._fail(_("le serveur {endpoint} {why}", endpoint=self.endpoint, why=why), usage, request)

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
                    _(
                        "pas de réponse de {endpoint} en {timeout} s (après {n} nouvelles tentatives) ; "
                        "relevez [llm] timeout ou NEWSLETTER_TIMEOUT",
                        endpoint=self.endpoint,
                        timeout=self.timeout,
                        n=self.max_retries,
                    ),
                    usage,
                    request,
                ) from exc
            except openai.APIConnectionError as exc:
                raise self._fail(
                    _(
                        "impossible de joindre {endpoint} ({error}) ; le serveur tourne-t-il ? vérifiez OPENAI_BASE_URL",
                        endpoint=self.endpoint,
                        error=exc.__cause__ or exc,
                    ),
                    usage,
                    request,
                ) from exc
            except openai.APIError as exc:
                raise self._fail(
                    _("mauvaise réponse de {endpoint} : {error}", endpoint=self.endpoint, error=exc),
                    usage,
                    request,
                ) from exc
            except (ValueError, TypeError) as exc:  # an HTML error page or other non-JSON body on HTTP 200
                raise self._fail(
                    _(
                        "le serveur {endpoint} a répondu autre chose que du JSON de chat completion "
                        "({error}) ; vérifiez qu'OPENAI_BASE_URL désigne l'API /v1",
                        endpoint=self.endpoint,
                        error=type(exc).__name__ + ": " + str(exc),
                    ),
                    usage,
                    request,
                ) from exc
        choices = getattr(response, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        content = getattr(message, "content", None) if message is not None else None
        if not isinstance(content, str):
            raise self._fail(
                _("le serveur {endpoint} a envoyé une réponse sans contenu", endpoint=self.endpoint),
                usage,
                request,
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
                _(
                    "{prompt} : la requête demande ~{needed} jetons (dont {output} en sortie) mais [llm] "
                    "context_window vaut {window} ; découpez l'entrée ou relevez context_window",
                    prompt=request.prompt.id,
                    needed=needed,
                    output=request.max_tokens,
                    window=self.context_window,
                )
            )
        key = self.cache_key(request)
        if self.ledger is not None and not self.no_cache:
            hit = self.ledger.cache_get(key)
            if hit is not None and hit[1].get("failed") and not self.retry_failed:
                raise self._fail(
                    _("{error} (échec enregistré ; --retry-failed redemande)", error=hit[1]["failed"]),
                    Usage(),
                    request,
                )
            if hit is not None and not hit[1].get("failed"):
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
        failure = f"invalid answer after one retry: {'; '.join(problems[:5])}"
        if self.ledger is not None:
            # Recorded as a failure, never as an answer: an unchanged re-run does not pay for it again.
            self.ledger.cache_put(
                key, request.prompt.id, self.model, {}, {**asdict(usage), "failed": failure}
            )
        raise self._fail(failure, usage, request)


# ------------------------------------------------------------------------------------- construction


def make_backend(
    settings: Settings,
    ledger: Any,
    *,
    no_cache: bool = False,
    prompts: PromptRegistry | None = None,
    tokenizer: Tokenizer | None = None,
    retry_failed: bool = False,
) -> OpenAIBackend:
    """The OpenAI-compatible backend described by settings; ConfigError says what to set."""
    llm = settings.llm
    if settings.llm.backend == "extractive":
        raise ConfigError(
            _("le backend extractive n'utilise aucun modèle de langage ; choisissez --backend openai")
        )
    if not settings.llm_configured:
        raise ConfigError(
            _(
                "aucun modèle de langage configuré : définissez OPENAI_API_KEY ou OPENAI_BASE_URL "
                "(ou [llm] base_url dans newsletter.toml), ou utilisez --backend extractive"
            )
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
        raise ConfigError(_("impossible de préparer le client OpenAI : {error}", error=exc)) from exc
    registry = prompts or PromptRegistry(default_root(), settings.prompts)
    return OpenAIBackend(
        client,
        options=llm,
        endpoint=str(client.base_url).rstrip("/"),
        tokenizer=tokenizer or get_tokenizer(llm.model),
        ledger=ledger,
        cache=CachePolicy(no_cache=no_cache, retry_failed=retry_failed),
        repair=registry.get("repair_output"),
    )
