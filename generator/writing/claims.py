"""Claim support: is each sentence a model wrote backed by its source, word, name and relation?

Lexical and offline (milliseconds per sentence). A sentence is published only when
- its figures and names are in the source (or the episode's description and known people);
- its proper nouns ("Japon", "Renault") are in the source;
- enough of its content words are in the source (stems, with a shared five-letter prefix allowed
  for paraphrase), and enough of them near the source passage that names its people or companies;
- the people or companies it puts together are named together somewhere in the source;
- a person it makes say something speaks in that segment, when the transcript has speakers.
Everything else is removed and recorded with its reason (French, for the reviewer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator import language
from generator.i18n import _
from generator.language import content_stems, is_filler, is_stopword, split_sentences, stem
from generator.model import Removed
from generator.writing import grounding, tidy

GLOBAL_MIN = 0.7  # share of content words found anywhere in the source
LOCAL_MIN = 0.5  # share found in the passage (three sentences) naming the sentence's entities
WINDOW = 1  # sentences either side of an entity's mention
MAX_RELATED = 3  # a sentence naming more entities is a list: no pairwise relation is checked

REASON_INJECTION = "consigne adressée à un modèle"
REASON_FIGURE = "chiffre absent du passage : « {x} »"
REASON_NAME = "nom absent du passage : « {x} »"
REASON_WORDS = "affirmation non étayée par le passage (mots absents : {x})"
REASON_LOCAL = "affirmation non étayée là où le passage parle de {x} (mots absents : {y})"
REASON_RELATION = "relation non attestée : {x} ne sont jamais cités ensemble"
REASON_SPEAKER = "{x} ne prend pas la parole dans ce passage"

# Words a newsletter's framing uses about the show itself: not claims about the world.
_FRAMING_TEXT = """écouter écouté écoutée émission émissions lettre lecteur lecteurs lectrices newsletter édition
    semaine passionnant passionnante intéressant intéressante débat débats sujet sujets idée idées invité
    invités invitée invitées reparler bientôt juger retenir retenu bonne lecture rendez-vous programme
    aborder abordé abordée évoqué évoquée discuté discutée parlé échange échanges question questions"""
_FRAMING = frozenset(stem(w) for w in _FRAMING_TEXT.split())
_SAYS = (
    r"explique|estime|affirme|dit|déclare|souligne|rappelle|ajoute|précise|assure|indique|insiste|raconte|"
    r"pense|juge|considère|reconnaît|regrette|prévient|note|observe|constate|défend|plaide|annonce|avance|"
    r"décrit|évoque|détaille|résume|conclut"
)
_NAME = r"[A-ZÀ-ÖØ-Þ][\w’'-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w’'-]+)*"
_SAID = (
    r"expliqué|estimé|affirmé|dit|déclaré|souligné|rappelé|ajouté|précisé|assuré|indiqué|insisté|raconté|"
    r"reconnu|regretté|prévenu|noté|observé|constaté|défendu|plaidé|annoncé|avancé|jugé|considéré"
)
# Words about who speaks on the show: attributions and the show's roles, never the claim itself.
_ROLES = "présentateur|présentatrice|animateur|animatrice|journaliste|invité|invitée|invités|interrogé|duplex"
_SAYS_STEMS = frozenset(stem(w) for w in (_SAYS + "|" + _SAID + "|" + _ROLES).split("|"))
_ATTRIBUTION = re.compile(
    rf"(?:\b(?:[Ss]elon|[Dd]'après|[Pp]our)\s+({_NAME}))|(?:({_NAME})\s+(?:(?:{_SAYS})|a\s+(?:{_SAID}))\b)"
)
_TOKEN = re.compile(r"[^\W\d_][\w’'-]*")


def _stems(text: str) -> list[str]:
    return [s for s in content_stems(text) if len(s) >= 3 and not is_filler(s)]


def _enough(total: int, missing: int, share: float) -> bool:
    """Enough content words supported: the share, or all but one word of three or more (a paraphrase)."""
    return 1 - missing / total >= share or (total >= 3 and missing <= 1)


@dataclass(frozen=True)
class _Passage:
    folded: str
    stems: frozenset[str]


class Checker:
    """Checks sentences against one source text (a segment, or the summaries for intro and closing)."""

    def __init__(
        self,
        source: str,
        *,
        known: Sequence[str] = (),
        extra: Iterable[str] = (),
        speakers: Iterable[str] = (),
        framing: bool = False,
    ) -> None:
        self.source = source
        self.known = list(known)
        self.extra = list(extra)
        self.speakers = [language.fold(s) for s in speakers if s]
        self.framing = framing
        background = " ".join([*self.known, *self.extra])
        self.passages = [
            _Passage(f" {language.fold(t)} ", frozenset(_stems(t))) for t in split_sentences(source)
        ]
        self.stems = frozenset(_stems(source)) | frozenset(_stems(background))
        self.prefixes = frozenset(s[:k] for s in self.stems for k in (3, 4, 5) if len(s) >= k)
        self.folded = f" {language.fold(source + ' ' + background)} "
        self.capitalised = {
            t for p in split_sentences(source) for t in _TOKEN.findall(p)[1:] if t[:1].isupper()
        }
        # The people's organisations ("fondateur, Volta Reprise"): its guest speaks of it as "on".
        self.roles = " ".join(f" {language.fold(t)} " for t in self.extra if any(k in t for k in self.known))

    # ------------------------------------------------------------------------------- pieces

    def _has(self, stem: str, pool: frozenset[str] | None = None) -> bool:
        # A shared five-letter prefix, or a short stem that starts a source word ("lève" / "levons").
        head = stem[:5] if len(stem) >= 5 or not stem.endswith("e") else stem[:-1]
        if pool is None:
            return stem in self.stems or head in self.prefixes
        return stem in pool or any(p.startswith(head) for p in pool)

    def _claim_stems(self, sentence: str) -> list[str]:
        """Content stems of the sentence, its names aside (they are checked as entities)."""
        names = {s for n in self._proper_nouns(sentence) for s in _stems(n)}
        names |= {s for k in self.known if language.fold(k) in language.fold(sentence) for s in _stems(k)}
        stems = [s for s in dict.fromkeys(_stems(sentence)) if s not in names and s not in _SAYS_STEMS]
        if self.framing:
            stems = [s for s in stems if s not in _FRAMING]
        return stems

    def _proper_nouns(self, sentence: str) -> list[str]:
        """Capitalised words after the first (names, places, companies, acronyms), and multi-word names."""
        found = list(language.candidate_names(sentence))
        tokens = _TOKEN.findall(sentence)
        for k, tok in enumerate(tokens):
            if not tok[:1].isupper() or is_stopword(tok):
                continue
            if k == 0 and tok not in self.capitalised:
                continue  # opening the sentence: a name only if the source writes it as one mid-sentence
            if not any(tok in name for name in found):
                found.append(tok)
        return found

    def _is_person(self, name: str) -> bool:
        """A host or guest of the episode (or part of their name), or the organisation a guest's role names."""
        folded = f" {language.fold(name)} "
        return any(folded in f" {language.fold(k)} " for k in self.known) or folded in self.roles

    def _mentions(self, entity: str) -> list[int]:
        """Source sentences naming an entity (a known person also by surname)."""
        forms = [language.fold(entity)]
        for k in self.known:
            if language.fold(k) == forms[0] and len(k.split()) > 1:
                forms.append(language.fold(k.split()[-1]))
        return [i for i, p in enumerate(self.passages) if any(f" {f} " in p.folded for f in forms)]

    def _speaker_problem(self, sentence: str) -> str | None:
        if not self.speakers:
            return None
        for match in _ATTRIBUTION.finditer(sentence):
            name = language.fold(match.group(1) or match.group(2) or "")
            is_person = any(name and name in language.fold(k) for k in self.known)
            if is_person and not any(name in s or s in name for s in self.speakers):
                return REASON_SPEAKER.format(x=match.group(1) or match.group(2))
        return None

    # ------------------------------------------------------------------------------- verdicts

    def reason(self, sentence: str) -> str | None:
        """Why the sentence is not supported by the source, or None when it is."""
        if tidy.addresses_model(sentence):
            return REASON_INJECTION
        for f in language.unsupported_figures(sentence, self.source, self.extra):
            return REASON_FIGURE.format(x=f)
        for n in language.unsupported_names(sentence, self.source, self.known):
            return REASON_NAME.format(x=n)
        entities = []
        for noun in self._proper_nouns(sentence):
            if f" {language.fold(noun)} " not in self.folded:
                return REASON_NAME.format(x=noun)
            if not self._is_person(noun):
                # The episode's people speak about things far from where they are named: their
                # claims are checked by the words (and by who speaks, when the transcript says).
                entities.append(noun)
        problem = self._speaker_problem(sentence) or self._relation_problem(entities)
        if problem or sentence.rstrip().endswith("?"):
            return problem  # a question asserts nothing beyond its names and figures
        return self._words_problem(sentence, entities)

    def _relation_problem(self, entities: Sequence[str]) -> str | None:
        located = [(e, self._mentions(e)) for e in entities]
        located = [(e, m) for e, m in located if m]  # known people and the description need no passage
        if len(located) > MAX_RELATED:
            return None  # a list of names ("Google, Microsoft, Meta...") states no relation between them
        for (a, ma), (b, mb) in zip(located, located[1:], strict=False):
            if not any(abs(i - j) <= WINDOW for i in ma for j in mb):
                return REASON_RELATION.format(x=f"{a} et {b}")
        return None

    def _words_problem(self, sentence: str, entities: Sequence[str]) -> str | None:
        stems = self._claim_stems(sentence)
        if not stems:
            return None
        missing = [s for s in stems if not self._has(s)]
        if not _enough(len(stems), len(missing), GLOBAL_MIN):
            return REASON_WORDS.format(x=", ".join(missing[:5]))
        for entity in [*entities, None]:
            mentions = self._mentions(entity) if entity else range(len(self.passages))
            if not mentions:
                continue
            best: list[str] | None = None
            for i in mentions:
                pool = frozenset().union(
                    *(p.stems for p in self.passages[max(0, i - WINDOW) : i + WINDOW + 1])
                )
                gone = [s for s in stems if not self._has(s, pool)]
                if best is None or len(gone) < len(best):
                    best = gone
            if best is not None and not _enough(len(stems), len(best), LOCAL_MIN):
                if entity is None:
                    return REASON_WORDS.format(x=", ".join(best[:5]))
                return REASON_LOCAL.format(x=entity, y=", ".join(best[:5]))
        return None

    def prune(
        self, text: str, *, field: str, segment: int | None = None, episode: str = ""
    ) -> tuple[str, list[Removed], list[str]]:
        """(the supported sentences, the removed ones with reasons, reviewer warnings)."""
        fixed, fixes = language.fix_names(text, self.known)
        warnings = [_(grounding.WARN_NAME_FIXED, wrong=w, right=r) for w, r in fixes]
        kept: list[str] = []
        removed: list[Removed] = []
        for sentence in split_sentences(fixed, before_capital=True):
            why = self.reason(sentence)
            if why is None:
                kept.append(sentence)
            else:
                removed.append(Removed(sentence, why, field, segment, episode))
                warnings.append(_(grounding.WARN_DROPPED, why=why, sentence=sentence))
        return " ".join(kept), removed, warnings
