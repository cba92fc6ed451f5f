"""Edition -> newsletter.md/html/txt and draft.json in the outbox; preview and review in a browser.

May import: model, errors, config, language (no stage above it: an edition is already composed).
The modules below are its public face.
"""

__all__ = ["outbox", "preview", "render", "review"]
