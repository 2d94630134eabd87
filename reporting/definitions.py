"""The definition of each indicator, in French and English, as printed in the funder PDF.

docs/indicators.md carries the same sentences (a test checks it), so what a funder reads in
a report and what a developer reads in the documentation cannot drift apart.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    key: str
    fr_name: str
    fr: str
    en_name: str
    en: str


GENERAL_FR = (
    "Période P = [d1, d2], bornes incluses. Un parcours compte dès qu'il a commencé (statut "
    "« en cours » ou « sorti ») ; les personnes sont comptées une fois, même avec plusieurs "
    "parcours. Un parcours est situé dans la commune de son lieu d'activité, à défaut dans "
    "celle de sa structure ; un territoire inclut ses sous-territoires."
)
GENERAL_EN = (
    "Period P = [d1, d2], both bounds included. A parcours counts once started (status "
    "in progress or exited); persons are counted once, even with several parcours. A "
    "parcours lies in the commune of its work site, else of its structure; a territory "
    "includes its sub-territories."
)
SUPPRESSION_FR = (
    "Secret statistique : tout effectif de 1 à 10 est publié « < 11 » ; d'autres cases, "
    "publiées « s », sont masquées pour qu'aucun effectif caché ne puisse être recalculé à "
    "partir des totaux. Un taux n'est publié que si ni son numérateur ni son complément ne "
    "révèle un effectif de 1 à 10. Les chiffres du territoire (totaux, chiffres clés, mois, "
    "catégories de sortie) ne sont publiés que s'ils regroupent au moins 3 structures et "
    "qu'aucune n'en représente plus de 85 % (règle de dominance de l'Insee) ; sinon ils sont "
    "publiés « s ». Les lignes par structure donnent les chiffres propres de chaque "
    "structure, avec la même règle des effectifs de 1 à 10, et aucune structure ne peut, "
    "avec ses propres chiffres, recalculer un petit effectif d'une autre. Les heures "
    "travaillées et les ETP d'une case de 1 à 10 personnes ne sont pas publiés, ni ceux "
    "d'autres cases qui permettraient de les recalculer."
)
SUPPRESSION_EN = (
    'Statistical confidentiality: every count from 1 to 10 is published as "< 11"; other '
    'cells, published as "s", are hidden so that no hidden count can be recomputed from '
    "the totals. A rate is published only when neither its numerator nor its complement "
    "reveals a count from 1 to 10. Territory figures (totals, key figures, months, exit "
    "categories) are published only when they gather at least 3 structures and none makes "
    'more than 85 % of them (INSEE dominance rule); otherwise they are published as "s". '
    "The rows per structure give each structure's own figures, with the same rule for "
    "counts from 1 to 10, and no structure can use its own figures to recompute another's "
    "small count. Hours worked and FTE of a cell of 1 to 10 persons are not published, nor "
    "those of other cells from which they could be recomputed."
)

DEFINITIONS = [
    Definition(
        "accompanied",
        "Personnes accompagnées",
        "Personnes distinctes ayant au moins un parcours commencé au plus tard le d2 et non "
        "sorti avant le d1.",
        "Persons accompanied",
        "Distinct persons with at least one parcours started on or before d2 and not exited "
        "before d1.",
    ),
    Definition(
        "active_at_end",
        "File active en fin de période",
        "Personnes distinctes ayant un parcours commencé au plus tard le d2 et non sorti "
        "avant le d2.",
        "File active at the end of the period",
        "Distinct persons with a parcours started on or before d2 and not exited before d2.",
    ),
    Definition(
        "entries",
        "Entrées",
        "Parcours dont la date d'entrée est dans la période.",
        "Entries",
        "Parcours whose start date lies in the period.",
    ),
    Definition(
        "exits",
        "Sorties",
        "Parcours dont la date de sortie est dans la période.",
        "Exits",
        "Parcours whose exit date lies in the period.",
    ),
    Definition(
        "exits_by_category",
        "Sorties par catégorie",
        "Sorties de la période réparties selon la catégorie DGEFP de la situation à la "
        "sortie : emploi durable, emploi de transition, sortie positive, autre sortie, "
        "sortie neutralisée (retraite, décès, soins, déménagement, incarcération).",
        "Exits by category",
        "Exits of the period by the DGEFP category of the situation at exit: lasting "
        "employment, transition employment, positive exit, other exit, neutralised exit "
        "(retirement, death, health care, moving away, imprisonment).",
    ),
    Definition(
        "dynamic_exit_rate",
        "Taux de sorties dynamiques",
        "(Emploi durable + emploi de transition + sortie positive) / (sorties − sorties "
        "neutralisées) ; non défini quand le dénominateur est nul.",
        "Dynamic exit rate",
        "(Lasting employment + transition employment + positive exit) / (exits − "
        "neutralised exits); undefined when the denominator is zero.",
    ),
    Definition(
        "average_duration_months",
        "Durée moyenne des parcours sortis",
        "Moyenne, sur les sorties de la période, de la durée du parcours (sortie − entrée, "
        "en jours) divisée par 30,4375, en mois.",
        "Average duration of exited parcours",
        "Mean, over the exits of the period, of the parcours length (exit − start, in days) "
        "divided by 30.4375, in months.",
    ),
    Definition(
        "hours_worked",
        "Heures travaillées",
        "Somme des heures travaillées déclarées pour les semaines dont le lundi est dans la "
        "période.",
        "Hours worked",
        "Sum of the hours worked recorded for the weeks whose Monday lies in the period.",
    ),
    Definition(
        "fte",
        "Équivalents temps plein (ETP)",
        "Heures travaillées / 1 607 heures annuelles de référence × (365 / nombre de jours "
        "de la période).",
        "Full-time equivalents (FTE)",
        "Hours worked / 1,607 reference annual hours × (365 / number of days in the period).",
    ),
    Definition(
        "housing_access_rate",
        "Accès au logement (Convergence)",
        "Parmi les sorties de la période dont le logement à l'entrée était connu et n'était "
        "ni un logement autonome ni un logement accompagné, part de celles dont le logement "
        "à la sortie l'est. Une sortie sans logement renseigné à la sortie compte comme non "
        "logée.",
        "Housing access (Convergence)",
        "Among the exits of the period whose housing at entry was known and was neither "
        "independent nor supported housing, the share whose housing at exit is. An exit "
        "without a recorded housing at exit counts as not housed.",
    ),
    Definition(
        "phc_continuation_rate",
        "Suite de parcours après Premières Heures",
        "Sorties Premières Heures de la période vers un CDDI dans l'ACI, un parcours "
        "Convergence ou une autre SIAE / sorties Premières Heures de la période.",
        "Continuation after Premières Heures",
        "Premières Heures exits of the period to a CDDI in the ACI, a Convergence parcours "
        "or another SIAE / Premières Heures exits of the period.",
    ),
    Definition(
        "followup_checks",
        "Contrôles de suivi réalisés",
        "Contrôles de suivi à 6 mois (ou à 12 mois) après la sortie dont la date de "
        "réalisation est dans la période ; ceux des sorties neutralisées ne comptent pas. "
        "« Dont personnes injoignables » : ceux où la personne n'a pas pu être jointe.",
        "Follow-up checks done",
        "Follow-up checks 6 (or 12) months after exit whose date of completion lies in the "
        'period; those of neutralised exits do not count. "Of which unreachable": those '
        "where the person could not be reached.",
    ),
    Definition(
        "followup_employment_rate",
        "En emploi ou en formation à 6 et à 12 mois",
        "Parmi ces contrôles où la personne a été jointe, part de ceux où sa situation "
        "relève de l'emploi durable, de l'emploi de transition ou d'une sortie positive "
        "(formation comprise), selon la typologie des situations de sortie. Les personnes "
        "injoignables sont comptées à part, hors du dénominateur.",
        "In employment or training at 6 and 12 months",
        "Among those checks where the person was reached, the share whose situation is "
        "lasting employment, transition employment or a positive exit (training included), "
        "by the typology of exit situations. Unreachable people are counted apart, outside "
        "the denominator.",
    ),
    Definition(
        "followup_housing_kept_rate",
        "Logement conservé à 12 mois (Convergence)",
        "Parmi les contrôles à 12 mois de la période où la personne a été jointe et dont le "
        "logement à la sortie était un logement autonome ou accompagné, part de ceux où il "
        "l'est encore. Un contrôle sans logement renseigné compte comme non logé.",
        "Housing kept at 12 months (Convergence)",
        "Among the 12-month checks of the period where the person was reached and whose "
        "housing at exit was independent or supported housing, the share where it still "
        "is. A check without a recorded housing counts as not housed.",
    ),
    Definition(
        "referrals",
        "Orientations reçues",
        "Parcours dont la date d'orientation est dans la période.",
        "Referrals received",
        "Parcours whose referral date lies in the period.",
    ),
    Definition(
        "orientation_delay_days",
        "Entrées après orientation et délai moyen",
        "Parcours orientés dont la date d'entrée est dans la période ; délai moyen : "
        "moyenne, en jours, de la date d'entrée moins la date d'orientation.",
        "Entries after referral and average delay",
        "Referred parcours whose start date lies in the period; average delay: mean, in "
        "days, of the start date minus the referral date.",
    ),
    Definition(
        "non_entries",
        "Non-entrées par motif",
        "Orientations closes sans entrée dont la date de décision est dans la période, "
        "réparties selon le motif de non-entrée.",
        "Non-starts by reason",
        "Referrals closed without a start whose decision date lies in the period, by "
        "reason for not starting.",
    ),
    Definition(
        "attainment",
        "Objectif et taux d'atteinte",
        "Objectif du déploiement dont la période est exactement celle du rapport (ceux de "
        "plusieurs déploiements du territoire s'additionnent) ; à défaut, pour les entrées, "
        "les sorties et les heures, la somme des objectifs dont les périodes se suivent sans "
        "trou ni chevauchement du premier au dernier jour du rapport ; sinon, pas d'objectif "
        "pour cette période (un objectif sur une période plus longue, plus courte ou à cheval "
        "n'est pas comparé). Taux d'atteinte = indicateur / objectif.",
        "Target and attainment",
        "The deployment's target whose period is exactly the report's (those of several "
        "deployments of the territory add up); failing that, for entries, exits and hours, "
        "the sum of targets whose periods follow each other without gap or overlap from the "
        "report's first day to its last; otherwise no target for this period (a target over "
        "a longer, shorter or overlapping period is not compared). Attainment = indicator / "
        "target.",
    ),
    Definition(
        "trajectory",
        "Trajectoire et projection",
        "Pour un objectif de personnes accompagnées (ou d'entrées) dont la période [d1, d2] "
        "est celle du rapport : chaque fin de mois m, le chiffre de la période [d1, fin de m] "
        "; le dernier point est celui de toute la période (une entrée datée après le jour de "
        "référence y compte). Jour de référence r : aujourd'hui, ou d2 une fois la période "
        "terminée. Rythme = entrées de [d1, r] / D, D jours écoulés (d1 et r inclus) ; "
        "projection au d2 = chiffre + rythme × (N − D), N jours de la période, arrondie à "
        "l'unité la plus proche (moitié vers le haut) ; chaque entrée à venir compte pour "
        "une personne de plus. Pas de projection avant le début, pendant les 30 premiers "
        "jours, ni une fois la période terminée ; un rythme nul laisse le chiffre inchangé.",
        "Trajectory and projection",
        "For a target of persons accompanied (or entries) whose period [d1, d2] is the "
        "report's: at the end of each month m, the figure of the period [d1, end of m]; the "
        "last point is that of the whole period (an entry dated after the reference day "
        "counts in it). Reference day r: today, or d2 once the period has ended. Pace = "
        "entries of [d1, r] / D, D days elapsed (d1 and r included); projection at d2 = "
        "figure + pace × (N − D), N days in the period, rounded to the nearest unit (halves "
        "up); every entry to come counts as one more person. No projection before the "
        "start, during the first 30 days, or once the period has ended; a zero pace leaves "
        "the figure unchanged.",
    ),
]
