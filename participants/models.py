"""Participants' files: the person, their parcours, contracts, hours, snapshots, actions, exit.

Every table here is structure-owned: it carries a non-null `structure` foreign key, copied
down from the participant onto every child so scoping (and row-level security) never needs a
join. Unique constraints and indexes start with `structure`.
"""

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programmes.models import Deployment, Programme
from sites.models import Structure, WorkSite, derived_link

from .enums import (
    EXIT_CATEGORY,
    ActionKind,
    ActionTheme,
    BarrierLevel,
    ContractKind,
    DgefpCategory,
    ExitSituation,
    Housing,
    ParcoursStatus,
    Resource,
    Sex,
    SnapshotContext,
)


def history():
    """Trigger-based history of every write (django-pghistory): one append-only event row per
    insert, update and delete, with the request's user and URL as context. A fresh tracker
    set per model (pghistory must not share tracker instances).

    Statement-level triggers (transition tables): the same event rows, but the context is
    attached once per statement. Row-level triggers attach it once per row, through two
    PL/pgSQL exception blocks, i.e. two sub-transactions a row: 57 s of a 58 s import of
    10,000 rows on the national dataset (docs/performance.md)."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        level=pghistory.Statement,
    )


class StructureOwned(models.Model):
    """Base of every structure-owned table: the tenant key and timestamps."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


@history()
class Participant(StructureOwned):
    """A person accompanied by a structure. No social security number (NIR) is ever stored.

    `version` implements optimistic locking: a save must name the version it was read at.
    """

    external_id = models.CharField(
        _("identifiant externe"),
        max_length=64,
        blank=True,
        help_text=_("Identifiant dans le tableur d'origine, pour les imports."),
    )
    last_name = models.CharField(_("nom"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("adresse ou domiciliation"), max_length=300, blank=True)
    orienteur = models.CharField(
        _("orienteur"),
        max_length=200,
        blank=True,
        help_text=_("Maraude, travailleur social ou organisme qui a orienté la personne."),
    )
    pass_iae_number = models.CharField(_("numéro de PASS IAE"), max_length=20, blank=True)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("référent·e"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice_given_on = models.DateField(_("notice d'information remise le"), null=True, blank=True)
    notice_version = models.CharField(_("version de la notice"), max_length=20, blank=True)
    last_contact_on = models.DateField(_("dernier contact"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("participant·e")
        verbose_name_plural = _("participant·es")
        ordering = ["last_name", "first_name"]
        constraints = [
            # Target of the composite foreign keys that keep children in their structure.
            models.UniqueConstraint(
                fields=["structure", "id"], name="participant_structure_id_uniq"
            ),
            models.UniqueConstraint(
                fields=["structure", "external_id"],
                condition=~Q(external_id=""),
                name="participant_structure_external_id_uniq",
            ),
        ]
        indexes = [
            models.Index(
                fields=["structure", "last_name", "first_name"], name="participant_structure_name"
            ),
            models.Index(fields=["structure", "birth_date"], name="participant_structure_birth"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"


@history()
class Parcours(StructureOwned):
    """A participant's path in one programme, from start to exit.

    `warnings` holds the *warn* rules the last save raised (code → French message), so the
    file and lists can show them without recomputing.
    """

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant·e"),
        on_delete=models.CASCADE,
        related_name="parcours",
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    deployment = models.ForeignKey(
        Deployment,
        verbose_name=_("déploiement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    work_site = models.ForeignKey(
        WorkSite,
        verbose_name=_("lieu d'activité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=ParcoursStatus.choices,
        default=ParcoursStatus.EN_COURS,
    )
    start_date = models.DateField(_("date d'entrée"))
    end_date = models.DateField(_("date de sortie"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("parcours précédent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_parcours",
        help_text=_("Suite de parcours : par exemple Premières Heures puis Convergence."),
    )
    prolongation_reason = models.TextField(
        _("motif de prolongation"),
        blank=True,
        help_text=_("Obligatoire au-delà de la durée sans prolongation du programme."),
    )
    warnings = models.JSONField(_("alertes"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                name="parcours_end_after_start",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                violation_error_message=_("La date de sortie doit suivre la date d'entrée."),
            ),
            models.UniqueConstraint(
                fields=["structure", "participant", "programme"],
                condition=Q(end_date__isnull=True) & Q(status__in=["ORIENTE", "EN_COURS"]),
                name="parcours_one_open_per_programme",
                violation_error_message=_(
                    "Cette personne a déjà un parcours ouvert dans ce programme."
                ),
            ),
            # The status machine and the dates agree: only an exited parcours has an end.
            models.CheckConstraint(
                name="parcours_status_matches_end",
                condition=Q(status="SORTI", end_date__isnull=False)
                | Q(status__in=["ORIENTE", "EN_COURS"], end_date__isnull=True)
                | Q(status="NON_ENTRE"),
            ),
            models.UniqueConstraint(fields=["structure", "id"], name="parcours_structure_id_uniq"),
        ]
        indexes = [
            models.Index(
                fields=["structure", "programme", "start_date"],
                name="parcours_structure_prog_start",
            ),
            models.Index(fields=["structure", "participant"], name="parcours_structure_part"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} – {self.participant} ({self.start_date:%d/%m/%Y})"


class CurrentParcours(models.Model):
    """Each participant's current parcours — the open one, else the most recently ended —
    with what the participant list shows and filters on.

    Maintained by PostgreSQL, never by the application: statement triggers on
    `participants_parcours` recompute the row of every participant a statement touched
    (migration 0009_current_parcours), under a per-participant advisory lock so that
    concurrent writers recompute one after the other from committed data. The list joins
    this one row instead of evaluating nine correlated sub-queries per person. Derived data:
    no history, no foreign-key constraints (the triggers keep it consistent, and a
    participant without parcours has no row).
    """

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant·e"),
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="current",
    )
    structure = derived_link(Structure, _("structure"))
    parcours = derived_link("Parcours", _("parcours"))
    programme = derived_link(Programme, _("programme"))
    status = models.CharField(_("statut"), max_length=10, choices=ParcoursStatus.choices)
    work_site = derived_link(WorkSite, _("lieu d'activité"), null=True)
    start_date = models.DateField(_("date d'entrée"))
    end_date = models.DateField(_("date de sortie"), null=True)
    warnings = models.JSONField(_("alertes"), default=dict)

    class Meta:
        verbose_name = _("parcours actuel")
        verbose_name_plural = _("parcours actuels")
        indexes = [
            models.Index(fields=["structure", "status"], name="currentparcours_struct_status"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.parcours_id}"


@history()
class Contract(StructureOwned):
    """A work contract of a parcours; the employer differs from the host for an AI placement."""

    parcours = models.ForeignKey(
        Parcours, verbose_name=_("parcours"), on_delete=models.CASCADE, related_name="contracts"
    )
    kind = models.CharField(
        _("type"), max_length=24, choices=ContractKind.choices, default=ContractKind.CDDI
    )
    employer = models.ForeignKey(
        Structure, verbose_name=_("employeur"), on_delete=models.PROTECT, related_name="+"
    )
    host = models.ForeignKey(
        Structure,
        verbose_name=_("structure d'accueil"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    placement_company = models.CharField(
        _("entreprise utilisatrice"),
        max_length=200,
        blank=True,
        help_text=_("Pour une mise à disposition par une AI."),
    )
    start_date = models.DateField(_("début"))
    planned_end_date = models.DateField(_("fin prévue"), null=True, blank=True)
    actual_end_date = models.DateField(_("fin effective"), null=True, blank=True)
    weekly_hours = models.DecimalField(_("heures hebdomadaires"), max_digits=4, decimal_places=1)
    derogation_from = models.DateField(_("dérogation horaire du"), null=True, blank=True)
    derogation_to = models.DateField(_("dérogation horaire au"), null=True, blank=True)

    class Meta:
        verbose_name = _("contrat")
        verbose_name_plural = _("contrats")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(name="contract_hours_positive", condition=Q(weekly_hours__gt=0)),
            models.CheckConstraint(
                name="contract_end_after_start",
                condition=(
                    Q(actual_end_date__isnull=True) | Q(actual_end_date__gte=F("start_date"))
                ),
            ),
            models.CheckConstraint(
                name="contract_derogation_ordered",
                condition=(
                    Q(derogation_from__isnull=True, derogation_to__isnull=True)
                    | Q(
                        derogation_from__isnull=False,
                        derogation_to__isnull=False,
                        derogation_to__gte=F("derogation_from"),
                    )
                ),
            ),
        ]
        indexes = [models.Index(fields=["structure", "parcours"], name="contract_structure_parc")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.start_date:%d/%m/%Y}"


@history()
class HoursStage(StructureOwned):
    """A palier of weekly hours of a Premières Heures parcours, from a date."""

    parcours = models.ForeignKey(
        Parcours, verbose_name=_("parcours"), on_delete=models.CASCADE, related_name="stages"
    )
    start_date = models.DateField(_("à partir du"))
    weekly_hours = models.DecimalField(_("heures hebdomadaires"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("palier d'heures")
        verbose_name_plural = _("paliers d'heures")
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "parcours", "start_date"], name="hoursstage_uniq"
            ),
            models.CheckConstraint(
                name="hoursstage_hours_positive", condition=Q(weekly_hours__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekly_hours} h/sem. dès le {self.start_date:%d/%m/%Y}"


@history()
class WorkedHours(StructureOwned):
    """Hours worked by a parcours in one ISO week (`week_start` is that week's Monday)."""

    parcours = models.ForeignKey(
        Parcours,
        verbose_name=_("parcours"),
        on_delete=models.CASCADE,
        related_name="worked_hours",
    )
    work_site = models.ForeignKey(
        WorkSite,
        verbose_name=_("lieu d'activité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    week_start = models.DateField(_("semaine du"))
    hours = models.DecimalField(_("heures travaillées"), max_digits=5, decimal_places=2)
    paid_hours = models.DecimalField(
        _("heures payées"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    absence_hours = models.DecimalField(
        _("heures d'absence"), max_digits=5, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("heures travaillées")
        verbose_name_plural = _("heures travaillées")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "parcours", "week_start"], name="workedhours_uniq"
            ),
            models.CheckConstraint(
                name="workedhours_monday", condition=Q(week_start__iso_week_day=1)
            ),
            models.CheckConstraint(
                name="workedhours_range",
                condition=Q(hours__gte=0, hours__lte=60, absence_hours__gte=0),
            ),
        ]
        indexes = [
            models.Index(fields=["structure", "week_start"], name="workedhours_structure_week"),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h, semaine du {self.week_start:%d/%m/%Y}"


def _barrier(label) -> models.CharField:
    """One barrier's level field (the snapshot has one per enums.Barrier code)."""
    return models.CharField(
        label, max_length=10, choices=BarrierLevel.choices, default=BarrierLevel.AUCUN
    )


@history()
class SituationSnapshot(StructureOwned):
    """The person's situation at a date: at entry, during follow-up or at exit.

    Barriers are one level field each; health, addictions and justice are sensitive data
    (GDPR art. 9 and 10) shown only with the sensitive-data permission.
    """

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant·e"),
        on_delete=models.CASCADE,
        related_name="snapshots",
    )
    parcours = models.ForeignKey(
        Parcours,
        verbose_name=_("parcours"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="snapshots",
    )
    date = models.DateField(_("date"))
    context = models.CharField(_("moment"), max_length=8, choices=SnapshotContext.choices)
    housing = models.CharField(
        _("situation de logement"), max_length=16, choices=Housing.choices, default=Housing.INCONNU
    )
    street_history = models.BooleanField(_("a connu un parcours de rue"), default=False)
    resources = ArrayField(
        models.CharField(max_length=20, choices=Resource.choices),
        verbose_name=_("ressources"),
        default=list,
        blank=True,
    )
    barrier_logement = _barrier(_("frein logement"))
    barrier_sante_physique = _barrier(_("frein santé physique"))
    barrier_sante_psychique = _barrier(_("frein santé psychique"))
    barrier_addictions = _barrier(_("frein addictions"))
    barrier_mobilite = _barrier(_("frein mobilité"))
    barrier_justice = _barrier(_("frein justice"))
    barrier_administratif = _barrier(_("frein administratif / accès aux droits"))
    barrier_budget = _barrier(_("frein budget / dettes"))
    barrier_langue = _barrier(_("frein langue"))
    barrier_numerique = _barrier(_("frein numérique"))
    barrier_famille = _barrier(_("frein famille / garde d'enfants"))
    has_health_insurance = models.BooleanField(_("couverture maladie"), default=False)
    has_complementary = models.BooleanField(_("complémentaire santé"), default=False)
    has_gp = models.BooleanField(_("médecin traitant"), default=False)
    has_rqth = models.BooleanField(_("RQTH"), default=False)
    has_aah = models.BooleanField(_("AAH"), default=False)

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["-date"]
        indexes = [
            models.Index(
                fields=["structure", "participant", "date"], name="snapshot_structure_part_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_context_display()} – {self.date:%d/%m/%Y}"


@history()
class AccompanimentAction(StructureOwned):
    """An accompaniment action on a parcours. The note is confidential and must stay factual."""

    parcours = models.ForeignKey(
        Parcours, verbose_name=_("parcours"), on_delete=models.CASCADE, related_name="actions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("type d'action"), max_length=28, choices=ActionKind.choices)
    theme = models.CharField(_("thème"), max_length=12, choices=ActionTheme.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=60)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur·e"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    partner = models.CharField(_("partenaire"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("action d'accompagnement")
        verbose_name_plural = _("actions d'accompagnement")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                name="action_duration_bounded",
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=24 * 60),
            ),
        ]
        indexes = [
            models.Index(
                fields=["structure", "parcours", "date"], name="action_structure_parc_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.date:%d/%m/%Y}"


def _exit_category_condition() -> Q:
    condition = Q()
    for category in DgefpCategory.values:
        situations = [code for code, cat in EXIT_CATEGORY.items() if cat == category]
        condition |= Q(dgefp_category=category, situation__in=situations)
    return condition


@history()
class Exit(StructureOwned):
    """The exit (sortie) of a parcours: its date equals the parcours end date.

    `dgefp_category` is derived from the detailed situation and stored so reporting can
    group by it in SQL.
    """

    parcours = models.OneToOneField(
        Parcours, verbose_name=_("parcours"), on_delete=models.CASCADE, related_name="exit"
    )
    date = models.DateField(_("date de sortie"))
    situation = models.CharField(
        _("situation à la sortie"), max_length=24, choices=ExitSituation.choices
    )
    dgefp_category = models.CharField(
        _("catégorie DGEFP"), max_length=20, choices=DgefpCategory.choices, editable=False
    )
    followup_until = models.DateField(_("suivi après sortie jusqu'au"), null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("sortie")
        verbose_name_plural = _("sorties")
        ordering = ["-date"]
        constraints = [
            # The detailed situation is known and its DGEFP category is the right one.
            models.CheckConstraint(
                name="exit_category_known",
                condition=_exit_category_condition(),
            ),
            models.CheckConstraint(
                name="exit_followup_after_exit",
                condition=Q(followup_until__isnull=True) | Q(followup_until__gte=F("date")),
            ),
        ]
        indexes = [models.Index(fields=["structure", "date"], name="exit_structure_date")]

    def __str__(self) -> str:
        return f"{self.get_situation_display()} – {self.date:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        self.dgefp_category = EXIT_CATEGORY.get(self.situation, "")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # Derived before constraints are validated by full_clean().
        self.dgefp_category = EXIT_CATEGORY.get(self.situation, "")


class ImportJob(StructureOwned):
    """A spreadsheet uploaded for import: its content until written, its report, its progress.

    One job per structure and file content (`sha256`): uploading the same file twice (a double
    click, a retry) finds the same job (quality.md R3). The content lives in the database —
    never under a served folder nor under the user's file name — and is emptied once the
    import is written; `filename` is only shown back to people.
    """

    class Status(models.TextChoices):
        ANALYSED = "ANALYSED", _("Analysé, en attente de validation")
        RUNNING = "RUNNING", _("Import en cours")
        DONE = "DONE", _("Importé")
        FAILED = "FAILED", _("Interrompu")

    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    filename = models.CharField(_("nom du fichier"), max_length=200)
    kind = models.CharField(_("format"), max_length=4)
    content = models.BinaryField(_("contenu"), editable=False)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.ANALYSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report = models.JSONField(_("rapport d'analyse"), default=dict, blank=True)
    result = models.JSONField(_("rapport d'import"), default=dict, blank=True)
    rows_total = models.PositiveIntegerField(_("lignes"), default=0)
    rows_done = models.PositiveIntegerField(_("lignes traitées"), default=0)
    batches_done = models.PositiveIntegerField(_("lots écrits"), default=0)
    failure = models.CharField(_("cause de l'interruption"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("import de tableur")
        verbose_name_plural = _("imports de tableurs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "sha256"], name="importjob_file_uniq"),
            models.CheckConstraint(
                name="importjob_progress_bounded", condition=Q(rows_done__lte=F("rows_total"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%d/%m/%Y})"

    @property
    def percent(self) -> int:
        return 100 * self.rows_done // self.rows_total if self.rows_total else 0
