"""Which segments become sections: topics and interviews only, none too short, a few per show-hour.

The segmenter may leave a short aside or a sliver of a topic; the newsletter never publishes a section
under `MIN_SECTION_S`: a short topic joins the topic it touches, an isolated one is left out. There is
no cap per hour: the segmenter's count follows the content, and `segment` and the draft show the same
sections under the same titles (issue 22).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from generator.i18n import N_, _
from generator.model import Episode, Segment, format_ts
from generator.writing import tidy

TOPIC_KINDS = ("topic", "interview")
MIN_SECTION_S = 90.0
WARN_INJECTION = N_("ligne adressée à un modèle de langage, jamais reprise : « {text} » ({at})")


def _length(s: Segment) -> float:
    if s.start_s is None or s.end_s is None:
        return float("inf")  # untimed transcripts: lengths are unknown, nothing is merged
    return s.end_s - s.start_s


def _merge(a: Segment, b: Segment) -> Segment:
    """Two touching segments as one; the longer one gives its title, kind and index, both their asides.

    An ad break or a jingle of the shorter one stays an aside of the whole: it must never become content.
    """
    keep = a if _length(a) >= _length(b) else b
    return replace(
        keep,
        first=min(a.first, b.first),
        last=max(a.last, b.last),
        start_s=a.start_s,
        end_s=b.end_s,
        asides=(*a.asides, *b.asides),
    )


def _min_length(segments: Sequence[Segment]) -> float:
    """90 s, or a tenth of a short show (a five-minute test episode still gets its sections)."""
    starts = [s.start_s for s in segments if s.start_s is not None]
    ends = [s.end_s for s in segments if s.end_s is not None]
    if not starts or not ends:
        return 0.0
    return min(MIN_SECTION_S, (max(ends) - min(starts)) / 10)


def _join_shortest(topics: list[Segment], floor: float, limit: int) -> list[Segment]:
    """Merge the shortest topic into the topic it touches until all are long enough and few enough."""
    while len(topics) > 1:
        k = min(range(len(topics)), key=lambda i: _length(topics[i]))
        if _length(topics[k]) >= floor and len(topics) <= limit:
            break
        before = topics[k - 1] if k > 0 and topics[k - 1].last == topics[k].first else None
        after = topics[k + 1] if k + 1 < len(topics) and topics[k + 1].first == topics[k].last else None
        if before is None and after is None:
            if _length(topics[k]) >= floor:
                break  # too many sections, but the shortest touches no other topic
            del topics[k]  # an isolated aside: left out
            continue
        if after is None or (before is not None and _length(before) <= _length(after)):
            topics[k - 1 : k + 1] = [_merge(before, topics[k])]  # type: ignore[arg-type]
        else:
            topics[k : k + 2] = [_merge(topics[k], after)]
    return topics


def plan(segments: Sequence[Segment]) -> list[Segment]:
    """The segments worth a section, in the show's order (all of them when none is labelled a topic)."""
    spoken = sorted((s for s in segments if s.last > s.first), key=lambda s: s.first)
    topics = [s for s in spoken if s.kind in TOPIC_KINDS] or spoken
    return _join_shortest(list(topics), _min_length(spoken), len(topics))


def injection_warnings(episode: Episode) -> tuple[str, ...]:
    """A warning for every line of the episode written to a language model rather than said on air."""
    out = []
    for u in episode.utterances:
        if tidy.addresses_model(u.text, u.speaker):
            text = u.text if len(u.text) <= 120 else u.text[:117] + "..."
            out.append(_(WARN_INJECTION, text=text, at=format_ts(u.start_s) or "?"))
    return tuple(out)
