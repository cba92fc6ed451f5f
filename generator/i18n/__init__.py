"""Every sentence a person reads, in French by default and in English when the locale asks for it.

Messages are written in French in the code (`_("Brouillon approuvé.")`) and are their own French text;
`locales/en/LC_MESSAGES/newsletter.po` translates them into English. argparse's own words ("usage",
"options", "show this help message and exit") are English in the standard library; `locales/fr/
LC_MESSAGES/argparse.po` translates them into French. Both are compiled with Babel into the `.mo` files
committed beside them (`python -m generator.i18n.update` extracts, merges and compiles; a test fails
when a message has no English text or a `.mo` is older than its `.po`).

Two ways to get a `Messages`:
- `current()`: the process's language, read once from LANGUAGE / LC_ALL / LC_MESSAGES / LANG (English
  only when the first one set starts with `en`, French otherwise, `C` included). The CLI and the
  stages' errors use it.
- `messages(lang)`: an explicit language, as the review server does for each request (Accept-Language).
  Nothing is ever installed into `builtins` or the `gettext` module's global domain.

Dates and numbers go through Babel's CLDR data: "4 décembre 2026 à 15 h 18", "0,0000 $".
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal

__all__ = [
    "LANGUAGES",
    "N_",
    "Messages",
    "_",
    "accept_language",
    "argparse_catalogue",
    "current",
    "language_from_env",
    "messages",
    "ngettext",
    "set_language",
]

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "newsletter"
LANGUAGES = ("fr", "en")
DEFAULT = "fr"
_ENV_KEYS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """'en' when the first locale variable set starts with `en`, else 'fr' (the `C` locale included)."""
    env = os.environ if environ is None else environ
    for key in _ENV_KEYS:
        value = env.get(key, "")
        if value:
            # LANGUAGE may list several ("en_GB:fr"); the first one decides.
            return "en" if value.split(":")[0].lower().startswith("en") else DEFAULT
    return DEFAULT


def accept_language(header: str | None, default: str = DEFAULT) -> str:
    """The best of LANGUAGES for an Accept-Language header ("en-US,en;q=0.8,fr;q=0.5"), else `default`."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else default


@dataclass(frozen=True)
class Messages:
    """One language's messages, dates and numbers. `_` and `ngettext` take `{name}` placeholders."""

    lang: str
    catalogue: _gettext.NullTranslations

    def _(self, message: str, /, **params: Any) -> str:
        text = self.catalogue.gettext(message) if self.lang != DEFAULT else message
        return text.format(**params) if params else text

    gettext = _

    def ngettext(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        """The form for `n` (French: 0 and 1 singular; English: 1 only); `{n}` is the formatted count."""
        if self.lang == DEFAULT:
            text = singular if Locale.parse(self.lang).plural_form(abs(n)) == "one" else plural
        else:
            text = self.catalogue.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **params)

    def number(self, value: float, decimals: int | None = None) -> str:
        """12 345 in French, 12,345 in English; `decimals` fixes the digits after the separator."""
        pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.lang)

    def money(self, dollars: float) -> str:
        """An estimate in US dollars: "0,0000 $" in French, "$0.0000" in English."""
        return self._("{amount} $", amount=self.number(dollars, 4))

    def datetime(self, value: dt.datetime | str | None) -> str:
        """ "4 décembre 2026 à 15 h 18" (the time as recorded, in its own offset); "?" when unknown."""
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                return value or "?"
        if value is None:
            return "?"
        return format_datetime(value, self._("d MMMM y 'à' H 'h' mm"), locale=self.lang)

    def date(self, value: dt.date | str | None) -> str:
        """ "4 décembre 2026"; the text itself when it is not an ISO date."""
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value[:10])
            except ValueError:
                return value or "?"
        if value is None:
            return "?"
        from babel.dates import format_date

        return format_date(value, format="long", locale=self.lang)


@cache
def _catalogue(lang: str, domain: str) -> _gettext.NullTranslations:
    try:
        return _gettext.translation(domain, str(LOCALES_DIR), languages=[lang])
    except OSError:  # no compiled catalogue: the messages stay as written (French)
        return _gettext.NullTranslations()


@cache
def messages(lang: str) -> Messages:
    """The messages of `lang` (one of LANGUAGES; anything else is French)."""
    lang = lang if lang in LANGUAGES else DEFAULT
    return Messages(lang, _catalogue(lang, DOMAIN))


def argparse_catalogue(lang: str) -> _gettext.NullTranslations:
    """argparse's own strings in `lang` (its English as written when `lang` is English)."""
    return _gettext.NullTranslations() if lang == "en" else _catalogue(lang, "argparse")


_current: list[str] = []


def set_language(lang: str | None) -> Messages:
    """Fix the process's language (the CLI does it once from the environment); returns its messages."""
    _current[:] = [lang if lang in LANGUAGES else language_from_env()]
    return messages(_current[0])


def current() -> Messages:
    """The process's messages: set by `set_language`, else read from the environment."""
    return messages(_current[0] if _current else language_from_env())


def N_(message: str) -> str:
    """Marks a constant for translation where it is defined; `_(CONSTANT)` translates it where used."""
    return message


def _(message: str, /, **params: Any) -> str:
    """`message` in the process's language (see `current`)."""
    return current()._(message, **params)


def ngettext(singular: str, plural: str, n: int, /, **params: Any) -> str:
    """The form for `n` in the process's language (see `Messages.ngettext`)."""
    return current().ngettext(singular, plural, n, **params)
