"""Quote context in draft.json, edits saved as revisions, edited Markdown re-rendered, removed sentences read."""

from __future__ import annotations

import json
import re
import threading

import pytest
from render_fixtures import NEWSLETTER
from review_fixtures import TEMPLATES, write_review_draft

from generator.edition import draft_json, outbox, rendering, revisions
from generator.edition.review_pages import removed_sentences as _removed
from generator.errors import OutboxError
from generator.i18n import messages
from generator.model import Utterance


def removed_sentences(doc):
    return _removed(doc, messages("fr"))


def test_quote_context_keeps_the_sentences_around_each_quote(tmp_path):
    draft = write_review_draft(tmp_path, removed=False)
    glue, seven, life = draft.doc["quotes"]
    assert [ln["utterance"] for ln in glue["context"]["before"]] == [1, 2]
    assert [ln["utterance"] for ln in glue["context"]["lines"]] == [3]
    assert [ln["utterance"] for ln in glue["context"]["after"]] == [4, 5]
    assert glue["context"]["before"][1] == {
        "utterance": 2,
        "start_s": 312.0,
        "start": "05:12",
        "speaker": "Bastien Roux",
        "text": "Dans mon atelier, on voit arriver des téléphones de quatre ans comme neufs.",
    }
    assert [ln["utterance"] for ln in life["context"]["after"]] == [10, 11]
    assert life["epigraph"] is True and seven["context"]["lines"][0]["text"] == seven["text"]
    # Without transcripts the field is there and empty: readers fall back on the source file.
    assert all(q["context"] is None for q in write_review_draft(tmp_path, context=False).doc["quotes"])


def test_quote_context_at_the_edges_and_over_several_sentences():
    utts = [Utterance(f"Phrase {i}.", float(i)) for i in range(5)]
    first = draft_json.quote_context(utts, 0, "Phrase 0.")
    assert first["before"] == [] and [ln["utterance"] for ln in first["after"]] == [1, 2]
    span = draft_json.quote_context(utts, 2, "Phrase 2. Phrase 3.")
    assert [ln["utterance"] for ln in span["lines"]] == [2, 3] and [
        ln["utterance"] for ln in span["after"]
    ] == [4]
    assert draft_json.quote_context(utts, 9, "x") is None and draft_json.quote_context(utts, -1, "x") is None
    long = draft_json.quote_context([Utterance("mot " * 400, 0.0)], 0, "mot")
    assert len(long["lines"][0]["text"]) == draft_json.MAX_CONTEXT_CHARS and long["lines"][0][
        "text"
    ].endswith("…")


def _edited(draft, old: str, new: str) -> dict[str, str]:
    md = draft.file("md").read_text(encoding="utf-8").replace(old, new)
    return rendering.render_markdown(
        md,
        style=draft.style,
        title=draft.title,
        extractive=False,
        newsletter=NEWSLETTER,
        templates_dir=TEMPLATES,
    )


def test_revise_keeps_the_previous_files_and_says_who_changed_what(tmp_path):
    draft = write_review_draft(tmp_path)
    before = {name: (draft.path / name).read_bytes() for name in outbox.FILES.values()}
    info = revisions.revise(
        tmp_path, draft.id, _edited(draft, "jeter", "gaspiller"), revision=1, user="camille"
    )
    assert info.doc["revision"] == 2 and outbox.revision_of(info.doc) == 2
    for name, data in before.items():
        assert (draft.path / "revisions" / "1" / name).read_bytes() == data
    entry = info.doc["history"][-1]
    assert entry["user"] == "camille" and entry["action"] == "edit" and entry["status"] == "draft"
    assert (
        "-# 🛰️ Réparer plutôt que jeter" in entry["diff"]
        and "+# 🛰️ Réparer plutôt que gaspiller" in entry["diff"]
    )
    assert not [p for p in draft.path.iterdir() if p.name.startswith(".")]  # no temporary file left
    # A rejected draft can still be fixed; the rejection stays the last word on its status.
    outbox.reject(tmp_path, draft.id, "titre à revoir")
    revisions.revise(tmp_path, draft.id, _edited(draft, "gaspiller", "jeter"), revision=2)
    with pytest.raises(OutboxError, match="déjà été rejeté le .* \\(raison : titre à revoir\\)"):
        outbox.reject(tmp_path, draft.id, "encore")
    assert outbox.approve(tmp_path, draft.id, revision=3).status == "approved"
    with pytest.raises(OutboxError, match="approuvé"):
        revisions.revise(tmp_path, draft.id, _edited(draft, "jeter", "x"), revision=3)


def test_revise_refuses_a_stale_revision_and_leaves_the_files(tmp_path):
    draft = write_review_draft(tmp_path)
    revisions.revise(tmp_path, draft.id, _edited(draft, "jeter", "garder"), revision=1)
    md = draft.file("md").read_bytes()
    with pytest.raises(outbox.RevisionConflict, match="revision 2, not 1"):
        revisions.revise(tmp_path, draft.id, _edited(draft, "téléphone", "mobile"), revision=1)
    assert draft.file("md").read_bytes() == md
    with pytest.raises(outbox.RevisionConflict):
        outbox.approve(tmp_path, draft.id, revision=1)
    assert json.loads((draft.path / "draft.json").read_text())["status"] == "draft"


def test_concurrent_saves_of_the_same_revision_one_wins(tmp_path):
    draft = write_review_draft(tmp_path)
    variants = [_edited(draft, "jeter", f"jeter {i}") for i in range(6)]
    outcomes: list[str] = []

    def save(rendered):
        try:
            revisions.revise(tmp_path, draft.id, rendered, revision=1)
            outcomes.append("saved")
        except outbox.RevisionConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(v,)) for v in variants]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(outcomes) == ["conflict"] * 5 + ["saved"]
    assert outbox.load_draft(tmp_path, draft.id).doc["revision"] == 2


def test_edited_markdown_is_sanitised_and_rendered_in_three_formats():
    md = "# Titre\n\nUn *mot* et [un lien](https://exemple.fr/a) <script>alert(1)</script>\n\n- point \\*un\\*\n"
    out = rendering.render_markdown(
        md, style="cafetech", title="Titre", extractive=True, newsletter=NEWSLETTER, templates_dir=TEMPLATES
    )
    assert out["md"] == md
    assert (
        "<script" not in out["html"] and ">mot</em>" in out["html"] and "Brouillon extractif" in out["html"]
    )
    assert out["txt"].startswith("Titre\n=====\n")
    assert "Un mot et un lien (https://exemple.fr/a)" in out["txt"] and "- point *un*" in out["txt"]
    with pytest.raises(Exception, match="style inconnu"):
        rendering.render_markdown(
            md, style="x", title="", extractive=False, newsletter=NEWSLETTER, templates_dir=TEMPLATES
        )


def test_removed_sentences_are_read_whatever_their_shape():
    doc = {
        "sections": [
            {"title": "Batteries", "removed": [{"text": "Une phrase.", "reason": "nom absent"}]},
            {"title": "Lois"},
        ],
        "removed": [
            "Une phrase nue.",
            {"sentence": "Dans une section.", "reason": "chiffre absent", "section": 1},
            {"sentence": "Par segment.", "segment": 4},
            {"reason": "sans texte"},
            42,
        ],
    }
    assert removed_sentences(doc) == [
        {"text": "Une phrase nue.", "reason": "raison non précisée", "where": None},
        {"text": "Dans une section.", "reason": "chiffre absent", "where": "Lois"},
        {"text": "Par segment.", "reason": "raison non précisée", "where": "4"},
        {"text": "Une phrase.", "reason": "nom absent", "where": "Batteries"},
    ]
    assert removed_sentences({}) == [] and removed_sentences({"removed": "x", "sections": None}) == []


def test_an_unedited_draft_renders_back_to_the_same_page_text(tmp_path):
    draft = write_review_draft(tmp_path)
    again = rendering.render_markdown(
        draft.file("md").read_text(encoding="utf-8"),
        style=draft.style,
        title=draft.title,
        extractive=draft.extractive,
        newsletter=NEWSLETTER,
        templates_dir=TEMPLATES,
    )
    original = draft.file("html").read_text(encoding="utf-8")

    def visible(html: str) -> str:  # the page text a reader sees, tags and inlined styles aside
        return " ".join(re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S).split())

    assert visible(again["html"]) == visible(original)  # preheader, masthead, body, footer
    assert again["md"] == draft.file("md").read_text(encoding="utf-8")
