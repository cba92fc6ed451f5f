"""Transcription-service JSON exports, in each service's documented shape (small French samples written here)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from generator.errors import InputError
from generator.transcript.cleaning import clean
from generator.transcript.ingestion import ingest
from generator.transcript.inspection import report

Q, A = "Combien de foyers sont équipés ?", "À peu près 62 % des foyers, pour 15 € par mois."

SERVICES = {
    "turns_string": {
        "mp3_url": "https://example.org/emission.mp3",
        "transcript": f"[Speaker 0]: {Q}\n[Speaker 1]: {A}",
        "num_speakers": 2,
        "analysis": {"speakers": {"0": {"role": "journaliste"}}},
    },
    "gladia_v2": {
        "id": "abc",
        "result": {
            "metadata": {"audio_duration": 9.0},
            "transcription": {
                "full_transcript": f"{Q} {A}",
                "utterances": [
                    {"start": 0.5, "end": 2.5, "text": Q, "speaker": 0, "confidence": 0.9, "words": []},
                    {"start": 3.0, "end": 7.0, "text": A, "speaker": 1, "channel": 0, "words": []},
                ],
            },
        },
    },
    "assemblyai": {
        "id": "x",
        "status": "completed",
        "language_code": "fr",
        "text": f"{Q} {A}",
        "utterances": [
            {"speaker": "A", "start": 500, "end": 2500, "text": Q, "confidence": 0.9, "words": []},
            {"speaker": "B", "start": 3000, "end": 7000, "text": A, "confidence": 0.9, "words": []},
        ],
    },
    "deepgram": {
        "metadata": {"request_id": "r", "duration": 9.0, "channels": 1},
        "results": {
            "channels": [{"alternatives": [{"transcript": f"{Q} {A}", "confidence": 0.9, "words": []}]}],
            "utterances": [
                {"start": 0.5, "end": 2.5, "transcript": Q, "speaker": 0, "channel": 0, "id": "u1"},
                {"start": 3.0, "end": 7.0, "transcript": A, "speaker": 1, "channel": 0, "id": "u2"},
            ],
        },
    },
}


def _rev() -> dict:
    def elements(text: str, start: float) -> list[dict]:
        out = []
        for k, word in enumerate(text.replace("?", " ?").replace(",", " ,").replace(".", " .").split()):
            if word in "?,.":
                out.append({"type": "punct", "value": word})
            else:
                out.append(
                    {"type": "text", "value": word, "ts": start + k * 0.3, "end_ts": start + k * 0.3 + 0.25}
                )
                out.append({"type": "punct", "value": " "})
        return out

    return {
        "monologues": [
            {"speaker": 0, "elements": elements(Q, 0.5)},
            {"speaker": 1, "elements": elements(A, 3.0)},
        ]
    }


def _speechmatics() -> dict:
    results = []
    for speaker, text, start in (("S1", Q, 0.5), ("S2", A, 3.0)):
        for k, word in enumerate(text.replace("?", " ?").replace(",", " ,").replace(".", " .").split()):
            kind = "punctuation" if word in "?,." else "word"
            results.append({"type": kind, "start_time": start + k * 0.3, "end_time": start + k * 0.3 + 0.25,
                            "alternatives": [{"content": word, "confidence": 1.0, "language": "fr", "speaker": speaker}]})  # fmt: skip
    return {"format": "2.9", "job": {"id": "j"}, "metadata": {"type": "transcription"}, "results": results}


def _aws() -> dict:
    """AWS Transcribe's output: `results.items` of pronunciation/punctuation items, times as strings."""
    items = []
    for label, text, start in (("spk_0", Q, 0.5), ("spk_1", A, 3.0)):
        for k, word in enumerate(text.replace("?", " ?").replace(",", " ,").replace(".", " .").split()):
            if word in "?,.":
                items.append(
                    {"type": "punctuation", "alternatives": [{"confidence": "0.0", "content": word}]}
                )
            else:
                items.append({"type": "pronunciation", "start_time": f"{start + k * 0.3:.3f}",
                              "end_time": f"{start + k * 0.3 + 0.25:.3f}", "speaker_label": label,
                              "alternatives": [{"confidence": "0.99", "content": word}]})  # fmt: skip
    return {
        "jobName": "emission",
        "accountId": "1",
        "status": "COMPLETED",
        "results": {
            "transcripts": [{"transcript": f"{Q} {A}"}],
            "speaker_labels": {"speakers": 2, "segments": []},
            "items": items,
        },
    }


def _azure() -> dict:
    """Azure batch transcription: `recognizedPhrases` with offsets in 100-ns ticks and an nBest list."""
    phrases = [
        {"recognitionStatus": "Success", "channel": 0, "speaker": speaker, "offsetInTicks": start * 10_000_000,
         "durationInTicks": 20_000_000, "nBest": [{"confidence": 0.9, "lexical": text.lower(), "display": text}]}
        for speaker, text, start in ((1, Q, 0.5), (2, A, 3.0))
    ]  # fmt: skip
    return {
        "source": "https://example.org/emission.wav",
        "durationInTicks": 90_000_000,
        "combinedRecognizedPhrases": [{"channel": 0, "display": f"{Q} {A}"}],
        "recognizedPhrases": phrases,
    }


SERVICES["rev"] = _rev()
SERVICES["speechmatics"] = _speechmatics()
SERVICES["aws_transcribe"] = _aws()
SERVICES["azure"] = _azure()


def load(tmp_path, doc) -> object:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return clean(ingest(path, today=dt.date(2026, 12, 1)))


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_each_service_export_is_read_with_speakers(tmp_path, service):
    ep = load(tmp_path, SERVICES[service])
    assert ep.format == "service_json"
    # Word-level exports attach punctuation to the word before it ("équipés?").
    assert [u.text.replace(" ?", "?") for u in ep.utterances] == [Q.replace(" ?", "?"), A]
    speakers = [u.speaker for u in ep.utterances]
    assert speakers[0] != speakers[1] and all(s and s.startswith("Speaker ") for s in speakers)
    assert ep.utterances[1].new_speaker
    counts = report(ep)
    assert counts["words_in"] == counts["words_kept"] + counts["words_noise"]
    assert "62 %" in A and "%" in ep.utterances[1].text and "€" in ep.utterances[1].text


@pytest.mark.parametrize(
    "service", ["gladia_v2", "assemblyai", "deepgram", "rev", "speechmatics", "aws_transcribe", "azure"]
)
def test_timed_exports_keep_their_times(tmp_path, service):
    ep = load(tmp_path, SERVICES[service])
    assert ep.utterances[0].start_s == pytest.approx(0.5)
    assert ep.utterances[1].start_s == pytest.approx(3.0)


def test_the_turns_string_keeps_the_audio_address_and_ignores_other_keys(tmp_path):
    ep = load(tmp_path, SERVICES["turns_string"])
    assert ep.source_url == "https://example.org/emission.mp3"
    assert "journaliste" not in " ".join(u.text for u in ep.utterances)
    assert dict(ep.noise_words)["speaker label"] == 4


def test_openai_plain_text_and_verbose_json(tmp_path):
    ep = load(tmp_path, {"text": f"{Q} {A}"})
    assert [u.text for u in ep.utterances] == [Q, A]
    verbose = {
        "task": "transcribe",
        "language": "french",
        "duration": 7.0,
        "text": f"{Q} {A}",
        "segments": [
            {
                "id": 0,
                "seek": 0,
                "start": 0.5,
                "end": 2.5,
                "text": f" {Q}",
                "tokens": [1],
                "avg_logprob": -0.2,
            },
            {
                "id": 1,
                "seek": 0,
                "start": 3.0,
                "end": 7.0,
                "text": f" {A}",
                "tokens": [2],
                "avg_logprob": -0.2,
            },
        ],
        "words": [{"word": "Combien", "start": 0.5, "end": 0.8}],
    }
    ep = load(tmp_path, verbose)
    assert [(u.start_s, u.text) for u in ep.utterances] == [(0.5, Q), (3.0, A)]


def test_an_export_without_speech_is_a_clear_error(tmp_path):
    path = tmp_path / "vide.json"
    path.write_text(json.dumps({"result": {"transcription": {"utterances": [{"text": "", "start": 0}]}}}))
    with pytest.raises(InputError, match="sans aucune parole"):
        ingest(path)


def test_another_tool_export_is_read_by_its_usual_keys(tmp_path):
    doc = {
        "version": 2,
        "data": {
            "blocks": [
                {"speakerName": "Nadia", "startMs": 1200, "endMs": 3000, "content": "Bonjour à tous."},
                {"speakerName": "Paul", "startMs": 3500, "endMs": 7000, "content": "Ça monte de 12 %."},
            ]
        },
    }
    ep = load(tmp_path, doc)
    assert [(u.start_s, u.speaker, u.text) for u in ep.utterances] == [
        (1.2, "Nadia", "Bonjour à tous."),
        (3.5, "Paul", "Ça monte de 12 %."),
    ]


def test_bracketed_labels_in_captions_are_speakers_not_annotations(tmp_path):
    path = tmp_path / "tours.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\n[Speaker 0]: Bonjour à tous.\n\n"
        "2\n00:00:03,500 --> 00:00:06,000\n[Speaker 1]: Bonjour, merci.\n",
        encoding="utf-8",
    )
    ep = clean(ingest(path, today=dt.date(2026, 12, 1)))
    assert [(u.speaker, u.text) for u in ep.utterances] == [
        ("Speaker 0", "Bonjour à tous."),
        ("Speaker 1", "Bonjour, merci."),
    ]
