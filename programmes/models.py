"""Programmes (with their rules as data), their deployments on territories, and targets."""

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sites.models import Coordination, Funder, Structure, Territory

from .enums import ProgrammeCode, TargetMetric


class Programme(models.Model):
    """An insertion programme and its rule parameters.

    The numbers of domain.md §5 live here as data, so a new programme or a change of rule
    needs no code: duration limits, the weekly-hours band and the post-exit follow-up, and
    which indicators it reports (the `tracks_*` flags, docs/indicators.md).
    """

    code = models.CharField(_("code"), max_length=8, unique=True, choices=ProgrammeCode.choices)
    label = models.CharField(_("libellé"), max_length=200)
    max_months = models.PositiveSmallIntegerField(
        _("durée maximale (mois)"),
        null=True,
        blank=True,
        help_text=_("Au-delà, l'enregistrement est refusé (Convergence : 60)."),
    )
    base_months = models.PositiveSmallIntegerField(
        _("durée sans prolongation (mois)"),
        null=True,
        blank=True,
        help_text=_("Au-delà, une prolongation motivée est exigée (Convergence : 24)."),
    )
    warn_months = models.PositiveSmallIntegerField(
        _("durée au-delà de laquelle avertir (mois)"),
        null=True,
        blank=True,
        help_text=_("Premières Heures : 12."),
    )
    min_weekly_hours = models.DecimalField(
        _("heures hebdo minimales"), max_digits=4, decimal_places=1
    )
    max_weekly_hours = models.DecimalField(
        _("heures hebdo maximales"), max_digits=4, decimal_places=1
    )
    derogation_min_weekly_hours = models.DecimalField(
        _("minimum avec dérogation"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "Plancher autorisé quand une dérogation couvre la date (vide : pas de "
            "dérogation possible)."
        ),
    )
    followup_months = models.PositiveSmallIntegerField(
        _("suivi après sortie (mois)"),
        default=0,
    )
    followup_check_months = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("contrôles de suivi après sortie (mois)"),
        default=list,
        blank=True,
        help_text=_(
            "Mois après la sortie où la situation de la personne est vérifiée "
            "(Convergence : 3, 6 et 12). Vide : aucun contrôle."
        ),
    )
    has_hours_stages = models.BooleanField(
        _("paliers d'heures"),
        default=False,
        help_text=_("Les heures hebdomadaires augmentent par paliers (Premières Heures)."),
    )
    entry_snapshot_days = models.PositiveSmallIntegerField(
        _("délai du diagnostic d'entrée (jours)"),
        default=30,
    )
    # Which indicators of docs/indicators.md the programme reports: flags, not code checks,
    # so that a new programme is set up in the admin. Off by default: a new programme gets
    # the common indicators only until someone says it tracks more.
    tracks_housing = models.BooleanField(
        _("suivi de l'accès au logement"),
        default=False,
        help_text=_(
            "Calcule le taux d'accès au logement des sortants (indicateur "
            "housing_access_rate ; Convergence)."
        ),
    )
    tracks_continuations = models.BooleanField(
        _("suivi des suites de parcours"),
        default=False,
        help_text=_(
            "Calcule la part des sorties vers un CDDI, un parcours Convergence ou une autre "
            "SIAE (indicateur phc_continuation_rate ; Premières Heures en Chantier)."
        ),
    )
    open_to_every_structure = models.BooleanField(
        _("ouvert à toute structure"),
        default=False,
        help_text=_(
            "Proposé dans le tableau de bord de chaque structure, même sans déploiement qui "
            "la liste (programmes de droit commun)."
        ),
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="programme_hours_band_valid",
                condition=Q(min_weekly_hours__gt=0, max_weekly_hours__gte=F("min_weekly_hours")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"


class Deployment(models.Model):
    """A programme run on a territory from a date, by structures, paid for by funders."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="deployments"
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        on_delete=models.PROTECT,
        related_name="deployments",
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    structures = models.ManyToManyField(
        Structure, verbose_name=_("structures"), blank=True, related_name="deployments"
    )
    funders = models.ManyToManyField(
        Funder, verbose_name=_("financeurs"), blank=True, related_name="deployments"
    )

    class Meta:
        verbose_name = _("déploiement")
        verbose_name_plural = _("déploiements")
        ordering = ["programme__code", "territory__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "territory", "start_date"], name="deployment_uniq"
            ),
            models.CheckConstraint(
                name="deployment_dates_ordered",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} × {self.territory}"


class Target(models.Model):
    """A target of a deployment: a value of one indicator over a period."""

    deployment = models.ForeignKey(
        Deployment,
        verbose_name=_("déploiement"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    metric = models.CharField(_("indicateur"), max_length=20, choices=TargetMetric.choices)
    value = models.PositiveIntegerField(_("valeur cible"))
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["deployment", "period_start"]
        constraints = [
            models.CheckConstraint(
                name="target_period_ordered", condition=Q(period_end__gte=F("period_start"))
            ),
            models.UniqueConstraint(
                fields=["deployment", "metric", "period_start", "period_end"],
                name="target_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment} – {self.get_metric_display()} : {self.value}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("La fin doit suivre le début.")})


class CoordinationScope(models.Model):
    """One territory × programme a coordination oversees (aggregates, not persons)."""

    coordination = models.ForeignKey(
        Coordination,
        verbose_name=_("coordination"),
        on_delete=models.CASCADE,
        related_name="scopes",
    )
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("périmètre de coordination")
        verbose_name_plural = _("périmètres de coordination")
        constraints = [
            models.UniqueConstraint(
                fields=["coordination", "territory", "programme"], name="coordscope_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coordination} : {self.programme.code} × {self.territory}"
