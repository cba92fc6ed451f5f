"""Edition -> newsletter.md/html/txt and draft.json in the outbox; preview and review in a browser.

May import: model, errors, config, language (no stage above it: an edition is already composed).
Its public face is the names of `__all__`; its modules are private to it.
"""

from importlib import import_module

# Each public name and the module that defines it, imported on first use so that importing the stage
# stays cheap (numpy, jinja2 and apscheduler load only when a name that needs them is used).
_HOMES = {
    "DraftInfo": "outbox",
    "OutboxError": "outbox",
    "approve": "outbox",
    "list_drafts": "outbox",
    "load_draft": "outbox",
    "reject": "outbox",
    "write_draft": "outbox",
    "preview_server": "preview",
    "server_url": "preview",
    "render": "rendering",
    "review_server": "review",
    "FILES": "outbox",
    "revision_of": "outbox",
}

__all__ = [
    "approve",
    "DraftInfo",
    "FILES",
    "list_drafts",
    "load_draft",
    "OutboxError",
    "preview_server",
    "reject",
    "render",
    "review_server",
    "revision_of",
    "server_url",
    "write_draft",
]


def __getattr__(name: str) -> object:
    """A public name of the stage, from its module (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
