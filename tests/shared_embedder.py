"""One USE embedder for a whole test session: loading the model costs a second per CLI call otherwise."""

from __future__ import annotations

import pytest

from generator.topics import embeddings

_SHARED: list[embeddings.USEEmbedder] = []


@pytest.fixture
def shared_embedder(monkeypatch: pytest.MonkeyPatch) -> embeddings.USEEmbedder:
    """Make every `USEEmbedder(...)` built during the test return the same loaded instance."""
    if not _SHARED:
        _SHARED.append(embeddings.USEEmbedder())
    monkeypatch.setattr(embeddings, "USEEmbedder", lambda *a, **kw: _SHARED[0])
    return _SHARED[0]
