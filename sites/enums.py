"""Reference codes of the organisations' side (domain.md §1–§3), with French labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeoKind(models.TextChoices):
    PAYS = "PAYS", _("Pays")
    REGION = "REGION", _("Région")
    DEPARTEMENT = "DEPARTEMENT", _("Département")
    EPCI = "EPCI", _("EPCI")
    COMMUNE = "COMMUNE", _("Commune")


class StructureKind(models.TextChoices):
    ACI = "ACI", _("Atelier et chantier d'insertion")
    AI = "AI", _("Association intermédiaire")
    EI = "EI", _("Entreprise d'insertion")
    ETTI = "ETTI", _("Entreprise de travail temporaire d'insertion")
    EITI = "EITI", _("Entreprise d'insertion par le travail indépendant")
    GEIQ = "GEIQ", _("Groupement d'employeurs pour l'insertion et la qualification")
    OTHER = "OTHER", _("Autre")


class FunderKind(models.TextChoices):
    ETAT_DGCS = "ETAT_DGCS", _("État – DGCS")
    ETAT_DDETS = "ETAT_DDETS", _("État – DDETS")
    ETAT_DGEFP = "ETAT_DGEFP", _("État – DGEFP")
    REGION = "REGION", _("Région")
    DEPARTEMENT = "DEPARTEMENT", _("Département")
    EPCI = "EPCI", _("EPCI")
    COMMUNE = "COMMUNE", _("Commune")
    FONDATION = "FONDATION", _("Fondation")
    FSE = "FSE", _("Fonds social européen")
    AUTRE = "AUTRE", _("Autre")


class Role(models.TextChoices):
    CASEWORKER = "CASEWORKER", _("Accompagnant·e")
    MANAGER = "MANAGER", _("Direction de structure")
    COORDINATOR = "COORDINATOR", _("Coordination")
    FUNDER = "FUNDER", _("Financeur")
