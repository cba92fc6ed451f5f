"""Edition -> newsletter.md/html/txt and draft.json in the outbox; preview and review in a browser.

May import: model, errors, config, language (no stage above it: an edition is already composed).
Its public face is the names of `__all__`; its modules are private to it.
"""

from generator.faces import lazy_face

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


__getattr__ = lazy_face(__name__, _HOMES)
