"""A participant's parcours in a programme, and the current one kept by the database."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programmes.models import Deployment, Programme
from sites.models import Structure, WorkSite, derived_link

from ..enums import NonEntryReason, ParcoursStatus, ReferralSource
from .base import StructureOwned, history
from .participant import Participant


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
    referred_by = models.CharField(
        _("orienté·e par"), max_length=16, choices=ReferralSource.choices, blank=True
    )
    referred_on = models.DateField(_("date d'orientation"), null=True, blank=True)
    non_entry_reason = models.CharField(
        _("motif de non-entrée"), max_length=16, choices=NonEntryReason.choices, blank=True
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
            models.CheckConstraint(
                name="parcours_referred_before_start",
                condition=Q(referred_on__isnull=True) | Q(referred_on__lte=F("start_date")),
                violation_error_message=_("L'orientation précède l'entrée."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["structure", "programme", "start_date"],
                name="parcours_structure_prog_start",
            ),
            # The parcours ending in a few days (the edges of free dates on a dashboard:
            # reporting.territory_months).
            models.Index(
                fields=["structure", "programme", "end_date"],
                name="parcours_structure_prog_end",
            ),
            models.Index(fields=["structure", "participant"], name="parcours_structure_part"),
            # The parcours of a programme starting or ending in a few days, whatever their
            # structure: the edges of free dates on the national view (every structure of
            # the country; reporting.territory_months), 96 → 21 ms of their statement.
            models.Index(fields=["programme", "start_date"], name="parcours_prog_start"),
            models.Index(fields=["programme", "end_date"], name="parcours_prog_end"),
            # A dashboard's orientation figures (reporting.outcome_sql) read the referred
            # parcours of the scope up to the period's end, not every parcours of the
            # programme (the IAE région of the national dataset: 12,800 of its 35,000), from
            # the index alone: it holds every column the statement and row-level security
            # read (participant: the transfer policy).
            models.Index(
                fields=["structure", "programme", "referred_on"],
                include=[
                    "participant",
                    "status",
                    "start_date",
                    "end_date",
                    "referred_by",
                    "non_entry_reason",
                    "work_site",
                ],
                name="parcours_struct_prog_referred",
                condition=Q(referred_on__isnull=False),
            ),
            # Each edge week's parcours looked up for its programme and place without a heap
            # fetch (reporting.territory_months: free dates); participant for the transfer
            # policy, which row-level security evaluates on the same row.
            models.Index(
                fields=["structure", "id"],
                include=["programme", "status", "work_site", "participant"],
                name="parcours_structure_id_cover",
            ),
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
