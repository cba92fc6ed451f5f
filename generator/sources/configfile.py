"""`newsletter sources add URL`: the feed is fetched and parsed first, then appended to newsletter.toml
as a `[[sources]]` table by tomlkit, which keeps the file's comments and layout; written atomically."""

from __future__ import annotations

from pathlib import Path

import httpx
import tomlkit
from tomlkit.exceptions import TOMLKitError

from generator.atomic import write_atomic
from generator.config import CONFIG_NAME, Settings
from generator.errors import ConfigError
from generator.i18n import _
from generator.source_kinds import FEED
from generator.sources.check import READERS
from generator.sources.feed import Feed
from generator.sources.fetch import Fetcher


def validate_feed(settings: Settings, url: str, transport: httpx.BaseTransport | None = None) -> Feed:
    """Fetch and parse `url` (SourceError, in the process's language, when it is not a usable feed)."""
    if not url.startswith(("http://", "https://")):
        raise ConfigError(_("adresse de flux invalide (http:// ou https:// attendu) : {url}", url=url))
    with Fetcher(settings.fetch, transport=transport) as fetcher:
        got = fetcher.get(url, cap_mb=settings.fetch.max_feed_mb)
    return READERS[FEED](got.body, got.url)


def append_source(config: Path, url: str, name: str | None = None, backfill: int | None = None) -> Path:
    """Append a `[[sources]]` table to `config` (created if absent), comments kept; refuses a duplicate URL."""
    try:
        text = config.read_text(encoding="utf-8") if config.exists() else ""
        doc = tomlkit.parse(text)
    except (OSError, TOMLKitError) as exc:
        raise ConfigError(_("configuration illisible : {error}", error=exc), path=str(config)) from None
    sources = doc.get("sources")
    if sources is None:
        sources = tomlkit.aot()
        if text.strip():
            doc.add(tomlkit.nl())  # a blank line before the first [[sources]]
        doc.append("sources", sources)
    elif not isinstance(sources, tomlkit.items.AoT):
        raise ConfigError(_("sources doit être une liste [[sources]]"), path=str(config))
    if any(str(t.get("url", "")).strip() == url for t in sources):
        raise ConfigError(_("ce flux est déjà dans la configuration : {url}", url=url), path=str(config))
    table = tomlkit.table()
    table.add("url", url)
    if name:
        table.add("name", name)
    if backfill is not None:
        table.add("backfill", backfill)
    sources.append(table)
    write_atomic(config, tomlkit.dumps(doc).encode("utf-8"))
    return config


def config_target(settings: Settings) -> Path:
    """The file `sources add` writes: the loaded config, else ./newsletter.toml."""
    return settings.config_path or Path.cwd() / CONFIG_NAME
