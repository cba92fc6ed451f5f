"""Settings: newsletter.toml (tomllib) < NEWSLETTER_* / OPENAI_* environment < command-line flags."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from generator.backends import AUTO, BACKENDS, EXTRACTIVE, OPENAI
from generator.cadences import EDITION_INIT, EditionSettings
from generator.channels import CHANNELS, DeliverySettings, parse_delivery
from generator.errors import ConfigError
from generator.i18n import _
from generator.source_kinds import FEED, NO_TRANSCRIPTION, SOURCE_KINDS, TRANSCRIBERS
from generator.styles import DEFAULT_STYLE, STYLES

CONFIG_NAME = "newsletter.toml"

# Per million tokens: (input, cached input, output), USD. Public list prices; override in [prices].
DEFAULT_PRICES: dict[str, tuple[float, float, float]] = {
    "gpt-4o-mini": (0.15, 0.075, 0.60),
    "gpt-4.1-mini": (0.40, 0.10, 1.60),
    "gpt-4.1-nano": (0.10, 0.025, 0.40),
    "gpt-4o": (2.50, 1.25, 10.00),
    "mistral-small-latest": (0.10, 0.10, 0.30),
    "ministral-8b-latest": (0.10, 0.10, 0.10),
}
# Batch API prices, same shape: OpenAI and Mistral bill a batch at half the synchronous price. A model
# missing here is priced at its synchronous rate (never under-estimated); override in [prices.<model>].
DEFAULT_BATCH_PRICES: dict[str, tuple[float, float, float]] = {
    name: (i / 2, c / 2, o / 2) for name, (i, c, o) in DEFAULT_PRICES.items()
}


@dataclass(frozen=True)
class NewsletterSettings:
    name: str = "La Lettre Tech"
    author: str = "La rédaction"
    sign_off: str = ""
    style: str = DEFAULT_STYLE
    source_url: str | None = None


@dataclass(frozen=True)
class PathSettings:
    inbox: Path = Path("inbox")
    outbox: Path = Path("outbox")
    state: Path = Path("state")


@dataclass(frozen=True)
class LLMSettings:
    backend: str = AUTO  # a name in generator.backends.BACKENDS
    base_url: str | None = None
    api_key: str | None = None  # only ever from the environment
    model: str = "gpt-4o-mini"
    timeout: float = 120.0
    max_retries: int = 2
    max_concurrency: int = 4
    context_window: int = 16384
    max_output_tokens: int = 1024
    temperature: float = 0.2
    seed: int | None = 42
    batch: bool = False  # `newsletter run` sends the summaries through the provider's Batch API
    batch_deadline: str | None = None  # "HH:MM" local time; None: one hour before [schedule] time


@dataclass(frozen=True)
class IngestSettings:
    max_size_mb: float = 50.0


@dataclass(frozen=True)
class SegmentSettings:
    min_segment_s: float | None = None  # None: adapted to each episode's length (segment.py)
    # The model pass over the offline topics (topics/refinement.py). Off by default: with the small local
    # model it did not help (BENCHMARKS.md, Segmentation); turn it on for a capable model.
    refine: bool = False


@dataclass(frozen=True)
class RunSettings:
    edition_per: str = "run"  # run | episode
    settle_seconds: float = 5.0


@dataclass(frozen=True)
class ScheduleSettings:
    time: str = "06:00"
    days: str = "*"  # cron day_of_week: "*", "mon-fri", "mon,thu"...
    day: str = "mon"  # with [edition] cadence = "weekly": the day the weekly edition is built
    timezone: str = "Europe/Paris"
    misfire_grace_s: int = 3600


@dataclass(frozen=True)
class SourceSettings:
    """One `[[sources]]` table: a podcast feed the run checks for new episodes."""

    url: str
    name: str | None = None  # None: the feed's own title
    backfill: int = 1  # how many of the latest items to take the first time the feed is seen
    kind: str = FEED  # source_kinds.SOURCE_KINDS


@dataclass(frozen=True)
class FetchSettings:
    """How feeds, transcripts and audio are fetched (sizes in MB, times in seconds)."""

    timeout: float = 20.0
    max_feed_mb: float = 10.0
    max_transcript_mb: float = 20.0
    max_audio_mb: float = 500.0
    per_host: int = 4  # connections at once to one host
    workers: int = 8  # feeds checked at once
    max_retry_wait_s: float = 10.0  # a longer Retry-After defers the feed to a later check


@dataclass(frozen=True)
class TranscriptionSettings:
    """Speech-to-text for items with audio and no transcript; `none` lists them as skipped."""

    backend: str = NO_TRANSCRIPTION  # source_kinds.TRANSCRIBERS
    model: str = "whisper-1"
    base_url: str | None = None
    model_path: str | None = None  # faster-whisper: a local model folder (never downloaded)
    api_key_env: str = "OPENAI_API_KEY"
    price_per_minute: float = 0.006  # USD, for --dry-run estimates and the record
    max_upload_mb: float = 24.0  # the API refuses files over 25 MB: longer audio is split at silences


@dataclass(frozen=True)
class Settings:
    newsletter: NewsletterSettings = field(default_factory=NewsletterSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    segment: SegmentSettings = field(default_factory=SegmentSettings)
    run: RunSettings = field(default_factory=RunSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    transcription: TranscriptionSettings = field(default_factory=TranscriptionSettings)
    sources: tuple[SourceSettings, ...] = ()
    delivery: DeliverySettings = field(default_factory=DeliverySettings)  # [delivery], generator/channels.py
    edition: EditionSettings = field(default_factory=EditionSettings)
    prompts: Mapping[str, int] = field(default_factory=dict)  # prompt id -> pinned version
    prices: Mapping[str, tuple[float, float, float]] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    batch_prices: Mapping[str, tuple[float, float, float]] = field(
        default_factory=lambda: dict(DEFAULT_BATCH_PRICES)
    )
    config_path: Path | None = None

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm.api_key or self.llm.base_url)

    @property
    def resolved_backend(self) -> str:
        """`auto` means openai when a key or base URL is set, else extractive."""
        if self.llm.backend == AUTO:
            return OPENAI if self.llm_configured else EXTRACTIVE
        return self.llm.backend


_SECTIONS = {
    "newsletter": NewsletterSettings,
    "paths": PathSettings,
    "llm": LLMSettings,
    "ingest": IngestSettings,
    "segment": SegmentSettings,
    "run": RunSettings,
    "schedule": ScheduleSettings,
    "fetch": FetchSettings,
    "transcription": TranscriptionSettings,
    "edition": EditionSettings,
}


def _coerce(section: str, key: str, value: Any, target: Any) -> Any:
    """Convert a TOML or environment value to the type of the default."""
    try:
        if isinstance(target, Path) or (section == "paths"):
            return Path(value)
        if isinstance(target, bool):
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "oui")
        if isinstance(target, int) and not isinstance(target, bool):
            return int(value)
        if isinstance(target, float):
            return float(value)
        if target is None and key == "seed":
            return int(value)
        if target is None and key == "min_segment_s":
            return float(value)
        if isinstance(target, int) and not isinstance(target, bool) and key == "backfill":
            return int(value)
        return value if value is None else str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError.invalid_value(section, key, value, exc) from exc


def _apply(section_obj: Any, section: str, values: Mapping[str, Any]) -> Any:
    known = {f.name: f for f in fields(section_obj)}
    changes = {}
    for key, value in values.items():
        if key not in known or (section == "llm" and key == "api_key"):
            hint = _(" (la clé d'API se lit seulement dans OPENAI_API_KEY)") if key == "api_key" else ""
            raise ConfigError(
                _(
                    "réglage inconnu [{section}] {key}{hint} ; connus : {known}",
                    section=section,
                    key=key,
                    hint=hint,
                    known=", ".join(sorted(known)),
                )
            )
        changes[key] = _coerce(section, key, value, getattr(section_obj, key))
    return replace(section_obj, **changes)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("TOML invalide : {error}", error=exc), path=str(path)) from exc
    except OSError as exc:
        raise ConfigError(_("configuration illisible : {error}", error=exc.strerror), path=str(path)) from exc


def _prices(raw: Mapping[str, Any]) -> dict[str, tuple[float, float, float]]:
    prices = dict(DEFAULT_PRICES)
    for model, entry in raw.items():
        try:
            prices[model] = (
                float(entry["input"]),
                float(entry.get("cached_input", entry["input"])),
                float(entry["output"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                _(
                    "[prices.{model}] demande des nombres input, output (et cached_input, facultatif)",
                    model=model,
                )
            ) from exc
    return prices


def _batch_prices(raw: Mapping[str, Any]) -> dict[str, tuple[float, float, float]]:
    """[prices.<model>] batch_input / batch_output (and batch_cached_input) over the defaults."""
    prices = dict(DEFAULT_BATCH_PRICES)
    for model, entry in raw.items():
        if isinstance(entry, Mapping) and "batch_input" in entry:
            try:
                prices[model] = (
                    float(entry["batch_input"]),
                    float(entry.get("batch_cached_input", entry["batch_input"])),
                    float(entry["batch_output"]),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ConfigError(
                    _("[prices.{model}] demande des nombres batch_input et batch_output", model=model)
                ) from exc
    return prices


def _sources(raw: Any, path: Path | None) -> tuple[SourceSettings, ...]:
    """`[[sources]]` tables: url required, name and backfill optional."""
    where = str(path) if path else None
    if not isinstance(raw, list):
        raise ConfigError(_("[[sources]] doit être une liste de tables (url, name, backfill)"), path=where)
    out = []
    for n, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str) or not entry["url"].strip():
            raise ConfigError(_("[[sources]] n° {n} : la clé url (texte) est obligatoire", n=n), path=where)
        unknown = set(entry) - {"url", "name", "backfill", "kind"}
        if unknown:
            raise ConfigError(
                _(
                    "[[sources]] n° {n} : clé inconnue {keys} (url, name, backfill, kind)",
                    n=n,
                    keys=", ".join(sorted(unknown)),
                ),
                path=where,
            )
        backfill = entry.get("backfill", 1)
        if isinstance(backfill, bool) or not isinstance(backfill, int) or backfill < 0:
            raise ConfigError(_("[[sources]] n° {n} : backfill doit être un entier >= 0", n=n), path=where)
        url = entry["url"].strip()
        if not url.startswith(("http://", "https://")):
            raise ConfigError(
                _("[[sources]] n° {n} : url doit commencer par http:// ou https:// ({url})", n=n, url=url),
                path=where,
            )
        name = entry.get("name")
        out.append(
            SourceSettings(url, str(name).strip() if name else None, backfill, str(entry.get("kind", FEED)))
        )
    return tuple(out)


ENV_MAP = {
    "OPENAI_API_KEY": ("llm", "api_key"),
    "OPENAI_BASE_URL": ("llm", "base_url"),
    "NEWSLETTER_MODEL": ("llm", "model"),
    "NEWSLETTER_SEGMENT_REFINE": ("segment", "refine"),
    "NEWSLETTER_TIMEOUT": ("llm", "timeout"),
    "NEWSLETTER_MAX_RETRIES": ("llm", "max_retries"),
    "NEWSLETTER_MAX_CONCURRENCY": ("llm", "max_concurrency"),
    "NEWSLETTER_CONTEXT_WINDOW": ("llm", "context_window"),
    "NEWSLETTER_BACKEND": ("llm", "backend"),
    "NEWSLETTER_STYLE": ("newsletter", "style"),
    "NEWSLETTER_BATCH": ("llm", "batch"),
}


def load_settings(
    config: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Build Settings from the config file (explicit path, else ./newsletter.toml if present), env, flags."""
    env = os.environ if env is None else env
    base = cwd or Path.cwd()
    path: Path | None
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(
                _("fichier de configuration introuvable ; lancez `newsletter init` ou corrigez --config"),
                path=str(path),
            )
    else:
        path = base / CONFIG_NAME
        if not path.is_file():
            path = None
    raw = _read_toml(path) if path else {}

    settings = Settings(config_path=path)
    updates: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(_("[{key}] doit être une table", key=key), path=str(path))
            updates[key] = _apply(getattr(settings, key), key, value)
        elif key == "prompts":
            try:
                updates["prompts"] = {str(k): int(v) for k, v in value.items()}
            except (AttributeError, TypeError, ValueError) as exc:
                raise ConfigError(
                    _("[prompts] associe un identifiant de prompt à un numéro de version"), path=str(path)
                ) from exc
        elif key == "sources":
            updates["sources"] = _sources(value, path)
        elif key == "delivery":
            updates["delivery"] = parse_delivery(value, path.parent if path else base)
        elif key == "prices":
            updates["prices"] = _prices(value)
            updates["batch_prices"] = _batch_prices(value)
        else:
            raise ConfigError(_("section inconnue [{key}]", key=key), path=str(path))
    settings = replace(settings, **updates)

    # Relative paths in a config file are relative to that file's folder.
    root = path.parent if path else base
    settings = replace(
        settings,
        paths=PathSettings(
            *(
                p if p.is_absolute() else root / p
                for p in (settings.paths.inbox, settings.paths.outbox, settings.paths.state)
            )
        ),
    )

    env_updates: dict[str, dict[str, Any]] = {}
    for var, (section, key) in ENV_MAP.items():
        if env.get(var):
            env_updates.setdefault(section, {})[key] = env[var]
    for section, values in env_updates.items():
        obj = getattr(settings, section)
        if section == "llm" and "api_key" in values:
            obj = replace(obj, api_key=values.pop("api_key"))
        settings = replace(settings, **{section: _apply(obj, section, values)})

    for section, values in (overrides or {}).items():
        clean = {k: v for k, v in values.items() if v is not None}
        if clean:
            settings = replace(settings, **{section: _apply(getattr(settings, section), section, clean)})

    _validate(settings)
    return settings


def _validate_sources(settings: Settings) -> None:
    """[transcription] backend and [[sources]] kind come from their registries; [fetch] bounds are positive."""
    if settings.transcription.backend not in TRANSCRIBERS:
        raise ConfigError(
            _(
                "[transcription] backend doit être {choices}, pas {value}",
                choices=TRANSCRIBERS.choices_text(" | "),
                value=repr(settings.transcription.backend),
            )
        )
    for src in settings.sources:
        if src.kind not in SOURCE_KINDS:
            raise ConfigError(
                _(
                    "[[sources]] kind doit être {choices}, pas {value}",
                    choices=SOURCE_KINDS.choices_text(" | "),
                    value=repr(src.kind),
                )
            )
    f = settings.fetch
    if min(f.timeout, f.max_feed_mb, f.max_transcript_mb, f.max_audio_mb, f.per_host, f.workers) <= 0:
        raise ConfigError(_("[fetch] timeout, max_*_mb, per_host et workers doivent être positifs"))


def _validate(settings: Settings) -> None:
    if settings.llm.backend not in BACKENDS:
        raise ConfigError(
            _(
                "[llm] backend doit valoir {choices}, pas {value}",
                choices=BACKENDS.choices_text(),
                value=repr(settings.llm.backend),
            )
        )
    if settings.newsletter.style not in STYLES:
        raise ConfigError(
            _(
                "[newsletter] style doit valoir {choices}, pas {value}",
                choices=STYLES.choices_text(),
                value=repr(settings.newsletter.style),
            )
        )
    if settings.run.edition_per not in ("run", "episode"):
        raise ConfigError(
            _(
                "[run] edition_per doit valoir run ou episode, pas {value}",
                value=repr(settings.run.edition_per),
            )
        )
    _validate_sources(settings)
    if settings.llm.max_concurrency < 1 or settings.llm.max_retries < 0 or settings.llm.timeout <= 0:
        raise ConfigError(_("[llm] demande max_concurrency >= 1, max_retries >= 0 et timeout > 0"))
    deadline = settings.llm.batch_deadline
    if deadline is not None and not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", deadline.strip()):
        raise ConfigError(
            _("[llm] batch_deadline doit être une heure locale HH:MM, pas {value}", value=repr(deadline))
        )


# What `newsletter init` writes: every key, commented (French, like the rest of what a user reads).
INIT_TEMPLATE = (Path(__file__).with_name("init.toml")).read_text(encoding="utf-8").replace(
    "__DEFAULT_STYLE__", DEFAULT_STYLE
).replace("__STYLE_CHOICES__", STYLES.choices_text(" | ")).replace(
    "__TRANSCRIBERS__", TRANSCRIBERS.choices_text(" | ")
).replace("__CHANNEL_CHOICES__", CHANNELS.choices_text(" | ")) + EDITION_INIT
