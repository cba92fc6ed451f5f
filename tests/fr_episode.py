"""A hand-written French episode (our own text) for the summarise/compose/quote tests."""

from __future__ import annotations

import datetime as dt

from generator.model import Episode, Guest, Segment, Utterance

# (start_s, text): cleaned sentences of an invented show about local energy and a bakery start-up.
SENTENCES = [
    (0.0, "Bonjour à tous et bienvenue dans Octets et Croissants, votre rendez-vous du lundi."),
    (
        6.0,
        "Avec moi aujourd'hui, Maëlle Kerbrat, directrice de la coopérative Watt'Else, et Bastien Oyono, fondateur de Pétrin Numérique.",
    ),
    (15.0, "Maëlle Kerbrat, votre coopérative vient d'annoncer un chiffre étonnant ?"),
    (
        20.0,
        "Oui, nous avons installé 420 panneaux solaires sur les toits des écoles du canton en dix-huit mois.",
    ),
    (
        29.0,
        "Et franchement, je crois que l'énergie locale, c'est la meilleure assurance contre les coupures de l'hiver.",
    ),
    (38.0, "Les familles ont vu leur facture baisser de 12 % en moyenne."),
    (44.0, "Le département a mis 3 millions d'euros sur la table pour la deuxième tranche."),
    (52.0, "On compte aussi sur les habitants, qui peuvent prendre des parts à partir de cinquante euros."),
    (60.0, "Ce n'est pas un gadget, c'est une centrale électrique éparpillée sur cent toits."),
    (68.0, "Passons à tout autre chose, la boulangerie connectée."),
    (73.0, "Bastien Oyono, pourquoi mettre des capteurs dans un fournil ?"),
    (
        78.0,
        "Parce qu'un boulanger perd en moyenne 8 % de sa farine à cause de l'humidité, et personne ne le mesure.",
    ),
    (87.0, "Nos capteurs coûtent 90 euros et se remboursent en trois mois."),
    (94.0, "Je le dis souvent : le pain, c'est de la chimie lente, et la chimie lente adore les données."),
    (
        103.0,
        "Nous équipons déjà 250 boulangeries en Bretagne et nous levons deux millions d'euros cet automne.",
    ),
    (112.0, "Merci à tous les deux, on se retrouve lundi prochain."),
]

HOST = "Lucie Ferrand"
GUESTS = (
    Guest("Maëlle Kerbrat", "directrice de la coopérative Watt'Else"),
    Guest("Bastien Oyono", "fondateur de Pétrin Numérique"),
)


def make_episode(*, speakers: dict[int, str] | None = None, path: str = "octets-2025-03-10.txt") -> Episode:
    """The invented episode; `speakers` labels some sentences (index -> name)."""
    speakers = speakers or {}
    utterances = []
    for i, (start, text) in enumerate(SENTENCES):
        end = SENTENCES[i + 1][0] if i + 1 < len(SENTENCES) else start + 5.0
        utterances.append(Utterance(text=text, start_s=start, end_s=end, speaker=speakers.get(i)))
    return Episode(
        path=path,
        sha256="0" * 64,
        format="scraped",
        encoding="utf-8",
        utterances=tuple(utterances),
        show="Octets et Croissants",
        date=dt.date(2025, 3, 10),
        host=HOST,
        guests=GUESTS,
        description="Lundi 10 mars 2025, Octets et Croissants reçoit Maëlle Kerbrat et Bastien Oyono",
        cleaned=True,
    )


def make_segments() -> list[Segment]:
    """Intro, two topics, outro."""
    return [
        Segment(0, 0, 2, 0.0, 15.0, "Ouverture", kind="intro"),
        Segment(1, 2, 9, 15.0, 68.0, "Énergie locale"),
        Segment(2, 9, 15, 68.0, 112.0, "Boulangerie connectée"),
        Segment(3, 15, 16, 112.0, 117.0, "Clôture", kind="outro"),
    ]
