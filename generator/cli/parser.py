"""The argparse parser of every command, and the settings its options override."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from generator import __version__
from generator.backends import BACKENDS
from generator.cli import weekly
from generator.cli.language import HelpFormatter
from generator.cli.send import add_parser as add_send_parser
from generator.cli.sources import add_parser as add_sources_parser
from generator.config import CONFIG_NAME
from generator.i18n import _
from generator.styles import STYLES


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help=_("sortie JSON sur stdout (pour les scripts)"))


def _llm_flags(p: argparse.ArgumentParser, *, estimate: bool = True) -> None:
    """The options shared by generate and run (style, backend, model, budgets, cache).

    `estimate` False: the command has no cost estimate yet, so it has no `--dry-run`.
    """
    p.add_argument(
        "--style",
        choices=STYLES.names(),
        help=_("style de la newsletter ({choices})", choices=STYLES.choices_text()),
    )
    p.add_argument(
        "--backend",
        choices=BACKENDS.names(),
        help=_("moteur de rédaction ({choices})", choices=BACKENDS.choices_text()),
    )
    p.add_argument("--model", metavar=_("MODÈLE"), help=_("nom du modèle de langage (backend openai)"))
    p.add_argument("--base-url", metavar="URL", help=_("adresse du serveur compatible OpenAI"))
    p.add_argument(
        "--timeout", type=float, metavar=_("SECONDES"), help=_("délai d'attente d'un appel au modèle")
    )
    p.add_argument(
        "--max-retries", type=int, metavar="N", help=_("nouvelles tentatives après un échec d'appel")
    )
    p.add_argument("--max-concurrency", type=int, metavar="N", help=_("appels au modèle menés en parallèle"))
    p.add_argument(
        "--context-window",
        type=int,
        metavar=_("JETONS"),
        help=_("taille de la fenêtre de contexte du modèle"),
    )
    p.add_argument("--no-cache", action="store_true", help=_("ignorer les réponses du modèle déjà en cache"))
    p.add_argument(
        "--retry-failed", action="store_true", help=_("redemander les réponses enregistrées comme échouées")
    )
    if estimate:
        p.add_argument(
            "--dry-run", action="store_true", help=_("estimer appels, jetons et coût sans rien appeler")
        )
    _json(p)


def _common(p: argparse.ArgumentParser, default: Any = None) -> None:
    """--config and --quiet, before the command or after it (SUPPRESS keeps a value given before it)."""
    extra = {} if default is None else {"default": default}
    p.add_argument(
        "--config",
        metavar=_("CHEMIN"),
        help=_("fichier de configuration (par défaut : ./{name})", name=CONFIG_NAME),
        **extra,
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help=_("aucune ligne de progression sur stderr"), **extra
    )


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of every command, in the process's language."""
    common = argparse.ArgumentParser(add_help=False)
    _common(common)
    sub_common = argparse.ArgumentParser(add_help=False)
    _common(sub_common, argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog="newsletter",
        description=_("Transcriptions d'émissions tech -> brouillons de newsletter en français."),
        parents=[common],
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=_("afficher la version et quitter"),
    )
    sub = parser.add_subparsers(
        dest="command",
        required=True,
        metavar=_("COMMANDE"),
        title=_("commandes"),
        help=_("la commande à lancer ; `newsletter COMMANDE --help` la détaille"),
    )

    add = _adder(sub, sub_common)
    _transcript_commands(add)
    _edition_commands(add)
    _draft_commands(add)
    return parser


def _adder(sub: Any, parent: argparse.ArgumentParser) -> Callable[[str, str], argparse.ArgumentParser]:
    """A function adding one command (name, help line) with the shared options and French headings."""

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, help=help_, description=help_, parents=[parent], formatter_class=HelpFormatter
        )

    return add


def _transcript_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """init, inspect, segment."""
    p = add("init", _("écrire un newsletter.toml commenté et créer inbox/, outbox/, state/"))
    p.add_argument(
        "dir", nargs="?", default=".", metavar=_("DOSSIER"), help=_("dossier du projet (par défaut : .)")
    )

    p = add("inspect", _("métadonnées lues et rapport de nettoyage d'une transcription"))
    p.add_argument("file", metavar=_("FICHIER"), help=_("la transcription à lire"))
    _json(p)
    p.add_argument("--utterances", action="store_true", help=_("lister aussi les phrases nettoyées"))

    p = add("segment", _("sujets avec leurs heures de début et de fin et leurs titres"))
    p.add_argument("file", metavar=_("FICHIER"), help=_("la transcription à découper"))
    _json(p)
    p.add_argument(
        "--min-segment", type=float, metavar=_("SECONDES"), help=_("durée minimale d'un sujet, en secondes")
    )
    p.add_argument(
        "--backend",
        choices=BACKENDS.names(),
        help=_(
            "moteur ({choices}) ; openai relit les sujets si [segment] refine",
            choices=BACKENDS.choices_text(),
        ),
    )


def _edition_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """generate, run, schedule."""
    p = add("generate", _("une édition à partir de ces transcriptions"))
    p.add_argument("files", nargs="+", metavar=_("FICHIER"), help=_("une ou plusieurs transcriptions"))
    _llm_flags(p)
    weekly.add_generate_flags(p)

    p = add("run", _("toutes les nouvelles transcriptions de l'inbox -> une édition (le passage de nuit)"))
    _llm_flags(p)
    p.add_argument(
        "--wait", action="store_true", help=_("attendre la fin d'une autre exécution au lieu de s'arrêter")
    )
    p.add_argument(
        "--sync-fallback",
        action="store_true",
        help=_(
            "mode lot : une requête qu'un lot a ratée part en appel synchrone (plein tarif) "
            "au lieu d'attendre le lot suivant"
        ),
    )

    add_sources_parser(add)
    weekly.add_parser(add, _llm_flags)

    p = add("schedule", _("le planificateur de nuit, qui tourne en continu"))
    p.add_argument(
        "--next", type=int, metavar="N", default=0, help=_("afficher les N prochains passages et quitter")
    )


def _draft_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """drafts, show, approve, reject, preview, review, prompts."""
    p = add("drafts", _("lister les brouillons de l'outbox"))
    _json(p)
    p = add("show", _("afficher un brouillon"))
    p.add_argument("id", metavar="ID", help=_("identifiant du brouillon (voir `newsletter drafts`)"))
    p.add_argument(
        "--format", choices=("md", "html", "txt"), default="md", help=_("format affiché (md par défaut)")
    )
    p = add("approve", _("approuver un brouillon"))
    p.add_argument("id", metavar="ID", help=_("identifiant du brouillon (voir `newsletter drafts`)"))
    p = add("reject", _("rejeter un brouillon"))
    p.add_argument("id", metavar="ID", help=_("identifiant du brouillon (voir `newsletter drafts`)"))
    p.add_argument("--reason", required=True, metavar=_("RAISON"), help=_("la raison du rejet (obligatoire)"))
    add_send_parser(add)
    preview = add("preview", _("servir le HTML d'un brouillon sur 127.0.0.1"))
    preview.add_argument("id", metavar="ID", help=_("identifiant du brouillon (voir `newsletter drafts`)"))
    review = add("review", _("approuver, rejeter, modifier les brouillons dans un navigateur"))
    review.add_argument("--no-open", action="store_true", help=_("ne pas ouvrir de navigateur"))
    for p in (preview, review):
        p.add_argument(
            "--port",
            type=int,
            default=0,
            metavar="PORT",
            help=_("port d'écoute (par défaut : un port libre)"),
        )

    p = add("prompts", _("lister les fichiers de prompts"))
    _json(p)


def overrides(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    get = lambda name: getattr(args, name, None)  # noqa: E731
    return {
        "llm": {
            "backend": get("backend"),
            "model": get("model"),
            "base_url": get("base_url"),
            "timeout": get("timeout"),
            "max_retries": get("max_retries"),
            "max_concurrency": get("max_concurrency"),
            "context_window": get("context_window"),
        },
        "newsletter": {"style": get("style")},
        "segment": {"min_segment_s": get("min_segment")},
    }
