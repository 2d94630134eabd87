"""Frozen funder reports: the figures of a deployment × period as published at one moment."""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Deployment
from sites.models import derived_link


class ReportStatus(models.TextChoices):
    PENDING = "PENDING", _("En attente")
    RUNNING = "RUNNING", _("En cours de génération")
    DONE = "DONE", _("Prêt")
    FAILED = "FAILED", _("Échec")


class Frozen(models.Model):
    """What a frozen report and a funder pack share: a public id, the period they are
    frozen for (by its stable code and its bounds), who asked and when."""

    uuid = models.UUIDField(_("identifiant"), default=uuid.uuid4, unique=True, editable=False)
    period_code = models.CharField(_("période"), max_length=32)
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("figé le"), auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def period_label(self) -> str:
        """The period as people name it ("année 2021"), from its stable code."""
        from .periods import parse

        try:
            return str(parse(self.period_code).label)
        except ValueError:
            return self.period_code


class ReportSnapshot(Frozen):
    """A funder report, frozen: its published figures are stored once and never recomputed.

    `figures` holds the published document (small counts already suppressed, no person)
    and `figures_sha256` its fingerprint, printed in the PDF. The PDF is rendered from
    `figures` alone, in the background, so the same snapshot renders the same PDF next year
    even after the underlying files have changed.
    """

    deployment = models.ForeignKey(
        Deployment,
        verbose_name=_("déploiement"),
        on_delete=models.PROTECT,
        related_name="report_snapshots",
    )
    figures = models.JSONField(_("chiffres publiés"))
    figures_sha256 = models.CharField(_("empreinte SHA-256 des chiffres"), max_length=64)
    # When the rendering was last queued (at the freeze, again at each retry): a report
    # still pending or running REPORT_STALLED_AFTER_MINUTES later is stalled.
    queued_at = models.DateTimeField(_("mis en file le"), default=timezone.now)
    status = models.CharField(
        _("état"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64, blank=True)
    error = models.CharField(_("erreur"), max_length=300, blank=True)
    # The funder pack it was frozen for, whose hash its PDF prints (None: a report alone).
    pack = models.ForeignKey(
        "reporting.FunderPack",
        verbose_name=_("dossier financeur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="snapshots",
    )

    class Meta:
        verbose_name = _("rapport financeur figé")
        verbose_name_plural = _("rapports financeurs figés")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="reportsnapshot_period_ordered",
                condition=models.Q(period_end__gte=models.F("period_start")),
            ),
            models.CheckConstraint(
                name="reportsnapshot_progress_percent", condition=models.Q(progress__lte=100)
            ),
        ]
        indexes = [
            models.Index(fields=["deployment", "-created_at"], name="reportsnap_dep_created"),
        ]

    def __str__(self) -> str:
        return f"{self.deployment} – {self.period_code}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def is_stalled(self) -> bool:
        """Still pending or running `REPORT_STALLED_AFTER_MINUTES` after it was queued."""
        return not self.is_finished and self.queued_at < stalled_before()

    @property
    def may_retry(self) -> bool:
        """A stalled or failed rendering may be queued again (`report_snapshot_retry`)."""
        return self.status == ReportStatus.FAILED or self.is_stalled


class FunderPack(Frozen):
    """A funder's pack for one period: a frozen report of every deployment it funds.

    `sha256` fingerprints the pack: the SHA-256 of the canonical JSON of the funder, the
    period and each report's deployment and figures' SHA-256
    (`reporting.packs.pack_document`). Every PDF of the pack and its XLSX print it, and
    the pack page lists it with each file's own SHA-256, so an auditor can check a file
    they were sent.
    """

    funder = models.ForeignKey(
        "sites.Funder",
        verbose_name=_("financeur"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sha256 = models.CharField(_("empreinte SHA-256 du dossier"), max_length=64)

    class Meta:
        verbose_name = _("dossier financeur")
        verbose_name_plural = _("dossiers financeurs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["funder", "-created_at"], name="funderpack_funder_created")]

    def __str__(self) -> str:
        return f"{self.funder_id} – {self.period_code}"


def stalled_before():
    """A rendering queued before this moment and not finished is stalled."""
    return timezone.now() - dt.timedelta(minutes=settings.REPORT_STALLED_AFTER_MINUTES)


class HoursByMonth(models.Model):
    """Hours worked per parcours and calendar month (the month of the week's Monday).

    Maintained by PostgreSQL, never by the application: statement triggers on
    `participants_workedhours` add every insert's, update's and delete's difference to the
    month rows in the same transaction (migration 0002_hours_by_month), so the table is
    exact whatever writes the weeks (screens, imports, rights erasure, the admin). The
    dashboards read it for periods made of whole months: about a quarter of the rows of the
    weekly table. `parcours_id` is a plain id, not a foreign key: the rows follow the weeks
    (a month whose hours drop to zero is deleted), whatever order a cascade deletes in.
    """

    structure = models.ForeignKey(
        "sites.Structure",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique index below starts with it
    )
    parcours_id = models.BigIntegerField(_("parcours"))
    month = models.DateField(_("mois"))
    hours = models.DecimalField(_("heures travaillées"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("heures travaillées par mois")
        verbose_name_plural = _("heures travaillées par mois")
        constraints = [
            # Carries the hours so that a period's sum is read from the index alone.
            models.UniqueConstraint(
                fields=["structure", "parcours_id", "month"],
                include=["hours"],
                name="hoursbymonth_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h, {self.month:%m/%Y}"


class TerritoryYear(models.Model):
    """The figures of one structure's parcours of one programme, in one territory
    (sub-territories included), over one calendar year: the national view's rows, and the
    territory dashboard's table and monthly series for a calendar year.

    A cache the database keeps exact: statement triggers on the parcours, the exits, the
    weekly hours, the situation snapshots, the work sites' and structures' communes only
    append the structure to `TerritoryYearStale`; whoever reads the figures first
    recomputes the stale structures of its scope (reporting.territory_years). Writers never
    wait for it. A territory's figures are the sums of its structures' rows: a participant
    belongs to one structure, so distinct people add up. Years after
    `TerritoryYearCoverage.through_year` are computed live.
    """

    programme = derived_link("programmes.Programme", _("programme"))
    year = models.PositiveSmallIntegerField(_("année"))
    territory = derived_link("sites.Territory", _("territoire"))
    structure = derived_link("sites.Structure", _("structure"))
    accompanied = models.PositiveIntegerField(_("personnes accompagnées"))
    active_at_end = models.PositiveIntegerField(_("présentes en fin de période"))
    entries = models.PositiveIntegerField(_("entrées"))
    exits = models.PositiveIntegerField(_("sorties"))
    exits_by_category = models.JSONField(_("sorties par catégorie"), default=dict)
    dynamic_exits = models.PositiveIntegerField(_("sorties dynamiques"))
    duration_days = models.PositiveBigIntegerField(_("jours de parcours des sortants"))
    phc_continuations = models.PositiveIntegerField(_("poursuites après Premières Heures"))
    hours_worked = models.DecimalField(_("heures travaillées"), max_digits=14, decimal_places=2)
    housing_denominator = models.PositiveIntegerField(_("sortants sans logement à l'entrée"))
    housing_numerator = models.PositiveIntegerField(_("sortants logés parmi eux"))
    entries_by_month = ArrayField(models.PositiveIntegerField(), size=12)
    exits_by_month = ArrayField(models.PositiveIntegerField(), size=12)

    class Meta:
        verbose_name = _("chiffres annuels d'une structure dans un territoire")
        verbose_name_plural = _("chiffres annuels des structures par territoire")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "territory", "structure"],
                name="territoryyear_uniq",
            ),
        ]
        indexes = [models.Index(fields=["structure"], name="territoryyear_structure")]

    def __str__(self) -> str:
        return f"{self.structure_id} × {self.territory_id}, {self.year}"


class TerritoryMonth(models.Model):
    """The figures of one structure's parcours of one programme, in one territory
    (sub-territories included), over one calendar month: what any period made of whole
    months (a quarter, a semester, a July-to-June year) is summed from.

    Kept exact like `TerritoryYear` (the same writes mark the structure stale, in
    `TerritoryMonthStale`; `reporting_territory_month_refresh` recomputes them). Additive
    figures (entries, exits and their categories, days, continuations, housing, hours) add
    up over the months; `active_at_end` is read from the period's last month; the distinct
    people of several months are `accompanied` of the first month, plus `run_starts` of the
    later ones (people counted in a month and not in the one before), minus the gaps lying
    between two of them (`TerritoryMonthGap`). reporting.territory_months reads them.
    """

    programme = derived_link("programmes.Programme", _("programme"))
    month = models.DateField(_("mois"))  # its first day
    territory = derived_link("sites.Territory", _("territoire"))
    structure = derived_link("sites.Structure", _("structure"))
    accompanied = models.PositiveIntegerField(_("personnes accompagnées"))
    run_starts = models.PositiveIntegerField(_("personnes absentes le mois précédent"))
    active_at_end = models.PositiveIntegerField(_("présentes en fin de mois"))
    entries = models.PositiveIntegerField(_("entrées"))
    exits = models.PositiveIntegerField(_("sorties"))
    # In the order of figures.CATEGORY_CODES.
    exits_by_category = ArrayField(
        models.PositiveIntegerField(), verbose_name=_("sorties par catégorie")
    )
    dynamic_exits = models.PositiveIntegerField(_("sorties dynamiques"))
    duration_days = models.PositiveBigIntegerField(_("jours de parcours des sortants"))
    phc_continuations = models.PositiveIntegerField(_("poursuites après Premières Heures"))
    hours_worked = models.DecimalField(_("heures travaillées"), max_digits=14, decimal_places=2)
    housing_denominator = models.PositiveIntegerField(_("sortants sans logement à l'entrée"))
    housing_numerator = models.PositiveIntegerField(_("sortants logés parmi eux"))

    class Meta:
        verbose_name = _("chiffres mensuels d'une structure dans un territoire")
        verbose_name_plural = _("chiffres mensuels des structures par territoire")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "territory", "month", "structure"],
                name="territorymonth_uniq",
            ),
        ]
        indexes = [models.Index(fields=["structure"], name="territorymonth_structure")]

    def __str__(self) -> str:
        return f"{self.structure_id} × {self.territory_id}, {self.month:%m/%Y}"


class TerritoryMonthGap(models.Model):
    """How many people of a structure, programme and territory were counted in
    `last_month`, then in no month until `next_month` (at least one month between): a
    period holding both months counts each of them once, not twice."""

    programme = derived_link("programmes.Programme", _("programme"))
    territory = derived_link("sites.Territory", _("territoire"))
    structure = derived_link("sites.Structure", _("structure"))
    last_month = models.DateField(_("dernier mois avant l'interruption"))
    next_month = models.DateField(_("premier mois après l'interruption"))
    people = models.PositiveIntegerField(_("personnes"))

    class Meta:
        verbose_name = _("interruption de parcours dans les chiffres mensuels")
        verbose_name_plural = _("interruptions de parcours dans les chiffres mensuels")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "territory", "structure", "last_month", "next_month"],
                name="territorymonthgap_uniq",
            ),
        ]
        indexes = [models.Index(fields=["structure"], name="territorymonthgap_structure")]

    def __str__(self) -> str:
        return f"{self.structure_id} × {self.territory_id}, {self.last_month} → {self.next_month}"


class TerritoryWeek(models.Model):
    """The hours worked in one week (by its Monday) by one structure's counted parcours of
    one programme, lying in one commune (the work site's, else the structure's).

    Kept with `TerritoryMonth` (the same stale marks; `reporting_territory_month_refresh`
    recomputes both, migration 0010_territory_weeks): a period of free dates is read as
    the whole months holding it less its edges, and the hours of the edges' weeks are
    summed from here instead of from every week of the structures (reporting.
    territory_months). The commune, not the territory, is kept: a few communes a
    structure, mapped to the territories holding them when read.
    """

    # No index of their own: the unique index below serves every look-up.
    programme = derived_link("programmes.Programme", _("programme"), db_index=False)
    structure = derived_link("sites.Structure", _("structure"), db_index=False)
    commune = derived_link("sites.GeoUnit", _("commune"), db_index=False)
    week = models.DateField(_("semaine du"))  # its Monday
    hours = models.DecimalField(_("heures travaillées"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("heures d'une structure par semaine et commune")
        verbose_name_plural = _("heures des structures par semaine et commune")
        constraints = [
            # Serves the edges' look-up (structure, programme, weeks) from the index alone,
            # and the refresh's delete by structure.
            models.UniqueConstraint(
                fields=["structure", "programme", "week", "commune"],
                include=["hours"],
                name="territoryweek_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.structure_id} × {self.commune_id}, {self.week}"


class TerritoryMonthStale(models.Model):
    """A structure whose `TerritoryMonth` rows must be recomputed before they are read:
    appended by a trigger with every stale mark of the yearly rows (migration
    0008_territory_months), so that a calendar year's reader, who recomputes the yearly rows
    only, leaves the months to the next reader of months (or to the background job)."""

    structure = derived_link("sites.Structure", _("structure"))

    class Meta:
        verbose_name = _("structure dont les chiffres mensuels sont à recalculer")
        verbose_name_plural = _("structures dont les chiffres mensuels sont à recalculer")
        indexes = [models.Index(fields=["structure"], name="territorymonthstale_structure")]

    def __str__(self) -> str:
        return str(self.structure_id)


class PublishedAudit(models.Model):
    """The small-count audit of one dashboard grid, computed off the request path.

    `manage.py refresh_territory_years` recomputes, with the rows it refreshes, the audit of
    every coordinator dashboard those rows feed (reporting.audits); a page holding the
    identical grid reads the statuses here instead of auditing it again. `statuses` lists
    the statuses in the order of the grid's cells; no figure and no cell is stored, and the
    row is found only by the SHA-256 of the whole grid (reporting.suppression.fingerprint).
    """

    fingerprint = models.BinaryField(_("empreinte de la grille"), max_length=32, unique=True)
    statuses = models.JSONField(_("statuts des cellules"))
    computed_at = models.DateTimeField(_("calculé le"), default=timezone.now)

    class Meta:
        verbose_name = _("audit du secret statistique")
        verbose_name_plural = _("audits du secret statistique")

    def __str__(self) -> str:
        return f"{bytes(self.fingerprint).hex()[:12]} ({self.computed_at:%d/%m/%Y %H:%M})"


class AuditStale(models.Model):
    """A structure whose dashboards' audits the background job must compute again: appended
    by a trigger with every stale mark of the yearly and monthly rows (migration
    0009_published_audits), cleared by the job once the audits are stored."""

    structure = derived_link("sites.Structure", _("structure"))

    class Meta:
        verbose_name = _("structure dont les audits sont à recalculer")
        verbose_name_plural = _("structures dont les audits sont à recalculer")
        indexes = [models.Index(fields=["structure"], name="auditstale_structure")]

    def __str__(self) -> str:
        return str(self.structure_id)


class TerritoryYearStale(models.Model):
    """A structure whose `TerritoryYear` rows must be recomputed before they are read.

    Appended by triggers, one row per structure and writing statement: an insert never
    conflicts, so a writer never waits for a reader or for another writer. After
    recomputing, a reader deletes exactly the rows it saw before; a row committed meanwhile
    stays for the next reader.
    """

    structure = derived_link("sites.Structure", _("structure"))

    class Meta:
        verbose_name = _("structure à recalculer")
        verbose_name_plural = _("structures à recalculer")
        indexes = [models.Index(fields=["structure"], name="territoryyearstale_structure")]

    def __str__(self) -> str:
        return str(self.structure_id)


class TerritoryYearCoverage(models.Model):
    """The last calendar year `TerritoryYear` holds for every structure (one row).

    An open parcours counts in every year until its exit, so the rows stop at a fixed year;
    `manage.py refresh_territory_years` extends it when a new year starts. Later years are
    computed live.
    """

    through_year = models.PositiveSmallIntegerField(_("jusqu'à l'année"))

    class Meta:
        verbose_name = _("couverture des chiffres annuels")
        verbose_name_plural = _("couverture des chiffres annuels")
        constraints = [
            models.CheckConstraint(name="territoryyearcoverage_single", condition=models.Q(id=1)),
        ]

    def __str__(self) -> str:
        return str(self.through_year)
