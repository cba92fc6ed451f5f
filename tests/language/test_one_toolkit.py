"""One French toolkit: no module outside generator/language/ carries its own sentence splitter or
its own function-word list for telling French from English (issue 20). A source scan, checked here
on synthetic bad modules so that it can fail."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "generator"

# A character class of sentence-ending punctuation (two of . ! ? …, no comma or semicolon: a clause
# splitter is another thing), with white space somewhere after it in the same pattern.
_END_CLASS = re.compile(r"\[(?=[^\]]*[.!?…][^\]]*[.!?…])[^\],;\]]*\][^\n]*\\s")
_SPLITTING = {"split", "finditer"}
ENGLISH = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "of",
        "to",
        "that",
        "this",
        "with",
        "was",
        "were",
        "which",
        "from",
        "have",
        "has",
        "will",
        "would",
    ]
)
# Verbs, conjunctions and prepositions: a list of pronouns (who speaks) or articles (names) is no detector.
FRENCH = frozenset(
    [
        "est",
        "sont",
        "que",
        "qui",
        "dans",
        "pour",
        "pas",
        "sur",
        "avec",
        "mais",
        "très",
        "aussi",
        "comme",
        "plus",
        "par",
        "été",
        "être",
    ]
)


def _is_re_call(node: ast.AST, names: set[str]) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
        and node.func.attr in names
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def splitting_regexes(source: str) -> list[str]:
    """Sentence-end patterns this module splits text with (re.split/re.finditer, or a compiled one's)."""
    tree = ast.parse(source)
    compiled = {}
    for node in ast.walk(tree):
        one_name = (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        )
        if one_name and _is_re_call(node.value, {"compile"}):
            compiled[node.targets[0].id] = node.value.args[0].value
    found = []
    for node in ast.walk(tree):
        if _is_re_call(node, _SPLITTING):
            pattern = node.args[0].value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _SPLITTING
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in compiled
        ):
            pattern = compiled[node.func.value.id]
        else:
            continue
        if _END_CLASS.search(pattern):
            found.append(pattern)
    return found


def _word_lists(tree: ast.AST) -> list[list[str]]:
    lists = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            lists.append(words)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value.split()
            if len(words) >= 20 and all(w.isalpha() and w.islower() for w in words):
                lists.append(words)  # a word list written as one string, split at import
    return lists


def detection_word_lists(source: str) -> list[str]:
    """Word lists that look like a language detector's: English function words, or French ones."""
    found = []
    for words in _word_lists(ast.parse(source)):
        english, french = ENGLISH.intersection(words), FRENCH.intersection(words)
        if len(english) >= 4 or len(french) >= 6:
            found.append(", ".join(sorted(english | french)))
    return found


def _outside_language() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "language" not in p.relative_to(PACKAGE).parts[:1]]


def test_no_sentence_splitter_outside_language():
    bad = {
        str(p.relative_to(PACKAGE)): hits
        for p in _outside_language()
        if (hits := splitting_regexes(p.read_text(encoding="utf-8")))
    }
    assert not bad, f"split sentences with generator.language.split_sentences, not a regex of your own: {bad}"


def test_no_language_word_list_outside_language():
    bad = {
        str(p.relative_to(PACKAGE)): hits
        for p in _outside_language()
        if (hits := detection_word_lists(p.read_text(encoding="utf-8")))
    }
    assert not bad, f"tell French from English with generator.language.detect_language: {bad}"


def test_the_language_package_itself_is_seen_by_the_scan():
    # The scan is not blind: the toolkit's own splitter and word lists are what it looks for.
    detect = (PACKAGE / "language" / "detect.py").read_text(encoding="utf-8")
    assert detection_word_lists(detect)
    assert _END_CLASS.search(r"[.!?…]+(?:[ \u00a0\u202f]?[»\"”)\]])*(?:\s+|$)")


def test_the_scan_catches_the_former_copies():
    # The five splitters and the second detector that issue 20 removed, as they were written.
    for source in [
        '_SENTENCE_END = re.compile(r"[.!?…]+(?:[ \\u00a0\\u202f]?[»\\"”)\\]])*(?=\\s|$)")\n'
        "def f(t):\n    return [m.end() for m in _SENTENCE_END.finditer(t)]\n",
        '_SENTENCE = re.compile(r"(?<=[.!?…])\\s+(?=[«\\"A-ZÀ-ÖØ-Þ0-9])")\ndef f(t):\n    return _SENTENCE.split(t)\n',
        '_S = re.compile(r"(?<=[.!?…])\\s+")\ndef f(t):\n    return [p for p in _S.split(t)]\n',
        'def f(t):\n    return re.split(r"(?<=[.!?…])\\s+|\\n+", t)\n',
    ]:
        assert splitting_regexes(source), source
    checks = '_EN = frozenset(["the", "and", "is", "are", "of", "to", "that"])\n'
    french = '_FR = {"le", "la", "est", "et", "que", "qui", "dans", "pour", "pas", "avec", "il", "elle"}\n'
    assert detection_word_lists(checks) and detection_word_lists(french)


def test_the_scan_leaves_other_punctuation_and_word_lists_alone():
    # A clause splitter (commas too), a search for a clause end, French articles for name parsing.
    assert not splitting_regexes(
        '_CLAUSE = re.compile(r"[,;:.!?()«»]+|\\s[-–]\\s")\ndef f(t):\n    return _CLAUSE.split(t)\n'
    )
    assert not splitting_regexes(
        '_END = re.compile(r"[.!?]\\s+(?=[A-Z])")\ndef f(t):\n    return _END.search(t)\n'
    )
    assert not detection_word_lists('_ARTICLES = {"le", "la", "les", "de", "du", "des", "et", "un", "une"}\n')
