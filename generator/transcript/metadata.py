"""Episode metadata from a description line: French date, show, host, guests with their roles."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from generator.i18n import _
from generator.language import MONTH_NUMBERS, MONTH_PATTERN, WEEKDAY_NUMBERS, WEEKDAY_PATTERN
from generator.model import Guest
from generator.transcript.showinfo import show_in

_DATE_FR = re.compile(
    rf"(?:\b(?P<weekday>{WEEKDAY_PATTERN})\s+)?"
    rf"\b(?P<day>[0-3]?\d|1er)\s+(?P<month>{MONTH_PATTERN})\b(?:\s+(?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
_DATE_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
_DATE_NUM = re.compile(r"\b(?P<day>[0-3]?\d)([/.])(?P<month>[01]?\d)\2(?P<year>(?:19|20)\d\d)\b")

# "X a reçu ..." names a host; "X reçoit ..." is how show pages introduce their guests.
_HOST_VERBS = re.compile(
    r"\s+(?:a reçu|avait reçu|recevait|a accueilli|accueillait|a invité)\s+", re.IGNORECASE
)
_SHOW_VERBS = re.compile(
    r"(?:^|\s+)(?:reçoit|reçoivent|recevons|accueille|accueillons|accueillent|invite|invitons)\s+",
    re.IGNORECASE,
)
# "on reçoit", "nous recevons": the subject names neither a show nor a host.
_PRONOUNS = {"on", "nous", "je", "j'", "il", "elle", "ils", "elles", "vous", "aujourd'hui"}
# "Anne Roy et Luc Petit sont les invités de Claire Bonnet": the guests come first.
_GUESTS_OF = re.compile(
    r"^(?P<guests>.+?)\s+(?i:(?:est|sont)\s+(?:l['’]invitée?|les invitée?s|au micro)\s+(?:de|d['’]))\s*"
    r"(?P<host>[A-ZÀ-Þ][\w'’-]+(?:\s+[A-ZÀ-Þ][\w'’-]+){1,3})?"
)
_LEADING_ADVERB = re.compile(
    r"^(?:aujourd['’]hui|cette semaine|ce soir|ce matin|à nouveau|en direct)\s*,?\s+", re.I
)
_SHOW_IN = re.compile(
    r"(?i:\b(?:dans|sur le plateau de|sur))\s+(?i:l'émission\s+|le podcast\s+)?"
    r"(?P<show>[A-Z0-9][\w'’&.-]*(?:\s+(?:(?:de|du|des|la|le|l'|et)\s+)?[A-Z0-9][\w'’&.-]*){0,5})"
)
_PARTICLES = {
    "de",
    "du",
    "des",
    "d'",
    "van",
    "von",
    "der",
    "den",
    "le",
    "la",
    "di",
    "da",
    "del",
    "ben",
    "el",
    "al",
}
_NAME_TOKEN = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|[A-ZÀ-ÖØ-Þ]\.)$")
_ARTICLES = {"le", "la", "les", "l'", "de", "du", "des", "et", "en", "au", "aux", "un", "une"}
# The end of the guest list's clause: a full stop before a capital, or the show named after the guests.
_CLAUSE_END = re.compile(
    r"(?<![\s(][A-ZÀ-Þ])(?<=[\w)»])[.!?]\s+(?=[A-ZÀ-Þ«])|,?\s+(?i:dans|de|sur|pour)\s+(?i:l['’]émission|le podcast|la chronique)\s"
)
_GUEST_MARKER = re.compile(r"(?i:\b(?:avec|en compagnie de|(?:nos |mes )?invité(?:e)?s?\s*:))\s+(?=[A-ZÀ-Þ])")
# "présentée par Claire Bonnet", "animé par ...": the host, when no verb names one.
_PRESENTED = re.compile(
    r"(?i:\b(?:présenté|animé|produit)e?s?\s+par)\s+(?P<host>[A-ZÀ-Þ][\w'’-]+(?:\s+(?:de\s+|du\s+|d'|le\s+|la\s+)?[A-ZÀ-Þ][\w'’-]+){1,3})"
)
_PARENS_GUEST = re.compile(r"(?P<name>[^,()]+?)\s*\((?P<role>[^()]*)\)")


@dataclass(frozen=True)
class Description:
    """What a description line says about its episode."""

    text: str
    show: str | None
    date: dt.date | None
    host: str | None
    guests: tuple[Guest, ...]
    warnings: tuple[str, ...] = ()


def fold(text: str) -> str:
    """Lowercase without accents, for comparisons."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def resolve_year(
    day: int, month: int, weekday: int | None, today: dt.date
) -> tuple[dt.date | None, str | None]:
    """A day and month without a year: the most recent year (not in the future) matching the weekday."""
    for year in range(today.year, today.year - 40, -1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:  # 29 February in a non-leap year
            continue
        if candidate > today:
            continue
        if weekday is None:
            return candidate, _("date sans année ni jour de la semaine : la plus récente passée est retenue")
        if candidate.weekday() == weekday:
            return candidate, None
    return None, _("date sans année : aucune année récente ne correspond à son jour de la semaine")


def parse_date(text: str, today: dt.date) -> tuple[dt.date | None, str | None]:
    """The first date in a French text (`Jeudi 23 janvier 2025`, `ce jeudi 5 mars`, 2025-01-23, 23/01/2025)."""
    for pattern in (_DATE_ISO, _DATE_NUM):
        m = pattern.search(text)
        if m:
            try:
                return dt.date(int(m["year"]), int(m["month"]), int(m["day"])), None
            except ValueError:
                pass
    m = _DATE_FR.search(text)
    if not m:
        return None, None
    day = 1 if m["day"].lower() == "1er" else int(m["day"])
    month = MONTH_NUMBERS[fold(m["month"])]
    weekday = WEEKDAY_NUMBERS[fold(m["weekday"])] if m["weekday"] else None
    if m["year"]:
        try:
            date = dt.date(int(m["year"]), month, day)
        except ValueError:
            return None, _("date invalide dans la description : « {date} »", date=m.group(0))
        if weekday is not None and date.weekday() != weekday:
            return date, _(
                "le jour de la semaine de la description ne correspond pas au {date}", date=date.isoformat()
            )
        return date, None
    return resolve_year(day, month, weekday, today)


def _is_word(word: str) -> bool:
    """A capitalised word rather than an acronym: three letters or more, with a vowel (`TECH`, not `BFM`)."""
    return len(word) >= 3 and word.isalpha() and any(fold(c) in "aeiouy" for c in word)


def _tidy_show(show: str) -> str:
    """`SMART TECH` -> `Smart Tech`; acronyms without vowels (`BFM`, `RTL`) are kept in capitals."""
    show = show.strip(" ,.;:-–")
    words = show.split()
    if len(words) > 1 and all(w.isupper() for w in words if any(c.isalpha() for c in w)):
        words = [w.lower() if fold(w) in _ARTICLES else w.capitalize() if _is_word(w) else w for w in words]
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def is_name_like(chunk: str) -> bool:
    """Two to five capitalised words (particles allowed): a person's name."""
    tokens = chunk.split()
    if not 2 <= len(tokens) <= 5:
        return False
    if not _NAME_TOKEN.match(tokens[0]) or not _NAME_TOKEN.match(tokens[-1]):
        return False
    return all(_NAME_TOKEN.match(t) or t.lower() in _PARTICLES for t in tokens)


def _strip_joiners(chunk: str) -> str:
    chunk = chunk.strip(" ,;.")
    return re.sub(r"^(?:et|ainsi que|avec)\s+", "", chunk, flags=re.IGNORECASE).strip()


def parse_guests(text: str) -> tuple[Guest, ...]:
    """Guests from `Nom (rôle, org) , Nom (...) et Nom (...)` or `Nom, rôle de X, Nom, rôle, et Nom, rôle`."""
    if _PARENS_GUEST.search(text):
        guests = []
        for m in _PARENS_GUEST.finditer(text):
            # "X présente un épisode avec Jean Dupuis (…)": the name is what follows the last verb.
            name = _strip_joiners(
                re.split(r"^.*\b(?:avec|reçoit|accueille|invite|présente)\s+|^.*:\s+", m["name"])[-1]
            )
            if is_name_like(name) or (name and name.split()[0][:1].isupper() and len(name.split()) <= 5):
                guests.append(Guest(name=name, role=m["role"].strip() or None))
        if guests:
            return tuple(guests)
    chunks: list[str] = []
    for part in text.split(","):
        # "Nom, rôle de Y et Nom2, rôle": split on " et " only when a name follows.
        pieces = re.split(r"\s+(?:et|ainsi que)\s+(?=[A-ZÀ-Þ])", part)
        for i, piece in enumerate(pieces):
            if i and not is_name_like(_strip_joiners(piece)):
                chunks[-1] += f" et {piece}"
            else:
                chunks.append(piece)
    guests = []
    name: str | None = None
    role: list[str] = []
    for raw in chunks:
        chunk = _strip_joiners(raw)
        if not chunk:
            continue
        if is_name_like(chunk):
            if name:
                guests.append(Guest(name=name, role=", ".join(role) or None))
            name, role = chunk, []
        elif name:
            role.append(chunk)
    if name:
        guests.append(Guest(name=name, role=", ".join(role) or None))
    return tuple(guests)


def _split_trailer(text: str, show_named: bool) -> tuple[str, str]:
    """The guest list and what follows it (`pour parler de ...`, `dans Smart Tech.`)."""
    # A role ends with its clause: at the end of the sentence, or where `, dans l'émission X` begins.
    clause = _CLAUSE_END.search(text)
    if clause:
        text, rest = text[: clause.start()], text[clause.start() :]
        guests, trailer = _split_trailer(text, show_named)
        return guests, f"{trailer} {rest}".strip()
    parts = re.split(
        r"\s+(?:pour (?:parler|évoquer|débattre|discuter)|autour de|au sujet de)\s+", text, maxsplit=1
    )
    guests, trailer = parts[0], (parts[1] if len(parts) > 1 else "")
    where = (
        None
        if show_named
        else re.search(r"\s+(?i:dans|sur le plateau de)\s+(?:l'émission\s+)?[A-Z][^,]*$", guests)
    )
    if where:
        guests, trailer = guests[: where.start()], guests[where.start() :] + " " + trailer
    return guests.rstrip(" ."), trailer


def parse_description(text: str, today: dt.date) -> Description:
    """Show, date, host and guests from one description line."""
    warnings: list[str] = []
    date, warning = parse_date(text, today)
    if warning:
        warnings.append(warning)
    show = host = None
    m = _HOST_VERBS.search(text) or _SHOW_VERBS.search(text)
    if not m and (of := _GUESTS_OF.search(text)):
        show = show_in(text)
        host = of["host"] if of["host"] and is_name_like(of["host"]) else _presenter(text)
        guests = tuple(g for g in parse_guests(of["guests"]) if g.name != host)
        return Description(
            text=text, show=show, date=date, host=host, guests=guests, warnings=tuple(warnings)
        )
    if not m:
        where = _SHOW_IN.search(text)
        show = show_in(text) or (_tidy_show(where["show"]) if where else None)
        # No verb, but a "Nom (rôle)" list ("..., avec Anne Roy (chercheuse) et ..."): still the guests;
        # or a list after "avec" / "Invités :" ("avec Anne Roy, chercheuse, et Luc Petit, maraîcher").
        marker = _GUEST_MARKER.search(text)
        listed = text[marker.end() :] if marker else text
        if marker or _PARENS_GUEST.search(text):
            guests = parse_guests(_split_trailer(listed, show_named=True)[0])
        else:
            guests = ()
        host = _presenter(text)
        guests = tuple(g for g in guests if is_name_like(g.name) and g.name != host)
        return Description(
            text=text, show=show, date=date, host=host, guests=guests, warnings=tuple(warnings)
        )
    before, rest = text[: m.start()], text[m.end() :]
    guest_text, trailer = _split_trailer(rest, show_named=bool(_SHOW_IN.search(before)))
    subject = before.split(",")[-1].strip() if "," in before else before
    subject = _DATE_FR.sub("", subject).strip(" ,.")
    subject = re.sub(r"^(?:ce|cette)\s+", "", subject, flags=re.IGNORECASE).strip()
    subject = re.sub(r"^(?:le podcast|l['’]émission|le magazine)\s+", "", subject, flags=re.IGNORECASE)
    if fold(subject) in _PRONOUNS or not subject[:1].isupper():
        subject = ""
    guest_text = _LEADING_ADVERB.sub("", guest_text)
    # The show is named before the verb ("Dans Smart Tech, ...") or after the guests ("... dans Smart Tech").
    where = _SHOW_IN.search(before) or _SHOW_IN.search(trailer)
    named_show = show_in(text) or (_tidy_show(where["show"]) if where else None)
    if _HOST_VERBS.match(m.group(0)) or (
        named_show and is_name_like(subject) and not subject.isupper() and fold(subject) != fold(named_show)
    ):
        host = subject or None  # "X a reçu", or "X reçoit" when the show is named elsewhere
        show = named_show
    else:
        show = _tidy_show(subject) or named_show
    guests = parse_guests(guest_text)
    host = host or _presenter(text)
    if host:
        guests = tuple(g for g in guests if g.name != host)
    return Description(text=text, show=show, date=date, host=host, guests=guests, warnings=tuple(warnings))


def _presenter(text: str) -> str | None:
    """The host named by "présenté(e) par X" / "animé(e) par X"."""
    m = _PRESENTED.search(text)
    return m["host"] if m and is_name_like(m["host"]) else None


def looks_like_description(line: str) -> bool:
    """A header line that introduces the episode: a date, or a `reçoit` / `a reçu` guest list."""
    return bool(
        _HOST_VERBS.search(line)
        or _SHOW_VERBS.search(line)
        or _GUESTS_OF.search(line)
        or (show_in(line) and _GUEST_MARKER.search(line))
        or _DATE_FR.search(line)
        or _DATE_ISO.search(line)
    )
