"""Sources: podcast feeds checked before each run; their new episodes' transcripts (published, or made
from the audio by speech-to-text) land in the inbox with their metadata, exactly once."""

from generator.sources.check import ItemOutcome, SourceReport
from generator.sources.configfile import append_source, config_target, validate_feed
from generator.sources.deliver import NO_TRANSCRIPT
from generator.sources.feed import Feed, FeedItem, TranscriptLink, choose_transcript, parse_feed
from generator.sources.fetch import USER_AGENT, Fetcher
from generator.sources.night import check_sources, source_rows
from generator.sources.speech import drop_hallucinations, to_srt
from generator.sources.store import STORE_NAME, SourceStore

__all__ = [
    "NO_TRANSCRIPT",
    "STORE_NAME",
    "USER_AGENT",
    "Feed",
    "FeedItem",
    "Fetcher",
    "ItemOutcome",
    "SourceReport",
    "SourceStore",
    "TranscriptLink",
    "append_source",
    "check_sources",
    "choose_transcript",
    "config_target",
    "drop_hallucinations",
    "parse_feed",
    "source_rows",
    "to_srt",
    "validate_feed",
]
