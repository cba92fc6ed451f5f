"""Benchmark: one invented show rewritten in every layout, read back, measured against what was said.

Usage: .venv/bin/python bench/formats.py [--repeat N]

Per layout: % of spoken words lost and added (aligned with difflib on lower-case words), % of words with
the right speaker (labelled layouts), every sentence timed and in order, show and guests found from the
sidecar description, sentence length mean and max (in words).
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from transcript_formats import LAYOUTS, VARIANTS, Show, bare_words, spoken, write  # noqa: E402

from generator.transcript.clean import clean  # noqa: E402
from generator.transcript.fragments import count_words  # noqa: E402
from generator.transcript.ingest import ingest  # noqa: E402
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


def _words(text: str) -> list[str]:
    return bare_words(text)


def measure(layout: str, dest: Path) -> dict[str, object]:
    """Read the layout back and compare with what was said."""
    path = write(UNSEEN, layout, dest, chapters=layout == "webvtt_auto")
    if layout == "scraped_page":  # the page carries its description: no sidecar
        path.with_name(f"{layout}.description").unlink()
    ep = clean(ingest(path, max_bytes=10**7, today=dt.date(2026, 11, 30)))
    said = spoken(UNSEEN)
    # The misheard first name is meant to be repaired: the truth is the description's spelling.
    truth = [(w, s.speaker) for s in said for w in _words(s.text.replace("Stéfane", "Stéphane"))]
    got = [(w, u.speaker) for u in ep.utterances for w in _words(u.text)]
    matcher = difflib.SequenceMatcher(a=[w for w, _ in truth], b=[w for w, _ in got], autojunk=False)
    matched = right = 0
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            matched += 1
            right += truth[block.a + k][1] == got[block.b + k][1]
    starts = [u.start_s for u in ep.utterances]
    lengths = [len(u.text.split()) for u in ep.utterances]
    return {
        "layout": layout,
        "format": ep.format,
        "lost %": 100 * (len(truth) - matched) / len(truth),
        "added %": 100 * (len(got) - matched) / len(truth),
        "speaker %": 100 * right / len(truth) if ALL[layout][3] else None,
        "timed, in order": all(s is not None for s in starts) and starts == sorted(starts),
        "show+guests": ep.show == UNSEEN.name and [g.name for g in ep.guests] == list(UNSEEN.guests),
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
    args = parser.parse_args()
    global UNSEEN
    UNSEEN = replace(UNSEEN, turns=UNSEEN.turns * args.repeat)
    said = spoken(UNSEEN)
    words = sum(count_words(s.text) for s in said)
    print(f"{len(said)} sentences, {words} words, {said[-1].start_s / 60:.1f} min\n")
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for layout in ALL:
            started = time.perf_counter()
            rows.append({**measure(layout, Path(tmp)), "s": time.perf_counter() - started})
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
