"""Host cue patterns of spoken French: how any host opens, hands over, thanks, advertises and closes.

Generic spoken French only; nothing comes from the subjects of a particular show.
"""

from __future__ import annotations

import re


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# A host opens a new subject in this sentence (the boundary is AT it).
OPENING = _rx(
    r"\bon (?:enchaîne|enchaine|embraye|change de|bascule)\b",
    r"\bon passe (?:maintenant )?(?:à|au|aux)\b",
    r"\bon (?:continue|poursuit|termine|finit) (?:maintenant )?(?:avec|par|sur|cette|notre|nos)\b",
    r"\bpassons\b|\benchaînons\b|\benchainons\b|\bcontinuons\b|\bparlons\b|\bterminons\b",
    r"\bon va (?:démarrer|demarrer|commencer|débuter|ouvrir|attaquer|entamer|passer|parler|s'intéresser|enchaîner|terminer|finir|conclure)\b",
    r"\b(?:on|nous) (?:commence|démarre|ouvre|attaque|termine|finit) (?:avec|par|sur|cette)\b",
    r"\b(?:je|j') (?:voulais|voudrais|vais|veux) (?:vous|te|maintenant|qu'on) (?:lancer|parler|emmener|amener|passer|aborder)\b",
    r"\bje voulais (?:vous|te) lancer\b",
    r"\bplace (?:à|au|aux|maintenant)\b",
    r"\b(?:un|l'|d'un|d'une|une|l') ?autres? (?:sujet|thème|dossier|actualité|registre|chose)\b",
    r"\bchangement de (?:sujet|registre|cap|thème)\b|\bsujet suivant\b|\bdernier sujet\b|\bprochain sujet\b",
    r"\b(?:premier|deuxième|second|troisième|dernier|nouveau) (?:sujet|thème|dossier|temps fort)\b",
    r"\bun (?:mot|petit mot) (?:de conclusion|pour conclure|de la fin)\b|\bpour conclure\b|\ben conclusion\b",
    r"\bretour (?:à|au|sur)\b|\b(?:nous|on) (?:sommes|est|voilà) de retour\b|\bnous revoilà\b|\bre-?bonjour\b",
    r"\bc'est l'heure (?:de|du|des)\b|\bil est temps de\b",
)

# A host closes a part or announces what comes next (the boundary is just AFTER it).
CLOSING = _rx(
    r"\bmerci\b[^.?!]{0,80}\b(?:d'avoir|pour (?:votre|ta|vos|tes) (?:présence|participation|éclairage|regard|analyse|temps|réponses?|expertise))",
    # thanks to a guest by full name, ending the sentence ("Merci Jeanne Martin.")
    r"\bmerci,? (?:beaucoup,? |infiniment,? )?(?-i:[A-ZÉÈ][\w-]+ [A-ZÉÈ][\w-]+)\s*[.!]",
    r"\bà suivre\b|\bjuste après\b|\btout de suite après\b|\baprès la pause\b|\bc'est tout de suite\b",
    r"\bon se retrouve (?:tout de suite|juste|dans|après)\b|\bon revient (?:tout de suite|dans|après)\b",
    r"\brestez avec nous\b|\bne (?:quittez|bougez) pas\b|\bà tout de suite\b|\bpetite pause\b",
)

# A guest greeted: a new part starts shortly before this sentence.
GREETING = _rx(
    r"\b(?:bonjour|bonsoir),? (?!à tous|à toutes|tout le monde|et bienvenue)[A-ZÉÈ][\w-]+",
    r"\b[A-ZÉÈ][\w-]+(?: [A-ZÉÈ][\w-]+)?,? bonjour\b",
    r"\bbienvenue,? (?:à vous|à toi|[A-ZÉÈ][\w-]+)",
    r"\b(?:je reçois|nous recevons|on reçoit|on accueille|nous accueillons|j'accueille|nos invités|mes invités|je vous présente)\b",
    r"\b(?:mon|ma|notre) (?:premier |première |prochain |prochaine |dernier |dernière )?invitée?\b",
    r"\bje me tourne (?:vers|maintenant vers)\b|\bà vous la parole\b",
    r"\b(?:qui m'a rejoint|qui nous a rejoints?|est avec nous|sont avec nous|connectée? avec nous|en duplex|en ligne avec nous)\b",
)

# A named rubric of the show opens (general form: "3 questions à", "le rendez-vous des ...").
RUBRIC = _rx(
    r"\b(?:\d+|deux|trois|quatre|cinq) questions (?:à|a)\b",
    r"\b(?:le|notre|votre) rendez-vous (?:de|des|du|avec)\b",
    r"\b(?:la|notre|ma|votre) (?:chronique|rubrique|séquence|revue de presse)\b",
    r"\b(?:le|notre) (?:débat|grand entretien|entretien|décryptage|focus|portrait|point actu|journal|flash)\b",
    r"\bl'invitée? (?:de la semaine|du jour)\b",
)

# The intro's announcement of what is coming.
ANNOUNCE = _rx(
    r"\bbonjour à (?:tous|toutes)\b|\bbonsoir à (?:tous|toutes)\b|\bbienvenue (?:dans|sur|à)\b",
    r"\bau (?:sommaire|programme|menu)\b|\bdans cette (?:édition|émission)\b|\baujourd'hui dans\b",
    r"\bon va (?:parler|s'intéresser|revenir|voir)\b|\bje vous dévoile\b|\bnous ferons\b|\bce sera\b",
)

# The show ends: thanks to everyone, farewells, where to find the show.
FAREWELL = _rx(
    r"\bmerci (?:à tous|à toutes|à vous|de nous avoir|de nous suivre|pour votre fidélité|beaucoup\b)",
    r"\bmerci\b[^.?!]{0,80}\bd'avoir été avec (?:nous|moi)\b",
    r"\bmerci,? (?:beaucoup,? |infiniment,? |encore,? )?(?-i:[A-ZÉÈ])[\w-]+",
    r"\bà (?:très )?bientôt\b|\bau revoir\b|\bà la semaine prochaine\b|\bà demain\b|\bbonne (?:soirée|journée|semaine)\b",
    r"\bon se retrouve (?:la semaine|demain|bientôt|sur|très)\b|\ben podcast\b|\ben replay\b|\bc'était\b",
)

# Sponsor reads and ad breaks.
AD = _rx(
    r"\b(?:page de |la )?pub(?:licité)?\b|\bsponsor(?:isé|isée)?\b|\bpartenaire de (?:cet épisode|l'émission|ce podcast)\b",
    r"\b(?:cet épisode|cette émission|ce podcast|cette édition) (?:est|vous est) "
    r"(?:présentée?|proposée?|offerte?|sponsorisée?)\b|\bcode promo\b",
    r"\b(?:un (?:petit )?mot|une (?:petite |courte )?pause) (?:de|avec) (?:notre|nos) (?:partenaire|sponsor)s?\b",
)

# The sponsor an ad names ("proposée par Fibrolink", "présenté par Librairie Vagabonde"): the lines of
# the same read that name it again ("Fibrolink, un débit garanti...") belong to the break.
SPONSOR = re.compile(r"\bpar ((?:[A-ZÉÈ][\w'’-]+)(?: [A-ZÉÈ][\w'’-]+){0,2})")

# A station or show identification between parts ("vous écoutez ..."): a jingle, never a subject.
JINGLE = _rx(
    r"\bvous (?:écoutez|êtes (?:bien )?(?:sur|dans))\b",
    r"\bsi vous (?:nous )?(?:rejoignez|retrouvez) (?:à l'instant|maintenant|en cours)?",
)

# The host starts the show's first part after the programme ("on commence", "c'est parti").
START = _rx(r"\b(?:on|nous) (?:commence|démarre|y va)\b|\bc'est parti\b|\binstallez-vous\b|\bbonne écoute\b")
