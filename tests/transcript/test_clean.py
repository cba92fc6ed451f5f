"""Clean: annotations removed, fragments reflowed into sentences, guests' names repaired."""

from __future__ import annotations

import random

from generator.model import Episode, Guest, Utterance
from generator.transcript.cleaning import MAX_SENTENCE_WORDS, clean, reflow, remove_annotations
from generator.transcript.names import NameRepairer, similarity


def episode(fragments: list[Utterance], guests: tuple[Guest, ...] = (), host: str | None = None) -> Episode:
    return Episode(path="x.txt", sha256="0", format="scraped", encoding="utf-8", utterances=tuple(fragments),
                   guests=guests, host=host)  # fmt: skip


def frags(*pairs: tuple[float, str]) -> list[Utterance]:
    return [Utterance(text=t, start_s=s) for s, t in pairs]


# --------------------------------------------------------------------------- reflow


def test_sentences_keep_the_timestamp_of_their_first_word():
    out = reflow(
        tuple(
            frags(
                (0, "Bonjour à tous. Aujourd'hui,"),
                (4, "on parle de trains de nuit"),
                (9, "et de leurs horaires. Vraiment ?"),
                (12, "Oui."),
            )
        )
    )
    assert [(u.start_s, u.text) for u in out] == [
        (0, "Bonjour à tous."),
        (0, "Aujourd'hui, on parle de trains de nuit et de leurs horaires."),
        (9, "Vraiment ?"),
        (12, "Oui."),
    ]
    # Without end times, a sentence ends where the next begins.
    assert [u.end_s for u in out][:3] == [0, 9, 12]


def test_no_word_lost_duplicated_or_reordered_on_random_captions():
    rng = random.Random(7)
    vocabulary = ["le", "train", "arrive", "M.", "Dupont", "J.", "D.", "Vance", "etc.", "Oui.", "Non !",
                  "vraiment ?", "Alors…", "« Bien. »", "3,5", "2024.", "Et", "puis", "Quoi", "-", "[rire]"]  # fmt: skip
    for _ in range(200):
        fragments = []
        t = 0.0
        for _ in range(rng.randint(1, 12)):
            t += rng.uniform(0, 5)
            fragments.append(
                Utterance(" ".join(rng.choices(vocabulary, k=rng.randint(1, 9))), start_s=round(t, 2))
            )
        out = reflow(tuple(fragments))
        assert " ".join(u.text for u in out) == " ".join(f.text for f in fragments)
        starts = [u.start_s for u in out]
        assert starts == sorted(starts)
        # Each sentence's time is that of the caption holding its first word.
        position = 0
        owner = [f.start_s for f in fragments for _ in f.text.split()]
        for u in out:
            assert u.start_s == owner[position]
            position += len(u.text.split())


def test_abbreviations_and_initials_do_not_end_sentences():
    out = reflow(tuple(frags((0, "M. Dupont a parlé à J. D. Vance hier. Il était content."))))
    assert [u.text for u in out] == ["M. Dupont a parlé à J. D. Vance hier.", "Il était content."]


def test_lowercase_after_a_full_stop_does_not_split():
    out = reflow(tuple(frags((0, "On verra... peut-être demain."))))
    assert [u.text for u in out] == ["On verra... peut-être demain."]


def test_speaker_changes_end_sentences():
    fragments = [
        Utterance("Vous venez d'où", start_s=0, speaker="Anne"),
        Utterance("de Lyon", start_s=2, speaker="Marc", new_speaker=True),
        Utterance("et vous", start_s=4, speaker="Marc"),
        Utterance("de Brest", start_s=5, new_speaker=True),
    ]
    out = reflow(tuple(fragments))
    assert [(u.text, u.speaker, u.new_speaker) for u in out] == [
        ("Vous venez d'où", "Anne", False),
        ("de Lyon et vous", "Marc", True),
        ("de Brest", None, True),
    ]


def test_unpunctuated_captions_are_cut_at_a_caption_boundary():
    fragments = [
        Utterance("un deux trois quatre cinq six sept huit neuf dix", start_s=float(k)) for k in range(20)
    ]
    out = reflow(tuple(fragments))
    assert all(len(u.text.split()) <= MAX_SENTENCE_WORDS for u in out)
    # Unpunctuated caption lines of several words: cut before the caption that would pass 25 words.
    assert [len(u.text.split()) for u in out] == [20] * 10
    assert [u.start_s for u in out] == [float(k) for k in range(0, 20, 2)]


# --------------------------------------------------------------------------- noise


def test_sound_annotations_are_removed():
    assert remove_annotations("[Musique] Bonjour ♪ à tous (rires)  !") == "Bonjour à tous !"
    assert remove_annotations("Il a dit (en riant) non.") == "Il a dit (en riant) non."
    ep = clean(episode(frags((0, "[Applaudissements]"), (2, "Merci. [Musique]"), (4, "..."))))
    assert [u.text for u in ep.utterances] == ["Merci."]
    assert ep.noise_removed == 2 and ep.cleaned


# --------------------------------------------------------------------------- names


GUESTS = (Guest("Alexandre Stachtchenko", "stratégie"), Guest("Julien Nocetti"), Guest("Julien Pillot"))


def test_asr_variants_of_guests_are_repaired_and_reported():
    ep = clean(
        episode(
            frags(
                (0, "On est connecté avec Alexandre Stachenko. Bonjour Julien Nosetti."),
                (5, "Merci Alexandre Sachenko, merci Julien Pillot et Julien Nosetti."),
            ),
            GUESTS,
        )
    )
    text = " ".join(u.text for u in ep.utterances)
    assert text == (
        "On est connecté avec Alexandre Stachtchenko. Bonjour Julien Nocetti. "
        "Merci Alexandre Stachtchenko, merci Julien Pillot et Julien Nocetti."
    )
    assert {(f.wrong, f.right, f.count) for f in ep.name_fixes} == {
        ("Julien Nosetti", "Julien Nocetti", 2),
        ("Alexandre Stachenko", "Alexandre Stachtchenko", 1),
        ("Alexandre Sachenko", "Alexandre Stachtchenko", 1),
    }


def test_name_repair_touches_nothing_else():
    repair = NameRepairer(["Julien Nocetti", "Tariq Krim", "Steeve Chantrel"])
    untouched = [
        "Julien Lepers présentait un jeu.",  # another Julien
        "Le juge Julien Nocetti a parlé.",  # already right
        "Donald Trump et Elon Musk, encore.",
        "la taxe krim et nocetti en minuscules",
        "Julien, Nosetti ?",  # not one name: punctuation between
        "Steve Jobs a fondé Apple.",
        "IFRI et NOCETTI en capitales.",
    ]
    for sentence in untouched:
        assert repair.repair(sentence) == sentence
    assert repair.fixes() == ()
    assert repair.repair("« Tarek Reem », d'Alexandre ou l'avis de Tariq Reem.") == (
        "« Tariq Krim », d'Alexandre ou l'avis de Tariq Krim."
    )
    assert repair.repair("Bonjour, Steve Chantrel.") == "Bonjour, Steeve Chantrel."
    assert repair.repair("Un mot de Monsieur Nocettti ?") == "Un mot de Monsieur Nocetti ?"


def test_host_name_is_repaired_too():
    ep = clean(episode(frags((0, "Merci Claire Dufraisne.")), (), host="Claire Dufresne"))
    assert ep.utterances[0].text == "Merci Claire Dufresne."


def test_phonetic_similarity():
    assert similarity("Nosetti", "Nocetti") == 1.0
    assert similarity("Reem", "Krim") > 0.8
    assert similarity("Lepers", "Nocetti") < 0.5


def test_clean_is_idempotent():
    ep = clean(
        episode(
            frags(
                (0, "Bonjour Julien Nosetti."),
            ),
            GUESTS,
        )
    )
    assert clean(ep) is ep


def test_a_quote_written_with_the_asr_spelling_can_be_mapped_to_the_cleaned_text():
    from generator.transcript.names import apply_fixes

    ep = clean(
        episode(
            frags(
                (0, "Merci Julien Nosetti, et à bientôt."),
            ),
            GUESTS,
        )
    )
    quote = apply_fixes("Merci Julien Nosetti, et à bientôt.", ep.name_fixes)
    assert quote in " ".join(u.text for u in ep.utterances)
    assert apply_fixes("Julien Nosettiste", ep.name_fixes) == "Julien Nosettiste"  # whole names only


def test_two_guests_with_close_names_are_never_swapped():
    repair = NameRepairer(["Marie Dupont", "Marie Dupond"])
    assert repair.repair("Marie Dupond et Marie Dupont.") == "Marie Dupond et Marie Dupont."
    assert repair.fixes() == ()


def test_an_unpunctuated_stretch_of_a_punctuated_page_is_cut_too():
    punctuated = [Utterance(f"Phrase numéro {k}, bien ponctuée.", start_s=float(k)) for k in range(10)]
    stretch = [Utterance("et puis on a continué à parler sans jamais", start_s=10.0 + k) for k in range(8)]
    out = reflow(tuple(punctuated + stretch))
    # A lower-case word after a full stop does not open a sentence, so the stretch starts inside the tenth;
    # it is cut at the first caption boundary where the last 25 words hold no punctuation at all.
    assert [len(u.text.split()) for u in out[9:]] == [32, 27, 18]
    assert " ".join(u.text for u in out) == " ".join(u.text for u in punctuated + stretch)
