"""Benchmark: one invented show rewritten in every layout, read back, measured against what was said.

Usage: .venv/bin/python bench/formats.py [--show pieds|silicium] [--repeat N]

Per layout: % of spoken words lost and added (aligned with difflib on lower-case words), % of words with
the right speaker (labelled layouts), every sentence timed and in order, show and guests found from the
sidecar description, sentence length mean and max (in words).
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from transcript_formats import LAYOUTS, VARIANTS, Show, bare_words, spoken, write  # noqa: E402

from generator.transcript.cleaning import clean  # noqa: E402
from generator.transcript.fragments import count_words  # noqa: E402
from generator.transcript.ingestion import ingest  # noqa: E402
from generator.transcript.inspection import word_counts  # noqa: E402

ALL = {**LAYOUTS, **VARIANTS}
HOST, G1, G2 = "Claire Bonnet", "Stéphane Martin", "Inès Amrani"
UNSEEN = Show(
    name="Les Pieds sur Terre",
    description=(
        "Bienvenue dans Les Pieds sur Terre. Cette semaine, Claire Bonnet accueille Stéphane Martin, "
        "maraîcher bio dans la Drôme, et Inès Amrani, ingénieure agronome à l'INRAE. "
        "Abonnez-vous pour ne rien manquer."
    ),
    host=HOST,
    guests=(G1, G2),
    turns=(
        (HOST, ("Bonjour à toutes et à tous, bienvenue dans Les Pieds sur Terre.",
                "Aujourd'hui on parle de l'eau, celle qui manque dans les champs depuis trois étés.",
                "Avec moi, Stéfane Martin, maraîcher dans la Drôme, et Inès Amrani, ingénieure agronome.")),
        (G1, ("Bonjour Claire.", "Chez nous, la rivière a été à sec six semaines en août.",
              "On a perdu presque un tiers des tomates, et les courges n'ont pas tenu.")),
        (HOST, ("Inès, est-ce que c'est une exception ou la nouvelle norme ?",)),
        (G2, ("Ça devient la norme, malheureusement.",
              "Les nappes se rechargent moins l'hiver, parce qu'il pleut plus fort mais moins souvent.",
              "L'eau ruisselle au lieu de s'infiltrer, et elle part directement vers la mer.",
              "Les agronomes le répètent depuis vingt ans.", "Ils l'ont dit.", "Ils l'ont dit.")),
        (G1, ("Et nous, on l'a vu venir sans savoir quoi faire.",
              "Alors on a commencé à couvrir le sol avec de la paille et du foin broyé.",
              "Le paillage garde l'humidité, la terre reste fraîche même en plein mois de juillet.")),
        (HOST, ("Ça coûte cher, le paillage ?",)),
        (G1, ("Moins qu'on ne le croit.", "Le foin vient d'un voisin éleveur, on échange contre des légumes.",
              "Le vrai coût, c'est le temps : deux jours de travail par hectare au printemps.")),
        (G2, ("Et les résultats sont mesurables.",
              "Dans nos essais, un sol paillé perd deux fois moins d'eau qu'un sol nu.",
              "On gagne aussi en vie du sol : les vers de terre reviennent en deux saisons.")),
        (HOST, ("Stéphane, vous avez aussi creusé une mare, je crois ?",)),
        (G1, ("Oui, une mare de quatre cents mètres cubes, en bas de la parcelle.",
              "Elle récupère l'eau des orages qui, avant, emportait la terre.",
              "Il a fallu un an de paperasse, mais elle a sauvé nos semis cette année.")),
        (G2, ("C'est exactement ce qu'on recommande : ralentir l'eau, la répandre, l'infiltrer.",
              "Des haies, des mares, des sols couverts, ce sont des solutions simples et anciennes.")),
        (HOST, ("Merci à tous les deux.",
                "C'était Les Pieds sur Terre, on se retrouve la semaine prochaine pour parler des semences paysannes.")),
    ),
)  # fmt: skip


# A second show, other voices: hyphenated and particle names, figures, « quotes », a chapter list in
# its description, "OK. OK." said twice.
H2, A2, B2 = "Marie-Hélène Dubois-Lefèvre", "Kévin N'Diaye", "Jean-Baptiste de La Roche"
SILICIUM = Show(
    name="Silicium",
    description=("Silicium, le magazine tech de Radio Vallée. Ce jeudi 6 novembre, Marie-Hélène Dubois-Lefèvre "
                 "reçoit Kévin N'Diaye, développeur chez OpenFactory, et Jean-Baptiste de La Roche, "
                 "maître de conférences en droit du numérique à Lyon 3, pour parler du règlement européen sur "
                 "l'IA. Chapitres :\n00:00 Intro\n02:10 L'AI Act\n"),
    host=H2,
    guests=(A2, B2),
    turns=(
        (H2, ("Bonsoir, vous écoutez Silicium, le magazine tech de Radio Vallée.",
              "Au programme : l'AI Act, 113 articles, 13 annexes, et beaucoup de questions.",
              "Kévin, vous développez des modèles de langage ; qu'est-ce qui change pour vous ?")),
        (A2, ("Concrètement ? Pas grand-chose avant 2026.",
              "Mais les « modèles à usage général » devront publier un résumé de leurs données d'entraînement…",
              "Et ça, c'est 10^25 FLOPs, le seuil du risque systémique, qui fait débat.", "OK.", "OK.")),
        (B2, ("Je nuance un peu : le texte est entré en vigueur le 1er août 2024.",
              "Les interdictions s'appliquent depuis février 2025 — la notation sociale, par exemple.",
              "C'est-à-dire que l'État ne peut plus noter ses citoyens, point.")),
        (H2, ("Jean-Baptiste, et les sanctions ?",)),
        (B2, ("Jusqu'à 35 millions d'euros ou 7 % du chiffre d'affaires mondial.",
              "C'est plus que le RGPD, qui plafonne à 4 %.")),
        (A2, ("Pour une start-up de douze personnes, c'est vertigineux.",
              "On a recruté une juriste à mi-temps, rien que pour ça.")),
        (H2, ("Merci à vous deux. Silicium revient jeudi prochain, même heure.",)),
    ),
)  # fmt: skip
SHOWS = {"pieds": UNSEEN, "silicium": SILICIUM}


def _words(text: str) -> list[str]:
    return bare_words(text)


def measure(layout: str, dest: Path, show: Show | None = None) -> dict[str, object]:
    """Read the layout back and compare with what was said."""
    show = show or UNSEEN
    path = write(show, layout, dest, chapters=layout == "webvtt_auto")
    if layout == "scraped_page":  # the page carries its description: no sidecar
        path.with_name(f"{layout}.description").unlink()
    ep = clean(ingest(path, max_bytes=10**7, today=dt.date(2026, 11, 30)))
    said = spoken(show)
    # The misheard first name is meant to be repaired: the truth is the description's spelling.
    truth = [(w, s.speaker) for s in said for w in _words(s.text.replace("Stéfane", "Stéphane"))]
    got = [(w, u.speaker) for u in ep.utterances for w in _words(u.text)]
    got_start = [u.start_s for u in ep.utterances for _ in _words(u.text)]
    matcher = difflib.SequenceMatcher(a=[w for w, _ in truth], b=[w for w, _ in got], autojunk=False)
    matched = right = 0
    where: dict[int, int] = {}  # truth word -> output word
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            matched += 1
            right += truth[block.a + k][1] == got[block.b + k][1]
            where[block.a + k] = block.b + k
    # Each spoken sentence's start against the start of the output sentence holding its first word.
    errors, first = [], 0
    for s in said:
        n = len(_words(s.text))
        if first in where and got_start[where[first]] is not None:
            errors.append(abs(got_start[where[first]] - s.start_s))
        first += n
    starts = [u.start_s for u in ep.utterances]
    lengths = [len(u.text.split()) for u in ep.utterances]
    return {
        "layout": layout,
        "format": ep.format,
        "lost %": 100 * (len(truth) - matched) / len(truth),
        "added %": 100 * (len(got) - matched) / len(truth),
        "speaker %": 100 * right / len(truth) if ALL[layout][3] else None,
        "timed, in order": all(s is not None for s in starts) and starts == sorted(starts),
        "time err s (median/max)": f"{statistics.median(errors):.1f}/{max(errors):.1f}",
        "show+guests": ep.show == show.name and [g.name for g in ep.guests] == list(show.guests),
        "mean words": sum(lengths) / len(lengths),
        "max words": max(lengths),
        "words in/kept/noise": "{words_in}/{words_kept}/{words_noise}".format(**word_counts(ep)),
        "name fixes": ", ".join(f"{f.wrong}->{f.right}" for f in ep.name_fixes),
        "chapters": len(ep.chapters),
    }


def main() -> None:
    """Print one markdown table row per layout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="say the show N times in a row (a longer show)")
    parser.add_argument("--show", choices=sorted(SHOWS), default="pieds")
    args = parser.parse_args()
    show = SHOWS[args.show]
    show = replace(show, turns=show.turns * args.repeat)
    said = spoken(show)
    words = sum(count_words(s.text) for s in said)
    print(f"{show.name}: {len(said)} sentences, {words} words, {said[-1].start_s / 60:.1f} min\n")
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for layout in ALL:
            started = time.perf_counter()
            rows.append({**measure(layout, Path(tmp), show), "s": time.perf_counter() - started})
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join("---" for _ in cols) + "|")
    for row in rows:
        cells = []
        for c in cols:
            v = row[c]
            cells.append("–" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v))
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
