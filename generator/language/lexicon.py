"""French word lists: stopwords, fillers of spoken French, number words, a light stemmer.

Everything here is generic spoken French (how any host opens, hands over, thanks and closes);
nothing comes from the subjects of a particular show.
"""

from __future__ import annotations

import re
import unicodedata

# Function words plus the fillers of spontaneous speech that carry no topic.
_STOPWORDS_TEXT = """
    a à afin ai aie aient aies ait alors as au aucun aucune aujourd aujourd'hui auquel aura aurai auraient
    aurais aurait auras aurez auriez aurions aurons auront aussi autant autre autres aux auxquelles
    auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant b bah bas beaucoup ben bien
    bon bref c ça car ce ceci cela celle celles celui cependant certain certaine certaines certains ces
    cet cette ceux chacun chaque chez ci comme comment d dans de déjà des desquelles desquels dessus deux
    devant devez devrait dire dit doit donc dont du duquel durant e effectivement elle elles en encore
    enfin entre es est et étaient étais était étant été être eu eux évidemment fait faire fais faut fin
    finalement font fois fut g gens grand grande grâce h hein hier i ici il ils j jamais je jusqu jusque
    juste l la là laquelle le lequel les lesquelles lesquels leur leurs lors lorsqu lorsque lui m ma
    mais mal maintenant me même mêmes merci mes mien moi moins mon moment n ne ni non nos notre nous o
    oh on ont ou où ouais oui p par parce parfois pas passe peu peut peuvent peux plupart plus plusieurs
    plutôt pour pourquoi pourrait pouvez pouvons puis puisqu puisque qu quand que quel quelle quelles
    quelqu quelque quelques quels qui quoi r rien s sa sans se selon ses seulement si sien soi soient
    sois soit sommes son sont sous souvent suis suite sur surtout t ta tant te tellement tes toi ton
    tous tout toute toutes très trop truc trucs tu u un une unes uns v va vais valent vas vers voici
    voilà vont vos votre vous vraiment vu y à âge ça ère être
    allez allons bonjour bonsoir bienvenue chose choses coup cas côté effet exemple façon fond genre
    manière point question sens sorte sujet sujets temps vrai vraie idée niveau partie rapport
    peut-être c'est-à-dire est-ce qu'est-ce d'accord voir veut veux voulais voulait vouloir sait savoir
    sais savez pense pensez crois croit dis disait disent dites parle parler parlons parlé aller
    avait ont eu fais faites faisait mettre mis met prend prendre pris donne donner vient venir
    juste justement notamment également vais va simplement certes quand-même absolument totalement
    assez toujours jamais déjà encore ailleurs ainsi après aujourd'hui demain autour là-dessus ceux-ci
    celle-ci celui-ci cela ceci premier première dernier dernière nouveau nouvelle nouveaux nouvelles
    petit petite petits petites gros grosse grands grandes beaucoup énormément
    utilise utiliser utilisé permet permettre permis devient devenir reste rester semble sembler
    arrive arriver faudrait pourra pourrait sera seront serait étaient avons avez ont aura auront
    rôle chose truc manière façon aspect dimension enjeu enjeux problème problèmes question questions
    monde gens personne personnes année années jour jours fois semaine semaines heure heures minute
    minutes part côté cas terme termes suite fin début exemple idée rapport niveau place travers
    """
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())

# Verb forms and words of speech that the stopword list keeps (they do separate topics in
# segmentation) but that no heading wants: auxiliaries, modal and common verbs, time spans, the show.
_FILLERS_TEXT = """
    sera serait seront seraient était étaient avait avaient aurait auront ont font doit doivent peut
    pourrait faut fallait veut voulu train besoin envie compte part fois mois années semaine semaines
    jour jours heure heures personne personnes monde choses gens chose aujourd'hui vois voyez regarde
    regardez dire disons dirais arrive arriver passer passé trouve trouver devenir devient reste rester
    utilise utiliser utilisé permet permettre existe exister change changer parlait demande an ans
    bout lendemain plaisir invitation émission épisode podcast fil heureux ravi contente content sûr
    sûre accord problème moitié total reste fond vie coup depuis pendant dès via parmi malgré hors sauf
    vite ensemble longtemps tard tôt partout
    euro euros dollar dollars centime centimes pourcent kilo kilos tonne tonnes mètre mètres litre litres
    """
FILLERS: frozenset[str] = frozenset(_FILLERS_TEXT.split())

# Numbers in words: figures, never topics on their own ("vingt-trois mille").
NUMBER_WORDS: frozenset[str] = frozenset(
    [
        "zéro",
        "un",
        "une",
        "deux",
        "trois",
        "quatre",
        "cinq",
        "six",
        "sept",
        "huit",
        "neuf",
        "dix",
        "onze",
        "douze",
        "treize",
        "quatorze",
        "quinze",
        "seize",
        "vingt",
        "vingts",
        "trente",
        "quarante",
        "cinquante",
        "soixante",
        "cent",
        "cents",
        "mille",
        "million",
        "millions",
        "milliard",
        "milliards",
        "millier",
        "milliers",
        "centaine",
        "centaines",
        "dizaine",
        "dizaines",
        "et",
    ]
)

_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?", re.UNICODE)


def strip_accents(text: str) -> str:
    """'Été' -> 'Ete': compare words regardless of accents (ASR is inconsistent with them)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def split_words(text: str) -> list[str]:
    """The words of a text, elisions removed ("l'énergie" -> "énergie"), original case kept."""
    out = []
    for match in _WORD.finditer(text):
        word = _ELISION.sub("", match.group(0))
        if word:
            out.append(word)
    return out


def is_stopword(word: str) -> bool:
    """True for function words and speech fillers (case-insensitive)."""
    if len(word) < 3:
        return not (len(word) == 2 and word.isupper())  # keep acronyms such as "IA" or "UE"
    return word.lower() in STOPWORDS


def is_filler(word: str) -> bool:
    """True for verb forms, speech words and numbers that carry no topic in a heading."""
    word = word.lower().replace("’", "'")
    return word in FILLERS or all(part in NUMBER_WORDS for part in word.split("-"))


def stem(word: str) -> str:
    """A crude, deterministic French stem: lower case, no accents, plural and common suffixes cut."""
    w = strip_accents(word.lower())
    for suffix in (
        "ements",
        "ement",
        "ations",
        "ation",
        "ements",
        "ites",
        "ite",
        "euses",
        "euse",
        "eux",
        "iques",
        "ique",
        "ismes",
        "isme",
        "istes",
        "iste",
        "es",
        "s",
        "x",
        "e",
    ):
        if len(w) - len(suffix) >= 4 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def content_stems(text: str) -> list[str]:
    """Stems of the content words of a text (stopwords and short words dropped)."""
    return [stem(w) for w in split_words(text) if not is_stopword(w)]
