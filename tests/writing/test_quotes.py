"""Quote verification: exact transcript spans, fuzzy repair, timestamps, speakers, refusals."""

from __future__ import annotations

import dataclasses

import pytest
from fr_episode import make_episode, make_segments

from generator.model import Episode, Quote, RejectedQuote, Utterance
from generator.writing.quotes import NormText, Verifier, normalise, verify_quote, word_times


@pytest.fixture
def episode() -> Episode:
    return make_episode()


@pytest.fixture
def verifier(episode: Episode) -> Verifier:
    return Verifier(episode)


def test_normalise_folds_case_quotes_apostrophes_and_punctuation():
    assert normalise("« C’est  l'ÉNERGIE, locale ! »") == normalise('"c\'est l’énergie locale"')
    assert normalise("  Aujourd’hui,\n demain ") == "aujourd hui demain"


def test_normtext_maps_back_to_original_offsets():
    text = "Il a dit : « L’été, c’est court. »"
    nt = NormText.build(text)
    start = nt.norm.index("l été")
    a, b = nt.span(start, start + len("l été c est court"))
    assert text[a:b] == "L’été, c’est court"


def test_exact_quote_is_published_as_the_transcript_span(verifier: Verifier):
    segments = make_segments()
    # The model changed the apostrophe, the case, the punctuation and dropped the comma.
    q = verifier.verify(
        "et franchement je crois que l’energie locale c'est la meilleure assurance", segments[1]
    )
    assert isinstance(q, Quote)
    # One accent differs ("energie"): repaired by the fuzzy match, published as the transcript says it.
    assert q.text == "Et franchement, je crois que l'énergie locale, c'est la meilleure assurance"
    assert q.verified and q.start_s == 29.0 and q.utterance == 4


def test_exact_match_keeps_closing_punctuation_when_proposed(verifier: Verifier):
    q = verifier.verify("Bastien Oyono, pourquoi mettre des capteurs dans un fournil ?", make_segments()[2])
    assert isinstance(q, Quote) and q.match == "exact"
    assert q.text == "Bastien Oyono, pourquoi mettre des capteurs dans un fournil ?"
    q2 = verifier.verify("pourquoi mettre des capteurs dans un fournil", make_segments()[2])
    assert q2.text == "pourquoi mettre des capteurs dans un fournil"


def test_quote_spanning_two_sentences_takes_the_first_words_time(verifier: Verifier):
    q = verifier.verify(
        "Nos capteurs coûtent 90 euros et se remboursent en trois mois. Je le dis souvent",
        make_segments()[2],
    )
    assert isinstance(q, Quote)
    assert q.text == "Nos capteurs coûtent 90 euros et se remboursent en trois mois. Je le dis souvent"
    assert q.start_s == 87.0


def test_near_miss_is_replaced_by_the_exact_span(verifier: Verifier):
    # The model's paraphrase dropped a word and changed another: close enough, transcript wins.
    q = verifier.verify(
        "ce n'est pas un gadget, c'est une centrale éparpillée sur cent toits", make_segments()[1]
    )
    assert isinstance(q, Quote)
    assert q.match == "fuzzy" and q.score >= 0.9
    assert q.text == "Ce n'est pas un gadget, c'est une centrale électrique éparpillée sur cent toits"
    assert q.start_s == 60.0


def test_invented_quote_is_rejected_with_a_reason(verifier: Verifier):
    r = verifier.verify("L'énergie solaire va remplacer le nucléaire d'ici cinq ans", make_segments()[1])
    assert isinstance(r, RejectedQuote)
    assert "introuvable" in r.reason and r.segment == 1 and r.episode == "octets-2025-03-10.txt"


def test_changed_figure_is_not_a_near_miss(verifier: Verifier):
    # Similar enough in letters, but a near miss may never change a number.
    r = verifier.verify("Nos capteurs coûtent 900 euros et se remboursent en trois mois", make_segments()[2])
    assert isinstance(r, RejectedQuote) and "chiffres" in r.reason


def test_short_and_empty_quotes_are_rejected(verifier: Verifier):
    assert "courte" in verifier.verify("Oui", None).reason
    assert "vide" in verifier.verify(" « » ", None).reason


def test_quote_from_another_segment_is_found_in_the_episode(verifier: Verifier):
    q = verifier.verify("le pain, c'est de la chimie lente", make_segments()[1])
    assert isinstance(q, Quote) and q.utterance == 13 and q.start_s == 94.0


def test_prefers_the_segment_when_words_repeat():
    ep = make_episode()
    repeated = Utterance(
        "Et franchement, je crois que l'énergie locale, c'est la meilleure assurance.", 100.0
    )
    utts = list(ep.utterances)
    utts[13] = repeated
    ep = dataclasses.replace(ep, utterances=tuple(utts))
    q = Verifier(ep).verify("je crois que l'énergie locale c'est la meilleure assurance", make_segments()[2])
    assert q.start_s == 100.0 and q.utterance == 13


def test_speaker_from_label(episode: Episode):
    ep = make_episode(speakers={13: "Bastien Oyono"})
    q = Verifier(ep).verify("le pain, c'est de la chimie lente", None)
    assert q.speaker == "Bastien Oyono"
    # In a labelled transcript an unlabelled line is never attributed by inference.
    q2 = Verifier(ep).verify("nous avons installé 420 panneaux solaires", None)
    assert q2.speaker is None


def test_speaker_from_an_unambiguous_introduction(verifier: Verifier):
    # The question right before names one guest: the answer is theirs.
    q = verifier.verify("nous avons installé 420 panneaux solaires sur les toits des écoles", None)
    assert q.speaker == "Maëlle Kerbrat"
    q = verifier.verify("un boulanger perd en moyenne 8 % de sa farine", None)
    assert q.speaker == "Bastien Oyono"


def test_no_speaker_guess_far_from_the_introduction(verifier: Verifier):
    q = verifier.verify("Les familles ont vu leur facture baisser de 12 % en moyenne", None)
    assert isinstance(q, Quote) and q.speaker is None
    q = verifier.verify("Passons à tout autre chose, la boulangerie connectée", None)
    assert q.speaker is None


def test_verify_quote_function(episode: Episode):
    q = verify_quote("la chimie lente adore les données", episode, make_segments()[2])
    assert isinstance(q, Quote) and q.text == "la chimie lente adore les données"


def test_word_times_give_mid_sentence_quotes_their_caption_line():
    raw = dataclasses.replace(
        make_episode(),
        cleaned=False,
        utterances=(
            Utterance("Je le dis souvent : le pain,", 94.0),
            Utterance("c'est de la chimie lente, et la chimie", 97.0),
            Utterance("lente adore les données.", 100.0),
        ),
    )
    cleaned = dataclasses.replace(
        make_episode(),
        utterances=(
            Utterance(
                "Je le dis souvent : le pain, c'est de la chimie lente, et la chimie lente adore les données.",
                94.0,
            ),
        ),
    )
    times = word_times(raw, cleaned)
    assert times[0][0] == 94.0 and times[0][-1] == 100.0
    q = Verifier(cleaned, word_times=times).verify("la chimie lente adore les données")
    assert q.start_s == 97.0
    q = Verifier(cleaned, word_times=times).verify("lente adore les données et tout le reste")
    assert isinstance(q, RejectedQuote)
    q = Verifier(cleaned).verify("la chimie lente adore les données")
    assert q.start_s == 94.0  # without caption times: the sentence's


def test_word_times_survive_repaired_names():
    raw = dataclasses.replace(
        make_episode(),
        utterances=(
            Utterance("Bonjour Maëlle Kerbra, directrice", 10.0),
            Utterance("de la coopérative, merci d'être là.", 14.0),
        ),
    )
    cleaned = dataclasses.replace(
        make_episode(),
        utterances=(
            Utterance("Bonjour Maëlle Kerbrat, directrice de la coopérative, merci d'être là.", 10.0),
        ),
    )
    times = word_times(raw, cleaned)[0]
    assert times[2] == 10.0 and times[4] == 14.0


def test_word_times_resynchronise_after_a_long_passage_missing_from_the_cleaned_text():
    filler = " ".join(f"mot{n}" for n in range(120))  # more than any local search window
    raw = dataclasses.replace(
        make_episode(),
        utterances=(
            Utterance("On commence par la météo du jour.", 5.0),
            Utterance(filler, 8.0),
            Utterance("Ensuite on parle des serveurs qui chauffent la piscine.", 60.0),
            Utterance("Et voilà pour aujourd'hui.", 70.0),
        ),
    )
    cleaned = dataclasses.replace(
        make_episode(),
        utterances=(
            Utterance("On commence par la météo du jour.", 5.0),
            Utterance("Ensuite on parle des serveurs qui chauffent la piscine.", 60.0),
            Utterance("Et voilà pour aujourd'hui.", 70.0),
        ),
    )
    times = word_times(raw, cleaned)
    assert set(times) == {0, 1, 2}
    assert set(times[1]) == {60.0} and set(times[2]) == {70.0}


def test_quote_with_a_misheard_name_matches_the_repaired_transcript():
    from generator.model import NameFix

    ep = dataclasses.replace(make_episode(), name_fixes=(NameFix("Bastian Oyonno", "Bastien Oyono", 1),))
    q = Verifier(ep).verify("Bastian Oyonno, pourquoi mettre des capteurs dans un fournil")
    assert isinstance(q, Quote) and q.match == "exact"
    assert q.text == "Bastien Oyono, pourquoi mettre des capteurs dans un fournil"
