"""What the CLI prints: JSON documents, errors, progress lines; serving a page until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from generator.i18n import _

EXIT_OK = 0


def emit_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def err(message: str) -> None:
    print(_("newsletter : erreur : {message}", message=message), file=sys.stderr)


def progress_of(args: argparse.Namespace):
    """A callback for stage progress on stderr, silenced by --quiet."""
    quiet = getattr(args, "quiet", False)

    def report(message: str) -> None:
        if not quiet:
            print(f"· {message}", file=sys.stderr, flush=True)

    return report


def _open_browser(url: str) -> None:
    """Open a graphical browser beside the server; never a text browser that would take the terminal."""
    import os
    import threading
    import webbrowser

    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        print(
            _("· pas d'affichage graphique : ouvrez l'adresse ci-dessus dans un navigateur"), file=sys.stderr
        )
        return
    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def serve(server: Any, url: str, what: str, name: str, *, open_browser: bool = False) -> int:
    """Print the URL (first stdout line), optionally open a browser, serve until Ctrl-C."""
    try:
        print(url, flush=True)
        print(
            _("· {what} servi sur 127.0.0.1 seulement ; Ctrl-C pour arrêter", what=what),
            file=sys.stderr,
            flush=True,
        )
        if open_browser:
            _open_browser(url)
        server.serve_forever()
    except KeyboardInterrupt:
        print(_("· {name} : serveur arrêté", name=name), file=sys.stderr)
    finally:
        server.server_close()
    return EXIT_OK
