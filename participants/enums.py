"""Reference lists of domain.md §4 as TextChoices, codes as given, French labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    F = "F", _("Femme")
    M = "M", _("Homme")


class ParcoursStatus(models.TextChoices):
    """Status machine: ORIENTE → EN_COURS → SORTI, or ORIENTE → NON_ENTRE."""

    ORIENTE = "ORIENTE", _("Orienté·e")
    NON_ENTRE = "NON_ENTRE", _("Non entré·e")
    EN_COURS = "EN_COURS", _("En cours")
    SORTI = "SORTI", _("Sorti·e")


# Allowed transitions of the parcours status machine.
PARCOURS_TRANSITIONS: dict[str, set[str]] = {
    ParcoursStatus.ORIENTE: {ParcoursStatus.EN_COURS, ParcoursStatus.NON_ENTRE},
    ParcoursStatus.EN_COURS: {ParcoursStatus.SORTI},
    ParcoursStatus.NON_ENTRE: set(),
    ParcoursStatus.SORTI: set(),
}
# A parcours counts in indicators once started (domain.md §6).
COUNTED_STATUSES = [ParcoursStatus.EN_COURS, ParcoursStatus.SORTI]


class ContractKind(models.TextChoices):
    CDDI = "CDDI", _("CDDI")
    AI_MISE_A_DISPOSITION = "AI_MISE_A_DISPOSITION", _("Mise à disposition (AI)")
    CDD_USAGE = "CDD_USAGE", _("CDD d'usage")
    OTHER = "OTHER", _("Autre")


class Housing(models.TextChoices):
    RUE = "RUE", _("À la rue / abri de fortune")
    HU_NUIT = "HU_NUIT", _("Hébergement d'urgence de nuit (115)")
    CHU = "CHU", _("Centre d'hébergement d'urgence")
    HOTEL = "HOTEL", _("Hôtel social / nuitées hôtelières")
    CHRS = "CHRS", _("Centre d'hébergement et de réinsertion sociale")
    DNA = "DNA", _("Hébergement demandeurs d'asile (CADA, HUDA, CPH)")
    TIERS = "TIERS", _("Hébergé chez un tiers")
    SQUAT = "SQUAT", _("Squat")
    LOG_ACCOMPAGNE = (
        "LOG_ACCOMPAGNE",
        _("Logement accompagné (résidence sociale, pension de famille, intermédiation locative)"),
    )
    INSTITUTION = "INSTITUTION", _("Hôpital / détention / institution")
    LOG_AUTONOME = "LOG_AUTONOME", _("Logement autonome")
    INCONNU = "INCONNU", _("Non renseigné")


class HousingGroup(models.TextChoices):
    """Convergence's five housing groups."""

    RUE = "RUE", _("Rue")
    PRECAIRE = "PRECAIRE", _("Hébergement précaire")
    COLLECTIF = "COLLECTIF", _("Hébergement collectif")
    SEMI_DURABLE = "SEMI_DURABLE", _("Semi-durable")
    AUTONOME = "AUTONOME", _("Autonome")


HOUSING_GROUP = {
    Housing.RUE: HousingGroup.RUE,
    Housing.HU_NUIT: HousingGroup.PRECAIRE,
    Housing.HOTEL: HousingGroup.PRECAIRE,
    Housing.TIERS: HousingGroup.PRECAIRE,
    Housing.SQUAT: HousingGroup.PRECAIRE,
    Housing.INSTITUTION: HousingGroup.PRECAIRE,
    Housing.CHU: HousingGroup.COLLECTIF,
    Housing.CHRS: HousingGroup.COLLECTIF,
    Housing.DNA: HousingGroup.COLLECTIF,
    Housing.LOG_ACCOMPAGNE: HousingGroup.SEMI_DURABLE,
    Housing.LOG_AUTONOME: HousingGroup.AUTONOME,
}
# Housing that counts as "accessed" in the housing-access indicator.
HOUSED = [Housing.LOG_AUTONOME, Housing.LOG_ACCOMPAGNE]


class Resource(models.TextChoices):
    RSA = "RSA", _("RSA (non majoré)")
    RSA_MAJORE = "RSA_MAJORE", _("RSA majoré")
    ASS = "ASS", _("ASS")
    AAH = "AAH", _("AAH")
    ARE = "ARE", _("ARE (allocation chômage)")
    ADA = "ADA", _("ADA (demandeur d'asile)")
    PENSION_INVALIDITE = "PENSION_INVALIDITE", _("Pension d'invalidité")
    RETRAITE = "RETRAITE", _("Retraite / ASPA")
    SALAIRE = "SALAIRE", _("Salaire")
    SANS_RESSOURCES = "SANS_RESSOURCES", _("Sans ressources")
    AUTRE = "AUTRE", _("Autre")


class BarrierLevel(models.TextChoices):
    AUCUN = "AUCUN", _("Aucun")
    PARTIEL = "PARTIEL", _("Partiel")
    IMPORTANT = "IMPORTANT", _("Important")


class Barrier(models.TextChoices):
    """Freins périphériques; the snapshot has one `barrier_<code>` level field per entry."""

    LOGEMENT = "logement", _("Logement")
    SANTE_PHYSIQUE = "sante_physique", _("Santé physique")
    SANTE_PSYCHIQUE = "sante_psychique", _("Santé psychique")
    ADDICTIONS = "addictions", _("Addictions")
    MOBILITE = "mobilite", _("Mobilité")
    JUSTICE = "justice", _("Justice")
    ADMINISTRATIF = "administratif", _("Administratif / accès aux droits")
    BUDGET = "budget", _("Budget / dettes")
    LANGUE = "langue", _("Langue (FLE, illettrisme)")
    NUMERIQUE = "numerique", _("Numérique")
    FAMILLE = "famille", _("Famille / garde d'enfants")


# GDPR art. 9 and 10: shown only with the sensitive-data permission.
SENSITIVE_BARRIERS = [
    Barrier.SANTE_PHYSIQUE,
    Barrier.SANTE_PSYCHIQUE,
    Barrier.ADDICTIONS,
    Barrier.JUSTICE,
]


class SnapshotContext(models.TextChoices):
    ENTREE = "ENTREE", _("Entrée")
    SUIVI = "SUIVI", _("Suivi")
    SORTIE = "SORTIE", _("Sortie")


class ActionKind(models.TextChoices):
    ENTRETIEN_INDIVIDUEL = "ENTRETIEN_INDIVIDUEL", _("Entretien individuel")
    ACCOMPAGNEMENT_PROXIMITE = "ACCOMPAGNEMENT_PROXIMITE", _("Accompagnement de proximité")
    ACCOMPAGNEMENT_CONCERTE = "ACCOMPAGNEMENT_CONCERTE", _("Accompagnement concerté")
    MOBILISATION_PARTENAIRE = "MOBILISATION_PARTENAIRE", _("Mobilisation d'un partenaire")
    SYNTHESE = "SYNTHESE", _("Synthèse")
    AUTRE = "AUTRE", _("Autre")


class ActionTheme(models.TextChoices):
    EMPLOI = "EMPLOI", _("Emploi")
    LOGEMENT = "LOGEMENT", _("Logement")
    SANTE = "SANTE", _("Santé")
    DROITS = "DROITS", _("Droits")
    FORMATION = "FORMATION", _("Formation")
    MOBILITE = "MOBILITE", _("Mobilité")
    JUSTICE = "JUSTICE", _("Justice")
    BUDGET = "BUDGET", _("Budget")
    AUTRE = "AUTRE", _("Autre")


class DgefpCategory(models.TextChoices):
    EMPLOI_DURABLE = "EMPLOI_DURABLE", _("Emploi durable")
    EMPLOI_TRANSITION = "EMPLOI_TRANSITION", _("Emploi de transition")
    SORTIE_POSITIVE = "SORTIE_POSITIVE", _("Sortie positive")
    AUTRE_SORTIE = "AUTRE_SORTIE", _("Autre sortie")
    NEUTRALISEE = "NEUTRALISEE", _("Sortie neutralisée")


DYNAMIC_CATEGORIES = [
    DgefpCategory.EMPLOI_DURABLE,
    DgefpCategory.EMPLOI_TRANSITION,
    DgefpCategory.SORTIE_POSITIVE,
]


class ExitSituation(models.TextChoices):
    CDI = "CDI", _("CDI")
    CDD_6M_PLUS = "CDD_6M_PLUS", _("CDD de 6 mois ou plus")
    INTERIM_6M_PLUS = "INTERIM_6M_PLUS", _("Intérim de 6 mois ou plus")
    FONCTION_PUBLIQUE = "FONCTION_PUBLIQUE", _("Titularisation dans la fonction publique")
    CREATION_ENTREPRISE = "CREATION_ENTREPRISE", _("Création d'entreprise")
    CDD_MOINS_6M = "CDD_MOINS_6M", _("CDD de moins de 6 mois")
    INTERIM_MOINS_6M = "INTERIM_MOINS_6M", _("Intérim de moins de 6 mois")
    CONTRAT_AIDE = "CONTRAT_AIDE", _("Contrat aidé hors IAE")
    FORMATION = "FORMATION", _("Formation qualifiante ou pré-qualifiante")
    AUTRE_SIAE = "AUTRE_SIAE", _("Embauche dans une autre SIAE")
    SUITE_CDDI = "SUITE_CDDI", _("Suite de parcours : CDDI dans l'ACI")
    SUITE_CVG = "SUITE_CVG", _("Suite de parcours : Convergence")
    CHOMAGE = "CHOMAGE", _("Chômage")
    INACTIVITE = "INACTIVITE", _("Inactivité")
    SANS_NOUVELLES = "SANS_NOUVELLES", _("Sans nouvelles")
    ABANDON = "ABANDON", _("Abandon")
    RETRAITE = "RETRAITE", _("Retraite")
    DECES = "DECES", _("Décès")
    SOIN = "SOIN", _("Maladie longue / parcours de soin")
    DEMENAGEMENT = "DEMENAGEMENT", _("Déménagement")
    INCARCERATION = "INCARCERATION", _("Incarcération")


_S = ExitSituation
_C = DgefpCategory
EXIT_CATEGORY: dict[str, str] = {
    **dict.fromkeys(
        [_S.CDI, _S.CDD_6M_PLUS, _S.INTERIM_6M_PLUS, _S.FONCTION_PUBLIQUE, _S.CREATION_ENTREPRISE],
        _C.EMPLOI_DURABLE,
    ),
    **dict.fromkeys([_S.CDD_MOINS_6M, _S.INTERIM_MOINS_6M, _S.CONTRAT_AIDE], _C.EMPLOI_TRANSITION),
    **dict.fromkeys([_S.FORMATION, _S.AUTRE_SIAE, _S.SUITE_CDDI, _S.SUITE_CVG], _C.SORTIE_POSITIVE),
    **dict.fromkeys([_S.CHOMAGE, _S.INACTIVITE, _S.SANS_NOUVELLES, _S.ABANDON], _C.AUTRE_SORTIE),
    **dict.fromkeys(
        [_S.RETRAITE, _S.DECES, _S.SOIN, _S.DEMENAGEMENT, _S.INCARCERATION], _C.NEUTRALISEE
    ),
}
# Premières Heures exits that continue the parcours (phc_continuation_rate).
PHC_CONTINUATIONS = [_S.SUITE_CDDI, _S.SUITE_CVG, _S.AUTRE_SIAE]


class ReferralSource(models.TextChoices):
    """Who referred (orienta) the person to the structure."""

    MARAUDE = "MARAUDE", _("Maraude")
    SIAO = "SIAO", _("SIAO")
    SPIP = "SPIP", _("SPIP (justice)")
    FRANCE_TRAVAIL = "FRANCE_TRAVAIL", _("France Travail")
    CCAS = "CCAS", _("CCAS / service social")
    TRANSFERT = "TRANSFERT", _("Transfert d'une autre structure")
    AUTRE = "AUTRE", _("Autre")


class NonEntryReason(models.TextChoices):
    """Why an oriented person never started (ORIENTE → NON_ENTRE)."""

    INJOIGNABLE = "INJOIGNABLE", _("Personne injoignable ou absente aux rendez-vous")
    REFUS = "REFUS", _("Refus de la personne")
    INADAPTEE = "INADAPTEE", _("Orientation inadaptée au programme")
    SANTE = "SANTE", _("Problème de santé")
    AUTRE_SOLUTION = (
        "AUTRE_SOLUTION",
        _("Autre solution trouvée (emploi, formation, autre dispositif)"),
    )
    DEPART = "DEPART", _("Départ du territoire ou changement d'hébergement")
    PLACES = "PLACES", _("Pas de place disponible")
    AUTRE = "AUTRE", _("Autre")


# "Aujourd'hui" (participants/today.py): the kinds of things to do, and which duration rule
# a parcours approaches.
class TodayKind(models.TextChoices):
    FOLLOWUP_CHECK = "followup", _("Suivi après sortie")
    PARCOURS_LIMIT = "limit", _("Durée de parcours")
    ENTRY_DIAGNOSIS = "diagnosis", _("Diagnostic d'entrée")
    HOURS_MISSING = "hours", _("Heures de la semaine passée")
    CONTRACT_ENDING = "contract", _("Fin de contrat")
    NO_CONTACT = "contact", _("Sans contact")
    ORIENTATION = "orientation", _("Orientation en attente")
    NO_REFERENT = "referent", _("Sans référent·e")


class LimitKind(models.TextChoices):
    """Which duration rule of the programme a parcours approaches (docs/domain.md §5)."""

    WARN = "warn", _("durée d'alerte")
    BASE = "base", _("durée sans prolongation")
    MAX = "max", _("durée maximale")
