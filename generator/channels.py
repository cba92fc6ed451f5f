"""The delivery channels: the one place their names are spelled, and their `[delivery.<name>]` settings.

A channel is one `CHANNELS.add` line here and one module `generator/delivery/<name>.py` (the way a style
is a line in styles.py and a folder `templates/<name>/`). Config validation, the CLI and the review page
read the names from this registry. Passwords and API keys are never settings: each channel names the
environment variable it reads them from, and a key of that kind in newsletter.toml is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from generator.errors import ConfigError
from generator.i18n import N_, _
from generator.registry import Registry

SECURITY = ("starttls", "ssl", "none")
MAX_HEADER_URL = 900  # List-Unsubscribe stays on one line of at most 998 characters
_SECRET_KEYS = ("password", "api_key", "key", "token", "admin_key", "secret")


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username: str | None = None
    sender: str | None = None  # `from` in newsletter.toml
    to: tuple[str, ...] = ()
    recipients_file: Path | None = None  # one address a line; `#` starts a comment
    unsubscribe_url: str | None = None
    batch_size: int = 50  # recipients per SMTP transaction


@dataclass(frozen=True)
class FileSettings:
    sender: str | None = None
    to: tuple[str, ...] = ()
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class ButtondownSettings:
    base_url: str = "https://api.buttondown.com"
    api_version: str = "2026-04-01"  # the version whose emails default to draft


@dataclass(frozen=True)
class GhostSettings:
    base_url: str | None = None  # https://example.ghost.io
    api_version: str = "v5.0"


@dataclass(frozen=True)
class ListmonkSettings:
    base_url: str | None = None
    username: str | None = None  # the API user
    lists: tuple[int, ...] = ()  # list ids the campaign targets


@dataclass(frozen=True)
class Channel:
    """What the code needs to know of a channel besides its module."""

    name: str
    label: str  # how a person names it
    settings: type | None = None  # the dataclass of [delivery.<name>]
    secret_env: str | None = None  # the environment variable holding its password or key
    required: tuple[str, ...] = ()  # settings that must be given when this channel is the method
    platform: bool = False  # creates a draft on a newsletter platform (never sends it)


CHANNELS: Registry[Channel] = Registry(N_("canal d'envoi"))
CHANNELS.add("none", Channel("none", N_("aucun envoi")))  # labels translated where shown
CHANNELS.add("smtp", Channel("smtp", "SMTP", SmtpSettings, "NEWSLETTER_SMTP_PASSWORD", ("host", "sender")))
CHANNELS.add(
    "buttondown",
    Channel("buttondown", "Buttondown", ButtondownSettings, "NEWSLETTER_BUTTONDOWN_API_KEY", platform=True),
)
CHANNELS.add(
    "ghost",
    Channel("ghost", "Ghost", GhostSettings, "NEWSLETTER_GHOST_ADMIN_KEY", ("base_url",), platform=True),
)
CHANNELS.add(
    "listmonk",
    Channel(
        "listmonk",
        "listmonk",
        ListmonkSettings,
        "NEWSLETTER_LISTMONK_TOKEN",
        ("base_url", "username", "lists"),
        platform=True,
    ),
)
CHANNELS.add("file", Channel("file", N_("fichier .eml"), FileSettings, None, ("sender",)))

DEFAULT_METHOD = "none"


@dataclass(frozen=True)
class DeliverySettings:
    method: str = DEFAULT_METHOD
    auto: bool = False  # the nightly run sends approved editions
    auto_max_age_days: float = 7.0  # ...approved at most this long ago (older ones: `newsletter send`)
    retries: int = 3  # new tries after a transient failure
    backoff_s: float = 2.0  # first wait; doubled at each try
    timeout_s: float = 30.0
    channels: Mapping[str, Any] = field(default_factory=dict)  # name -> its settings dataclass

    def options(self, name: str) -> Any:
        """The `[delivery.<name>]` settings (defaults when the table is absent)."""
        channel = CHANNELS.get(name)
        if name in self.channels:
            return self.channels[name]
        return channel.settings() if channel.settings else None

    @property
    def channel(self) -> Channel:
        return CHANNELS.get(self.method)


def _coerce(where: str, key: str, value: Any, kind: str, root: Path | None) -> Any:
    """A TOML value as the field's annotated type ("str | None", "int", "tuple[str, ...]"...)."""
    base = kind.replace(" | None", "")
    try:
        if base.startswith("tuple"):
            items = [value] if isinstance(value, str | int) else list(value)
            return tuple(int(v) if "int" in base else str(v).strip() for v in items)
        if isinstance(value, bool) and base != "bool":
            raise ValueError(_("booléen inattendu"))
        if base == "bool":
            if not isinstance(value, bool):
                raise ValueError(_("true ou false attendu"))
            return value
        if base == "int":
            return int(value)
        if base == "float":
            return float(value)
        if base == "Path":
            path = Path(str(value)).expanduser()
            return path if path.is_absolute() or root is None else root / path
        return str(value).strip()
    except (TypeError, ValueError) as exc:
        raise ConfigError.invalid_value(where, key, value, exc) from None


def _table(cls: type, where: str, raw: Mapping[str, Any], root: Path | None, secret: str | None) -> Any:
    kinds = {f.name: str(f.type) for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = "sender" if key == "from" else key
        if key in _SECRET_KEYS and secret:
            raise ConfigError(
                _(
                    "[{where}] {key} : un secret ne s'écrit jamais dans newsletter.toml ; "
                    "mettez-le dans la variable d'environnement {variable}",
                    where=where,
                    key=key,
                    variable=secret,
                )
            )
        if name not in kinds or key == "sender":
            known = ", ".join("from" if k == "sender" else k for k in kinds)
            raise ConfigError(
                _(
                    "[{where}] clé inconnue « {key} » ; clés possibles : {known}",
                    where=where,
                    key=key,
                    known=known,
                )
            )
        values[name] = _coerce(where, key, value, kinds[name], root)
    return cls(**values)


def parse_delivery(raw: Mapping[str, Any], root: Path | None = None) -> DeliverySettings:
    """The `[delivery]` table and its `[delivery.<channel>]` sub-tables, validated; paths relative to `root`."""
    if not isinstance(raw, Mapping):
        raise ConfigError(_("[delivery] doit être une table"))
    kinds = {f.name: str(f.type) for f in fields(DeliverySettings) if f.name != "channels"}
    values: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, Mapping):
            spec = CHANNELS.get(key)  # ConfigError listing the channels for an unknown table
            if spec.settings is None:
                raise ConfigError(_("[delivery.{key}] : ce canal n'a pas de réglages", key=key))
            channels[key] = _table(spec.settings, f"delivery.{key}", value, root, spec.secret_env)
        elif key in kinds:
            values[key] = _coerce("delivery", key, value, kinds[key], root)
        else:
            raise ConfigError(
                _(
                    "[delivery] clé inconnue « {key} » ; clés possibles : {known}, "
                    "ou une table [delivery.<canal>] ({channels})",
                    key=key,
                    known=", ".join(kinds),
                    channels=CHANNELS.choices_text(),
                )
            )
    settings = DeliverySettings(**values, channels=channels)
    validate_delivery(settings)
    return settings


def validate_delivery(settings: DeliverySettings) -> None:
    """The method exists, its required settings are there, numbers and URLs make sense."""
    if settings.method not in CHANNELS:
        raise ConfigError(
            _(
                "[delivery] method = « {method} » inconnu ; choix possibles : {choices}",
                method=settings.method,
                choices=CHANNELS.choices_text(),
            )
        )
    if settings.retries < 0 or settings.backoff_s < 0 or settings.timeout_s <= 0:
        raise ConfigError(_("[delivery] retries >= 0, backoff_s >= 0 et timeout_s > 0 sont requis"))
    for name, options in settings.channels.items():
        _check_options(name, options)
    channel = settings.channel
    options = settings.options(settings.method)
    missing = [k for k in channel.required if not getattr(options, k)]
    if missing:
        keys = ", ".join("from" if k == "sender" else k for k in missing)
        raise ConfigError(
            _(
                "[delivery.{channel}] il manque {keys} (méthode d'envoi « {channel} »)",
                channel=channel.name,
                keys=keys,
            )
        )
    if channel.name == "smtp" and not (options.to or options.recipients_file):
        raise ConfigError(_("[delivery.smtp] il faut des destinataires : to = [...] ou recipients_file"))


def _check_options(name: str, options: Any) -> None:
    url = getattr(options, "unsubscribe_url", None)
    if url and (
        not url.startswith("https://") or len(url) > MAX_HEADER_URL or any(c in url for c in " <>\r\n")
    ):
        raise ConfigError(
            _(
                "[delivery.{name}] unsubscribe_url doit être une adresse https:// sans espace ni <> "
                "(désinscription en un clic, RFC 8058), de {max} caractères au plus",
                name=name,
                max=MAX_HEADER_URL,
            )
        )
    if isinstance(options, SmtpSettings):
        if options.security not in SECURITY:
            raise ConfigError(
                _(
                    "[delivery.smtp] security = « {security} » : choisissez {choices}",
                    security=options.security,
                    choices=", ".join(SECURITY),
                )
            )
        if not 0 < options.port < 65536 or options.batch_size < 1:
            raise ConfigError(_("[delivery.smtp] port entre 1 et 65535 et batch_size >= 1 sont requis"))
    base_url = getattr(options, "base_url", None)
    if base_url and not base_url.startswith(("http://", "https://")):
        raise ConfigError(_("[delivery.{name}] base_url doit commencer par https:// (ou http://)", name=name))
