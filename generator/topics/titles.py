"""Short French headings for topic segments, extractively: the segment's best noun phrases.

Shared by segmentation (`newsletter segment`) and the offline backend (section titles).
Without a tagger, noun phrases are found from French word order: a head noun follows a determiner,
a preposition or is a proper noun; adjectives follow it; one complement may follow it
("de/du/des/d' (la/l')", "à la/au/aux"). Phrases are scored by how often the segment uses them
against the rest of the episode (TF-IDF and the share of the episode's mentions), longer and named
phrases a little favoured. The heading keeps the transcript's casing, takes back the article the
speakers used ("du réemploi" -> "Le réemploi") and joins a second phrase only when it is as strong.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from generator import language
from generator.language import NUMBER_WORDS, is_filler, is_stopword, stem
from generator.topics.phrase_check import agreement_problem, phrase_problem
from generator.topics.phrase_check import parts as phrase_parts

MAX_TITLE_CHARS = 60
CANDIDATE_PHRASES = 6  # phrases tried, best first, until a composition is a title a reader accepts
TITLE_WORDS = (3, 9)  # a heading a reader accepts: a noun phrase of three to nine words
MIN_CONTENT_WORDS = 2  # the subject and what about it
# An elided word left hanging: "C' :", "J' les", "qu'" at the end (its word was lost).
_DANGLING = re.compile(r"(?:^|\s)(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’](?=\s|$|[:,;.])", re.IGNORECASE)
SECOND_PHRASE_RATIO = 0.5  # a second phrase joins the title only when nearly as strong as the first

_DETERMINERS = frozenset(
    [
        "le",
        "la",
        "les",
        "l'",
        "un",
        "une",
        "des",
        "du",
        "au",
        "aux",
        "ce",
        "cet",
        "cette",
        "ces",
        "mon",
        "ma",
        "mes",
        "ton",
        "ta",
        "tes",
        "son",
        "sa",
        "ses",
        "notre",
        "nos",
        "votre",
        "vos",
        "leur",
        "leurs",
        "chaque",
        "plusieurs",
        "quelques",
    ]
)
_PREPOSITIONS = frozenset(
    ["de", "d'", "à", "en", "sur", "pour", "avec", "contre", "sans", "par", "entre", "chez", "dans", "vers"]
)
_OF = frozenset(["de", "d'", "du", "des"])
_TO = frozenset(["au", "aux"])
# Article a heading takes back from the word the speakers put before the noun ("du" -> "le").
_ARTICLE = {
    "le": "le",
    "du": "le",
    "au": "le",
    "un": "le",
    "la": "la",
    "une": "la",
    "l'": "l'",
    "les": "les",
    "des": "les",
    "aux": "les",
}
_TOKEN = re.compile(
    r"(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’](?=\w)|[^\W_][\w-]*(?:['’](?=hui\b)\w+)?", re.IGNORECASE
)
_CLAUSE = re.compile(r"[,;:.!?()«»\"“”…]+|\s[-–—]\s")
_IDIOMS = re.compile(
    r"\b(?:en train de|en train d'|au niveau de|par rapport à|en fait|du coup|d'accord|tout à fait|"
    r"c'est-à-dire|il y a|peut-être|à peu près|au bout de|en tout cas|de toute façon|un peu)\b",
    re.IGNORECASE,
)
_VERB_END = re.compile(r"(?:ons|ez|ait|aient|èrent|ront|ir|(?<!i)er|(?<!m)ent)$")
# Adverbs in -ment and verbs in -it ("vieillit") after a noun are no adjectives ("gratuit" is).
_NOT_ADJECTIVE = re.compile(r"(?:ment|(?<!u)it)$")
# Infinitives after a bare preposition ("d'émettre", "pour produire", "sans prévenir").
_INFINITIVE = re.compile(r"(?:(?<!i)er|ir|oir|ttre|endre|ondre|uire|ire)$")


@dataclass(frozen=True)
class Phrase:
    """A noun phrase of a segment: its display form (with article when known) and its score."""

    text: str
    key: str
    score: float
    sentences: int
    named: bool


@dataclass(frozen=True)
class _Occurrence:
    key: str
    surface: str
    article: str | None
    initial: bool  # the phrase opens the sentence (its capital may only be the sentence's)
    named: bool


def _norm(token: str) -> str:
    return token.lower().replace("’", "'")


# Words of the show's own machinery: greetings, thanks and the programme name no subject
# ("Bonjour", "au programme", "nos invités" must never become a heading).
_SHOW_WORDS = frozenset(
    [
        "bonjour",
        "bonsoir",
        "bienvenue",
        "merci",
        "salut",
        "revoir",
        "bientôt",
        "remerciement",
        "remerciements",
        "émission",
        "émissions",
        "épisode",
        "épisodes",
        "programme",
        "sommaire",
        "invité",
        "invitée",
        "invités",
        "invitées",
        "podcast",
        "podcasts",
        "pause",
        "publicité",
        "sponsor",
        "partenaire",
        "auditeur",
        "auditeurs",
        "auditrices",
        "suite",
    ]
)


@functools.lru_cache(maxsize=1 << 16)
def _content(token: str) -> bool:
    """A word that can carry a topic: not a function word, a filler, a number or a greeting."""
    token = token.replace("’", "'")  # "C’" is the elided "ce", never a name
    if token[:1].isdigit() or "'" in token[:-1] and _norm(token) != "aujourd'hui":
        return False
    if _norm(token) in _SHOW_WORDS:
        return False
    return not (is_stopword(token) or is_filler(token) or token.endswith("'"))


def _modifier(token: str, nxt: str | None) -> bool:
    """An adjective (or a qualifier such as '3D') after a noun, not a verb taking an object."""
    if token[:1].isdigit():
        return any(c.isalpha() for c in token) and len(token) <= 4
    if not _content(token) or _VERB_END.search(token.lower()) or _NOT_ADJECTIVE.search(token.lower()):
        return False
    return nxt is None or _norm(nxt) not in _DETERMINERS


def _is_number(token: str) -> bool:
    """A figure or a number in words, which stands before a noun like a determiner ("cent toits")."""
    parts = token.lower().split("-")
    return token.isdigit() or (parts != ["et"] and all(p in NUMBER_WORDS for p in parts))


def _verb_after(prep: str, token: str) -> bool:
    """An infinitive after a bare preposition ("d'émettre"), or a verb after the pronoun "en"."""
    word = token.lower()
    return bool(_INFINITIVE.search(word) or (prep == "en" and _VERB_END.search(word)))


class TitleModel:
    """Noun phrases of every sentence of an episode, ready to title any span of it."""

    def __init__(self, texts: Sequence[str], exclude: Sequence[str] = ()) -> None:
        banned = {w for name in exclude for w in language.fold(name).split() if len(w) > 1}
        self._named_words = _named_words(texts)
        self._sentences: list[list[_Occurrence]] = []
        for text in texts:
            occ = [o for o in self._occurrences(text) if not set(language.fold(o.surface).split()) & banned]
            self._sentences.append(occ)
        self._df: Counter[str] = Counter(k for occ in self._sentences for k in {o.key for o in occ})
        self._n = len(texts)
        self._texts = list(texts)
        self._vocabulary = frozenset(language.fold(" ".join(texts)).split())

    def _occurrences(self, text: str) -> list[_Occurrence]:
        out: list[_Occurrence] = []
        first_word = True
        for clause in _CLAUSE.split(_IDIOMS.sub(" , ", text)):
            tokens = _TOKEN.findall(clause)
            if not tokens:
                continue
            for i in range(len(tokens)):
                out += self._phrases_at(tokens, i, initial=first_word and i == 0)
            first_word = False
        return out

    def _is_named(self, token: str) -> bool:
        return (token.isupper() and len(token) > 1) or _norm(token) in self._named_words

    def _phrases_at(self, tokens: list[str], i: int, *, initial: bool) -> list[_Occurrence]:
        """Noun phrases whose head is tokens[i] (none when it cannot be a noun there)."""
        tok = tokens[i]
        prev = _norm(tokens[i - 1]) if i else None
        if not _content(tok):
            return []
        named = self._is_named(tok)
        if named:
            if i and self._is_named(tokens[i - 1]) and _content(tokens[i - 1]):
                return []  # inside a name: the phrase starts at its first word
            j = i + 1
            while j < len(tokens) and self._is_named(tokens[j]) and _content(tokens[j]):
                j += 1
        elif (
            prev in _DETERMINERS
            or _is_number(tokens[i - 1] if i else "")
            or (prev in _PREPOSITIONS and not _verb_after(prev, tok))
        ):
            j = i + 1
        else:
            return []
        article = _ARTICLE.get(prev or "") if not named else None
        spans = [j]
        k = j
        while k < len(tokens) and k - j < 2 and not named:
            nxt = tokens[k + 1] if k + 1 < len(tokens) else None
            if not _modifier(tokens[k], nxt):
                break
            k += 1
            spans.append(k)
        # One complement: "de/du/des/d' (la/l')? NOUN ADJ?" or "à la/à l'/au/aux NOUN ADJ?".
        c = k
        if c < len(tokens) and (
            _norm(tokens[c]) in _OF or _norm(tokens[c]) in _TO or _norm(tokens[c]) == "à"
        ):
            link = _norm(tokens[c])
            c += 1
            if c < len(tokens) and _norm(tokens[c]) in ("la", "l'") and link in ("de", "à"):
                c += 1
            elif link == "à":
                c = -1  # "à" straight before a word is mostly a verb ("à faire")
            if (
                c > 0
                and c < len(tokens)
                and _content(tokens[c])
                and not _INFINITIVE.search(tokens[c].lower())
            ):
                end = c + 1
                if end < len(tokens):
                    nxt = tokens[end + 1] if end + 1 < len(tokens) else None
                    if _modifier(tokens[end], nxt) and not self._is_named(tokens[c]):
                        end += 1
                spans.append(end)
        out = []
        for end in dict.fromkeys(spans):
            words = tokens[i:end]
            content = [w for w in words if _content(w) or w[:1].isdigit()]
            key = " ".join(stem(w) for w in content)
            surface = _join(words)
            out.append(_Occurrence(key, surface, article, initial, named))
        return out

    def phrases(self, first: int, last: int, k: int = 2, *, once: bool = False) -> list[Phrase]:
        """The best noun phrases of sentences[first:last], no two sharing a word (`once`: said once is enough)."""
        span = self._sentences[first:last]
        sf: Counter[str] = Counter()
        occurrences: dict[str, list[_Occurrence]] = defaultdict(list)
        for occ in span:
            for key in {o.key for o in occ}:
                sf[key] += 1
            for o in occ:
                occurrences[o.key].append(o)
        # A heading is said more than once; a short part where nothing repeats takes its best once-said
        # phrase rather than no heading at all.
        need = 2 if not once and len(span) >= 6 and any(c >= 2 for k, c in sf.items() if k) else 1
        scored: dict[str, float] = {}
        for key, count in sf.items():
            if count < need or not key:
                continue
            idf = math.log((self._n + 1) / (self._df[key] + 1)) + 1.0
            focus = math.sqrt(count / self._df[key])  # share of the episode's mentions said here
            n_words = min(3, key.count(" ") + 1)
            named = sum(o.named for o in occurrences[key]) * 2 >= len(occurrences[key])
            scored[key] = count * idf * focus * (1 + 0.3 * (n_words - 1)) * (1.3 if named else 1.0)
        ranked = sorted(scored, key=lambda key: (-scored[key], key))
        picked: list[Phrase] = []
        used: set[str] = set()
        for key in ranked:
            if len(picked) >= k:
                break
            if set(key.split()) & used:
                continue
            # A longer phrase said about as often is more telling ("logiciels" -> "logiciels libres").
            longer = [
                other
                for other in ranked
                if other != key
                and set(key.split()) < set(other.split())
                and sf[other] >= max(need, 0.4 * sf[key])
                and not set(other.split()) & used
            ]
            best = max(longer, key=lambda o: (sf[o], scored[o], o), default=key)
            picked.append(self._phrase(best, scored[key], sf[best], occurrences[best]))
            used |= set(best.split()) | set(key.split())
        return picked

    def _phrase(self, key: str, score: float, count: int, occ: list[_Occurrence]) -> Phrase:
        named = sum(o.named for o in occ) * 2 >= len(occ)
        # The casing speakers use mid-sentence; a sentence's own capital is not a name's.
        inside = [o.surface for o in occ if not o.initial] or [_lower_first(o.surface, named) for o in occ]
        surface = Counter(inside).most_common(1)[0][0]
        # The article speakers use most, when they use one often enough ("de chaleur" has none).
        same = [o for o in occ if o.surface.lower() == surface.lower()]  # same number ("jeton(s)")
        # Only an article agreeing in number with the noun as said ("le mains" never).
        articles = Counter(
            o.article
            for o in same
            if o.article and not agreement_problem(_with_article(o.article, surface), self._vocabulary)
        )
        article, seen = articles.most_common(1)[0] if articles else (None, 0)
        text = surface
        if not named and article and seen * 3 >= len(same):
            text = _with_article(article, surface)
        elif not named and re.match(r"\w{3,}[sx]\b", surface) and not agreement_problem("les " + surface):
            text = "les " + surface  # a plural said without article ("de jetons"): "les jetons"
        return Phrase(text, key, score, count, named)

    def title(self, first: int, last: int, *, capitalise: bool = True) -> str:
        """A heading a reader accepts for sentences[first:last] ('' when nothing stands out).

        The strongest composition that passes `acceptable`; else the first pair of phrases that does;
        else the same among phrases said only once in the part (a short part repeats little); else
        the plain composition of the best phrases (which `acceptable` then flags).
        """
        phrases = self.phrases(first, last, k=CANDIDATE_PHRASES)
        source = " ".join(self._texts[first:last])
        plain = compose_title(phrases[:2], capitalise=capitalise)
        if acceptable(plain, source=source):
            return plain
        found = _first_acceptable(phrases, source, capitalise) or _first_acceptable(
            self.phrases(first, last, k=CANDIDATE_PHRASES, once=True), source, capitalise
        )
        return found or plain


def _first_acceptable(phrases: Sequence[Phrase], source: str, capitalise: bool) -> str | None:
    """The first phrase, or pair of phrases in rank order, that reads as an acceptable heading."""
    for i, lead in enumerate(phrases):
        if acceptable(lead.text, source=source):
            return compose_title([lead], capitalise=capitalise)
        for other in phrases[i + 1 :]:
            joined = compose_title([lead, other], capitalise=capitalise, force=True)
            if acceptable(joined, source=source):
                return joined
    return None


def compose_title(phrases: Sequence[Phrase], *, capitalise: bool = True, force: bool = False) -> str:
    """One phrase, or two when both are strong (or `force`): 'Name : phrase' or 'X et Y'; capital first."""
    if not phrases:
        return ""
    lead = phrases[0]
    text = lead.text
    if len(phrases) > 1:
        other = phrases[1]
        if force or (other.score >= SECOND_PHRASE_RATIO * lead.score and other.sentences >= 2):
            if lead.named != other.named:
                name, thing = (lead, other) if lead.named else (other, lead)
                joined = f"{name.text} : {thing.text}"
            else:
                joined = f"{lead.text} et {other.text}"
            if len(joined) <= MAX_TITLE_CHARS:
                text = joined
    if len(text) > MAX_TITLE_CHARS:
        text = _trim(text)
    return text[:1].upper() + text[1:] if capitalise else text


def title_problem(title: str, names: Sequence[str] = (), source: str | None = None) -> str | None:
    """Why a reader would not accept this heading (French), or None when it reads as a subject.

    Three to nine words, no dangling elision, at least two content words (not function words,
    fillers or show words), and not a person's name as the subject (`names`: host, guests, speakers).
    Articles agree in number with their nouns; with `source` (the segment's text), each noun phrase
    was said there, modulo its article, and a bare common noun is no subject (phrase_check).
    """
    words = [w for w in re.split(r"\s+", title.strip()) if w and w not in (":", "-", "–", ",")]
    if _DANGLING.search(title):
        return "élision sans mot"
    if not TITLE_WORDS[0] <= len(words) <= TITLE_WORDS[1]:
        return f"{len(words)} mots (il en faut de {TITLE_WORDS[0]} à {TITLE_WORDS[1]})"
    content = [t for t in _TOKEN.findall(title) if _content(t)]
    folded = {w for name in names for w in language.fold(name).split() if len(w) > 2}
    if folded and any(language.fold(t) in folded for t in content):
        content = [t for t in content if language.fold(t) not in folded]
        if len(content) < MIN_CONTENT_WORDS or language.fold(title.split(" : ")[0]) in folded:
            return "un nom de personne pour sujet"
    if len(content) < MIN_CONTENT_WORDS:
        return "moins de deux mots de contenu"
    if source is not None:
        return phrase_problem(title, source)
    return next(filter(None, (agreement_problem(p) for p in phrase_parts(title))), None)


def acceptable(title: str, names: Sequence[str] = (), source: str | None = None) -> bool:
    """Whether a reader accepts this heading (see title_problem)."""
    return title_problem(title, names, source) is None


def _trim(text: str) -> str:
    """Cut a long heading at a word boundary, never ending on a link word ("... et", "... de la")."""
    words = text[: MAX_TITLE_CHARS + 1].split()
    if len(text) > MAX_TITLE_CHARS:
        words = words[:-1]  # the last word may be cut in the middle
    while words and (is_stopword(words[-1].strip(":,")) or words[-1] in (":", ",", "-")):
        words.pop()
    return " ".join(words) or text[:MAX_TITLE_CHARS]


def _named_words(texts: Sequence[str]) -> frozenset[str]:
    """Words capitalised inside sentences at least as often as not: names, brands, places."""
    caps: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        for i, tok in enumerate(_TOKEN.findall(text)):
            if not tok[:1].isalpha() or tok.endswith(("'", "’")):
                continue
            if tok[:1].isupper():
                if i:
                    caps[_norm(tok)] += 1
            else:
                lower[_norm(tok)] += 1
    return frozenset(w for w, c in caps.items() if c >= lower[w] and not is_stopword(w))


def _join(words: Sequence[str]) -> str:
    out = ""
    for w in words:
        out += w if not out or out.endswith(("'", "’")) else " " + w
    return out


def _lower_first(surface: str, named: bool) -> str:
    first = surface.split(" ", 1)[0]
    if named or (first.isupper() and len(first) > 1):
        return surface
    return surface[:1].lower() + surface[1:]


def _with_article(article: str, surface: str) -> str:
    if article in ("le", "la") and re.match(r"[aeiouyàâéèêëîïôöûüh]", surface, re.IGNORECASE):
        article = "l'"
    return article + surface if article == "l'" else f"{article} {surface}"
