"""Speech-to-text through a fake OpenAI-compatible server: language=fr, verbose_json, cuts at silences."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from fake_speech import FakeSpeech, make_wav
from feed_server import FeedServer

from generator.config import TranscriptionSettings
from generator.errors import ConfigError, TranscriptionError
from generator.llm import SpeechSegment
from generator.source_kinds import TRANSCRIBERS
from generator.sources import drop_hallucinations
from generator.sources.audio import cut_points, split_wav
from generator.sources.speech import transcribe


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


def _settings(server: FeedServer, **kw) -> TranscriptionSettings:
    return TranscriptionSettings(**({"backend": "openai", "base_url": server.url("/v1")} | kw))


def test_one_request_in_french_verbose_json(server, tmp_path: Path):
    fake = FakeSpeech(["Bonjour à tous.", "Aujourd'hui, les batteries."])
    fake.install(server)
    audio = tmp_path / "ep.wav"
    make_wav(audio, [(1.0, True), (0.5, False), (1.0, True)])
    srt = transcribe(audio, _settings(server, model="whisper-large-v3"), tmp_path / "work")
    [call] = fake.calls
    assert call["language"] == b"fr" and call["response_format"] == b"verbose_json"
    assert call["model"] == b"whisper-large-v3" and call["file"][:4] == b"RIFF"
    assert srt.startswith("1\n00:00:00,000 --> 00:00:01,250\nBonjour à tous.\n")
    assert "00:00:01,250 --> 00:00:02,500\nAujourd'hui, les batteries." in srt


def test_long_audio_is_cut_at_silences_and_times_are_stitched(server, tmp_path: Path):
    fake = FakeSpeech(["Une phrase."])
    fake.install(server)
    audio = tmp_path / "long.wav"
    # 8 kHz 16-bit: 16 kB/s. Tone 3 s, silence 0.6 s, tone 3 s, silence 0.6 s, tone 2 s; pieces under 80 kB (~5 s).
    make_wav(audio, [(3.0, True), (0.6, False), (3.0, True), (0.6, False), (2.0, True)])
    settings = _settings(server, max_upload_mb=80_000 / (1024 * 1024))
    srt = transcribe(audio, settings, tmp_path / "work")
    assert len(fake.calls) == 3 and all(c["language"] == b"fr" for c in fake.calls)
    assert all(len(c["file"]) <= 80_000 for c in fake.calls)
    starts = [line.split(" --> ")[0] for line in srt.splitlines() if " --> " in line]
    # Each piece starts inside a silence: 3.0-3.6 s and 6.6-7.2 s.
    assert starts[0] == "00:00:00,000"
    assert "00:00:03,000" <= starts[1] <= "00:00:03,600" and "00:00:06,600" <= starts[2] <= "00:00:07,200"


def test_cut_points_fall_in_the_quietest_window():
    import numpy as np

    loud = np.ones(100)
    loud[80] = 0.0
    assert cut_points(loud, 90) == [0, 80]
    loud[40:50] = 0.0  # the longer silence wins, cut in its middle
    assert cut_points(loud, 90) == [0, 45]
    assert cut_points(np.ones(50), 90) == [0]


def test_pieces_keep_the_audio_whole(tmp_path: Path):
    audio = tmp_path / "a.wav"
    make_wav(audio, [(2.0, True), (0.5, False), (2.0, True)])
    pieces = split_wav(audio, 50_000, tmp_path / "p")
    with wave.open(str(audio)) as w:
        total = w.getnframes()
    frames = 0
    for p in pieces:
        with wave.open(str(p.path)) as w:
            frames += w.getnframes()
    assert len(pieces) == 2 and frames == total and pieces[1].offset_s == pytest.approx(2.0, abs=0.5)


def test_server_failure_is_a_french_error(server, tmp_path: Path):
    fake = FakeSpeech(["x"], status=400)
    fake.install(server)
    audio = tmp_path / "a.wav"
    make_wav(audio, [(0.5, True)])
    with pytest.raises(TranscriptionError, match="la transcription a échoué"):
        transcribe(audio, _settings(server), tmp_path / "w")


def test_backend_none_transcribes_nothing_and_names_come_from_the_registry(tmp_path: Path):
    assert transcribe(tmp_path / "absent.wav", TranscriptionSettings(), tmp_path) is None
    assert TRANSCRIBERS.names() == ("none", "openai", "faster-whisper")
    with pytest.raises(ConfigError, match="choix possibles : none, openai, faster-whisper"):
        transcribe(tmp_path / "a.wav", TranscriptionSettings(backend="whisper"), tmp_path)


def test_openai_without_key_or_url_is_a_config_error(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("MA_CLE", raising=False)
    audio = tmp_path / "a.wav"
    make_wav(audio, [(0.5, True)])
    with pytest.raises(ConfigError, match="MA_CLE"):
        transcribe(audio, TranscriptionSettings(backend="openai", api_key_env="MA_CLE"), tmp_path)


def test_faster_whisper_never_downloads_a_model(tmp_path: Path):
    with pytest.raises(ConfigError, match="jamais téléchargé"):
        transcribe(
            tmp_path / "a.wav",
            TranscriptionSettings(backend="faster-whisper", model_path="large-v3"),
            tmp_path,
        )


def test_known_french_silence_hallucinations_are_dropped():
    segs = [
        SpeechSegment(0, 2, "Bonjour et bienvenue."),
        SpeechSegment(2, 4, "Sous-titres réalisés par la communauté d'Amara.org"),
        SpeechSegment(4, 6, "Sous-titrage Société Radio-Canada"),
        SpeechSegment(6, 8, "N'oubliez pas de vous abonner au podcast."),
    ]
    assert [s.text for s in drop_hallucinations(segs)] == [
        "Bonjour et bienvenue.",
        "N'oubliez pas de vous abonner au podcast.",
    ]


def test_faster_whisper_runs_the_local_model_in_french_with_vad(tmp_path: Path, monkeypatch):
    """The optional extra is not installed here: a stand-in module records how it is called."""
    import sys
    import types
    from types import SimpleNamespace

    calls: dict = {}

    class WhisperModel:
        def __init__(self, path, **kw):
            calls["init"] = (path, kw)

        def transcribe(self, audio, **kw):
            calls["transcribe"] = (audio, kw)
            parts = [
                SimpleNamespace(start=0.0, end=2.5, text=" Bonjour à tous."),
                SimpleNamespace(
                    start=2.5, end=5.0, text=" Sous-titres réalisés par la communauté d'Amara.org"
                ),
            ]
            return iter(parts), SimpleNamespace(language="fr")

    monkeypatch.setitem(sys.modules, "faster_whisper", types.SimpleNamespace(WhisperModel=WhisperModel))
    model = tmp_path / "modele"
    model.mkdir()
    audio = tmp_path / "a.wav"
    make_wav(audio, [(0.5, True)])
    srt = transcribe(audio, TranscriptionSettings(backend="faster-whisper", model_path=str(model)), tmp_path)
    assert calls["init"] == (str(model), {"device": "cpu", "compute_type": "int8", "local_files_only": True})
    assert calls["transcribe"] == (str(audio), {"language": "fr", "vad_filter": True})
    assert srt == "1\n00:00:00,000 --> 00:00:02,500\nBonjour à tous.\n"


def test_compressed_audio_over_the_limit_needs_ffmpeg(server, tmp_path: Path, monkeypatch):
    import shutil as sh

    fake = FakeSpeech(["Bonjour."])
    fake.install(server)
    small = tmp_path / "petit.mp3"
    small.write_bytes(b"ID3" + b"\0" * 1000)
    srt = transcribe(small, _settings(server), tmp_path / "w")  # under the limit: sent as it is
    assert fake.calls[0]["file"][:3] == b"ID3" and "Bonjour." in srt
    big = tmp_path / "gros.mp3"
    big.write_bytes(b"ID3" + b"\0" * 200_000)
    monkeypatch.setattr(sh, "which", lambda name: None)
    with pytest.raises(TranscriptionError, match="installez ffmpeg"):
        transcribe(big, _settings(server, max_upload_mb=0.1), tmp_path / "w")
    assert len(fake.calls) == 1
