"""A synthetic French talk show (our own text): intro, three topics with host transitions, outro."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from generator.model import Episode, Guest, Utterance


class SubjectEmbedder:
    """A fake embedder for known subjects: one direction per subject (the first subject a sentence names),
    the last direction for sentences that name none, plus a little seeded noise."""

    def __init__(self, subjects: Mapping[str, Sequence[str]], *, dim: int, seed: int, name: str) -> None:
        self.subjects, self.dim, self.seed, self.name = subjects, dim, seed, name

    def embed(self, texts):
        rng = np.random.default_rng(self.seed)
        basis = np.eye(self.dim)
        out = []
        for t in texts:
            hits = [i for i, words in enumerate(self.subjects.values()) if any(w in t for w in words)]
            v = basis[hits[0] if hits else self.dim - 1] + 0.3 * rng.standard_normal(self.dim)
            out.append(v / np.linalg.norm(v))
        return np.array(out)


INTRO = [
    "Bonjour à tous et bienvenue dans La Matinale des curieux.",
    "Au sommaire aujourd'hui, le vélo en ville, le pain au levain et les comètes.",
    "Trois sujets, trois invités, on va parler de tout ça ensemble.",
]
BIKE = [
    "Mais on va démarrer avec le vélo, et avec Claire Dumoulin, urbaniste.",
    "Bonjour Claire Dumoulin, merci d'être avec nous pour parler des pistes cyclables.",
    "Les pistes cyclables se multiplient dans les grandes villes depuis cinq ans.",
    "Les cyclistes réclament des voies séparées des voitures et des bus.",
    "À Lyon, le trafic à vélo a doublé sur les axes équipés de pistes protégées.",
    "Le vélo électrique change la donne pour les trajets domicile travail en pente.",
    "Les communes financent des parkings à vélos sécurisés près des gares.",
    "Un cycliste sur trois dit avoir déjà été frôlé par une voiture.",
    "Les carrefours restent le point noir de la sécurité des cyclistes.",
    "Les vélos cargos permettent aussi de livrer des colis en centre-ville.",
    "Les pistes cyclables temporaires sont souvent devenues définitives.",
    "Les commerçants craignaient de perdre des clients, ils en ont gagné.",
    "Le casque n'est obligatoire que pour les enfants à vélo.",
    "Les plans vélo des métropoles visent des réseaux continus de pistes.",
    "Le stationnement des vélos dans les immeubles anciens reste difficile.",
    "Merci beaucoup Claire Dumoulin d'avoir été avec nous.",
]
BREAD = [
    "On enchaîne avec la boulangerie et le retour du pain au levain.",
    "Le levain est un mélange de farine et d'eau qui fermente plusieurs jours.",
    "Les boulangers artisanaux pétrissent la pâte lentement pour garder les arômes.",
    "La fermentation longue rend le pain plus digeste et plus savoureux.",
    "Une baguette de tradition ne contient que farine, eau, sel et levure.",
    "Le four à bois donne une croûte épaisse et une mie alvéolée.",
    "Les farines anciennes de petit épeautre reviennent chez les meuniers.",
    "Le prix de la farine a fortement augmenté avec le coût du blé.",
    "Beaucoup de boulangeries peinent à recruter des apprentis boulangers.",
    "Le pain se conserve mieux enveloppé dans un torchon en lin.",
    "Les viennoiseries au beurre représentent une grande part du chiffre.",
    "La pâte doit reposer une nuit au frais avant la cuisson du matin.",
    "Un bon pain de campagne garde sa fraîcheur pendant trois jours.",
    "Les concours de la meilleure baguette attirent des centaines de boulangers.",
]
SKY = [
    "On passe maintenant à l'astronomie avec une comète visible à l'œil nu.",
    "Les astronomes observent la comète chaque nuit depuis l'observatoire.",
    "Sa queue de poussière et de glace s'étire sur des millions de kilomètres.",
    "Un petit télescope suffit pour distinguer le noyau de la comète.",
    "Il faut s'éloigner des lumières des villes pour voir les étoiles.",
    "La comète reviendra près du Soleil dans plusieurs milliers d'années.",
    "Les planètes Vénus et Jupiter brillent aussi à l'ouest après le coucher du soleil.",
    "Les clubs d'astronomie organisent des nuits d'observation ouvertes à tous.",
    "Une carte du ciel aide à repérer les constellations de l'hiver.",
    "Les photographes du ciel utilisent des poses longues sur trépied.",
    "La Lune gêne l'observation les nuits de pleine lune.",
    "Les sondes spatiales ont déjà traversé la chevelure d'une comète.",
    "Les étoiles filantes sont des poussières qui brûlent dans l'atmosphère.",
    "L'observatoire prête des télescopes aux écoles de la région.",
]
AD_BREAK = [
    "Cet épisode vous est proposé par Jardins Futés, la pépinière en ligne.",
    "Avec le code promo MATINALE, vous avez dix pour cent sur vos plantes.",
    "Jardins Futés livre partout en France en quarante-huit heures.",
    "Rendez-vous sur leur site, c'est le partenaire de ce podcast.",
]
OUTRO = [
    "Merci à tous de nous avoir suivis.",
    "On se retrouve la semaine prochaine, à bientôt.",
]
STEP_S = 16.0  # seconds between sentence starts


def show_parts(*, ad: bool = False) -> list[list[str]]:
    """The parts of the show, in order (an ad break before the last topic if asked)."""
    if ad:
        sky = ["Et nous sommes de retour, avec l'astronomie et une comète visible à l'œil nu.", *SKY[1:]]
        bread = [*BREAD, "Petite pause, on se retrouve juste après."]  # the teaser closes the part
        return [INTRO, BIKE, bread, AD_BREAK, sky, OUTRO]
    return [INTRO, BIKE, BREAD, SKY, OUTRO]


def make_episode(*, timed: bool = True, step: float = STEP_S, ad: bool = False) -> Episode:
    """The whole show as a cleaned Episode, one sentence every `step` seconds (or untimed)."""
    utts = []
    t = 0.0
    for part in show_parts(ad=ad):
        for text in part:
            utts.append(Utterance(text=text, start_s=t if timed else None))
            t += step if len(text) > 40 else step / 2
    return Episode(
        path="fixture.txt",
        sha256="0" * 64,
        format="plain",
        encoding="utf-8",
        utterances=tuple(utts),
        show="La Matinale des curieux",
        guests=(Guest("Claire Dumoulin", "urbaniste"),),
        cleaned=True,
    )


def true_starts(episode: Episode, *, ad: bool = False) -> list[float]:
    """Start time of each part after the first (the reference boundaries)."""
    starts, index = [], 0
    for part in show_parts(ad=ad)[:-1]:
        index += len(part)
        starts.append(episode.utterances[index].start_s)
    return starts


def to_srt(episode: Episode) -> str:
    """The episode as an SRT file (for CLI tests through the real ingest)."""

    def stamp(s: float) -> str:
        ms = int(round(s * 1000))
        h, rest = divmod(ms, 3_600_000)
        m, rest = divmod(rest, 60_000)
        sec, ms = divmod(rest, 1000)
        return f"{h:02d}:{m:02d}:{sec:02d},{ms:03d}"

    blocks = []
    utts = episode.utterances
    for i, u in enumerate(utts):
        end = utts[i + 1].start_s if i + 1 < len(utts) else u.start_s + 4
        blocks.append(f"{i + 1}\n{stamp(u.start_s)} --> {stamp(end - 0.1)}\n{u.text}\n")
    return "\n".join(blocks)
