"""Keep the catalogues in step with the code: `python -m generator.i18n.update` after adding a message.

1. extracts every `_("...")` / `ngettext("...", "...", n)` of generator/ and templates/review/;
2. merges them into locales/en/LC_MESSAGES/newsletter.po (existing English kept, new ones empty: fill
   them in), and argparse's own strings into locales/fr/LC_MESSAGES/argparse.po;
3. compiles every .po into its .mo with Babel (the .mo files are committed: nothing is written at run
   time, so a read-only install works; tests/test_i18n.py fails when a .mo is stale).
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from generator.i18n import DOMAIN, LOCALES_DIR

ROOT = LOCALES_DIR.parents[2]
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [
    ("generator/**.py", "python"),
    ("templates/review/**.j2", "jinja2"),
]
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def po_path(lang: str, domain: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def _extracted(method_map: list[tuple[str, str]]) -> Iterator[tuple[str, int, object, list, object]]:
    options = {"templates/review/**.j2": JINJA_OPTIONS}
    yield from extract_from_dir(str(ROOT), method_map, options, KEYWORDS, strip_comment_tags=True)


def template(project: str = "newsletter") -> Catalog:
    """Every message of the code and review templates, as a template catalogue (no translations)."""
    catalog = Catalog(project=project, fuzzy=False)
    for filename, lineno, message, comments, context in _extracted(METHODS):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def argparse_template() -> Catalog:
    """argparse's own translatable strings, read from the standard library's source."""
    catalog = Catalog(project="argparse", fuzzy=False)
    with open(argparse.__file__, "rb") as source:
        for lineno, message, _, _ in extract("python", source, keywords=KEYWORDS):
            catalog.add(message, None, [("argparse.py", lineno)])
    return catalog


def load(path: Path, lang: str) -> Catalog:
    if not path.is_file():
        return Catalog(locale=lang, domain=path.stem, fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def merged(path: Path, lang: str, tmpl: Catalog) -> Catalog:
    catalog = load(path, lang)
    catalog.update(tmpl, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False)
    catalog.obsolete.clear()
    return catalog


def mo_bytes(po: Path, lang: str) -> bytes:
    """What `po`'s .mo must contain."""
    out = io.BytesIO()
    write_mo(out, load(po, lang), use_fuzzy=False)
    return out.getvalue()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def main() -> None:
    for lang, domain, tmpl in (("en", DOMAIN, template()), ("fr", "argparse", argparse_template())):
        po = po_path(lang, domain)
        out = io.BytesIO()
        # Sorted and without line numbers: a moved line changes nothing, two branches rarely conflict.
        write_po(out, merged(po, lang, tmpl), width=110, no_location=True, sort_output=True)
        _write(po, out.getvalue())
        _write(po.with_suffix(".mo"), mo_bytes(po, lang))


if __name__ == "__main__":
    main()
