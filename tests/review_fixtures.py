"""A draft of an invented show for the review app tests: three quotes with their transcript around them."""

from __future__ import annotations

import datetime as dt
import http.client
from pathlib import Path
from urllib.parse import urlencode

from render_fixtures import NEWSLETTER, provenance

from generator.edition import outbox, rendering
from generator.model import Edition, Guest, Quote, Section, Source, Utterance

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

SOURCE = Source(
    path="/inbox/les-circuits-du-jeudi-2026-05-07.txt",
    sha256="d" * 64,
    show="Les Circuits du jeudi",
    date=dt.date(2026, 5, 7),
    host="Léa Marchetti",
    guests=(Guest("Bastien Roux", "réparateur de téléphones à Nantes"), Guest("Yasmine Haddad", None)),
    source_url="https://audio.exemple.fr/circuits/2026-05-07",
)

# The cleaned transcript: one sentence per utterance, as `clean` leaves it.
TRANSCRIPT = tuple(
    Utterance(text, start, start + 6.0, speaker)
    for start, speaker, text in [
        (300.0, "Léa Marchetti", "Bonsoir à toutes et à tous, bienvenue dans Les Circuits du jeudi."),
        (
            306.0,
            "Léa Marchetti",
            "Ce soir on parle de réparation, avec deux invités qui ont les mains dans le cambouis.",
        ),
        (
            312.0,
            "Bastien Roux",
            "Dans mon atelier, on voit arriver des téléphones de quatre ans comme neufs.",
        ),
        (318.0, "Bastien Roux", "Le problème, ce n'est jamais l'écran, c'est la batterie collée."),
        (324.0, "Léa Marchetti", "Collée, vraiment, avec de la colle ?"),
        (330.0, "Bastien Roux", "Oui, et il faut un pistolet à chaleur pour la décoller sans rien casser."),
        (336.0, "Yasmine Haddad", "La loi européenne va changer ça à partir de l'an prochain."),
        (
            342.0,
            "Yasmine Haddad",
            "Les fabricants devront vendre les pièces pendant sept ans après la dernière vente.",
        ),
        (348.0, "Léa Marchetti", "Sept ans, c'est long pour un téléphone."),
        (354.0, "Yasmine Haddad", "C'est long, mais c'est exactement la durée de vie qu'on devrait viser."),
        (360.0, "Bastien Roux", "Moi je dis aux clients de garder leur vieux chargeur, ça évite un déchet."),
        (366.0, "Léa Marchetti", "Merci à tous les deux, on se retrouve jeudi prochain."),
    ]
)

Q_GLUE = Quote(
    "Le problème, ce n'est jamais l'écran, c'est la batterie collée.", 318.0, "Bastien Roux", True, 3
)
Q_SEVEN = Quote(
    "Les fabricants devront vendre les pièces pendant sept ans après la dernière vente.",
    342.0,
    "Yasmine Haddad",
    True,
    7,
)
Q_LIFE = Quote(
    "C'est long, mais c'est exactement la durée de vie qu'on devrait viser.", 354.0, "Yasmine Haddad", True, 9
)

SECTIONS = (
    Section(
        title="Les batteries collées, cauchemar des réparateurs",
        summary="Bastien Roux décrit les téléphones qui arrivent dans son atelier et la batterie collée qui complique tout.",
        source=SOURCE,
        start_s=312.0,
        end_s=336.0,
        key_points=("Un pistolet à chaleur pour décoller une batterie.",),
        quotes=(Q_GLUE,),
    ),
    Section(
        title="Sept ans de pièces détachées",
        summary="Yasmine Haddad explique l'obligation faite aux fabricants de vendre des pièces pendant sept ans.",
        source=SOURCE,
        start_s=336.0,
        end_s=366.0,
        key_points=("Des pièces vendues sept ans après la dernière vente.",),
        quotes=(Q_SEVEN, Q_LIFE),
        warnings=("point clé sans appui dans la transcription : « la loi entre en vigueur en mars »",),
    ),
)


def edition(style: str = "cybernetica") -> Edition:
    return Edition(
        style=style,
        title="Réparer plutôt que jeter",
        intro="Cette semaine, un réparateur et une juriste racontent ce qui empêche de garder son téléphone.",
        announcement="Voici deux idées pour cette semaine.",
        sections=SECTIONS,
        closing="Et vous, depuis quand avez-vous votre téléphone ?",
        sources=(SOURCE,),
        epigraph=Q_LIFE,
        extractive=False,
        date=dt.date(2026, 5, 8),
    )


def write_review_draft(outbox_dir: Path, *, context: bool = True, removed: bool = True) -> outbox.DraftInfo:
    """The invented show's draft in outbox_dir; its quotes carry their context unless context=False."""
    ed, prov = edition(), provenance()
    rendered = rendering.render(ed, prov, NEWSLETTER, TEMPLATES)
    info = outbox.write_draft(
        outbox_dir, ed, prov, rendered, transcripts={SOURCE.sha256: TRANSCRIPT} if context else None
    )
    if removed:  # as the claim check of issue 14 records them (read defensively by the review app)
        doc = dict(info.doc)
        doc["sections"][1]["removed"] = [
            {"sentence": "La loi entre en vigueur en mars.", "reason": "date absente de la transcription"}
        ]
        doc["removed"] = [{"sentence": "Léa Marchetti a fondé un atelier.", "reason": "relation non étayée"}]
        outbox._replace_doc(info.path, doc)
        info = outbox.load_draft(outbox_dir, info.id)
    return info


class ReviewClient:
    """Raw HTTP against a review server, so tests choose every header (Host, Origin...) themselves;
    `post` sends the server's own Origin unless `headers` says otherwise."""

    def __init__(self, server) -> None:
        self.server = server
        self.port = server.server_address[1]
        self.host = f"127.0.0.1:{self.port}"

    def request(self, method: str, path: str, *, headers: dict | None = None, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        body = urlencode(form).encode() if form is not None else None
        sent = {"Host": self.host}
        if form is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode("utf-8")
        finally:
            conn.close()

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict, **kw):
        headers = {"Origin": f"http://{self.host}", **kw.pop("headers", {})}
        return self.request("POST", path, form=form, headers=headers, **kw)

    @property
    def token(self) -> str:
        return self.server.app.csrf_token
