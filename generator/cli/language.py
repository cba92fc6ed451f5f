"""The CLI's language: read once per `main()` from the environment, argparse's own words included."""

from __future__ import annotations

import argparse

from generator import i18n


def setup_language() -> i18n.Messages:
    """Fix the process's language from LANGUAGE/LC_ALL/LC_MESSAGES/LANG and give argparse its words.

    argparse calls the module-level `_` and `ngettext` it imported from gettext ("usage: ",
    "options", "show this help message and exit", "%(prog)s: error: %(message)s"); pointing them at
    our argparse catalogue translates them without touching gettext's global domain or builtins.
    """
    messages = i18n.set_language(None)
    catalogue = i18n.argparse_catalogue(messages.lang)
    argparse._ = catalogue.gettext  # type: ignore[attr-defined]
    argparse.ngettext = catalogue.ngettext  # type: ignore[attr-defined]
    return messages


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help with French typography: a space before the colon of each heading ("options :")."""

    def start_section(self, heading: str | None) -> None:
        space = " " if heading and i18n.current().lang == "fr" else ""
        super().start_section(f"{heading}{space}" if heading else heading)
