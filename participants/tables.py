"""The participant list's table; the same columns feed the CSV and XLSX exports."""

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from web.tables import FastRowsMixin

from .enums import ParcoursStatus
from .models import Participant

STATUS_LABELS = dict(ParcoursStatus.choices)
STATUS_BADGES = {
    ParcoursStatus.ORIENTE: "text-bg-info",
    ParcoursStatus.EN_COURS: "text-bg-success",
    ParcoursStatus.SORTI: "text-bg-secondary",
    ParcoursStatus.NON_ENTRE: "text-bg-light border",
}


class FrenchDateColumn(tables.Column):
    """dd/mm/yyyy in the page; a real date in the exports; empty dates always sort last."""

    def order(self, queryset, is_descending):
        expression = F(str(self.accessor).replace(".", "__"))
        expression = (
            expression.desc(nulls_last=True) if is_descending else expression.asc(nulls_last=True)
        )
        return queryset.order_by(expression, "last_name", "first_name", "pk"), True

    def render(self, value):
        # Same output as date_format(value, "d/m/Y"), without the formatter's per-call set-up
        # (three date columns × 50 rows on every list page).
        return value.strftime("%d/%m/%Y")

    def value(self, value):
        return value


class ParticipantTable(FastRowsMixin, tables.Table):
    name = tables.Column(
        verbose_name=_("Nom"),
        accessor="last_name",
        order_by=("last_name", "first_name"),
        attrs={"td": {"class": "fw-semibold text-nowrap"}},
    )
    birth_date = FrenchDateColumn(verbose_name=_("Naissance"), accessor="birth_date")
    current_programme = tables.Column(verbose_name=_("Programme"))
    current_status = tables.Column(verbose_name=_("Statut"))
    current_work_site = tables.Column(verbose_name=_("Lieu d'activité"))
    current_start = FrenchDateColumn(verbose_name=_("Entrée"), accessor="current_start")
    referent = tables.Column(
        verbose_name=_("Référent·e"), order_by=("referent__last_name", "referent__first_name")
    )
    last_contact_on = FrenchDateColumn(
        verbose_name=_("Dernier contact"), accessor="last_contact_on"
    )
    alerts = tables.Column(
        verbose_name=_("Alertes"), accessor="current_warnings", orderable=False, default=""
    )
    quick_action = tables.Column(
        verbose_name=_("Action rapide"),
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        attrs={"td": {"class": "text-nowrap"}},
    )

    class Meta:
        model = Participant
        fields = ()
        sequence = (
            "name",
            "birth_date",
            "current_programme",
            "current_status",
            "current_work_site",
            "current_start",
            "referent",
            "last_contact_on",
            "alerts",
            "quick_action",
        )
        template_name = "participants/_table.html"
        order_by = ("name",)
        empty_text = _("Aucune personne ne correspond à ces critères.")
        attrs = {"class": "table table-hover align-middle participant-table"}
        row_attrs = {"id": lambda record: f"participant-{record.pk}"}

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            self.pk_url("participants:detail", "participant_pk", record.pk),
            str(record),
        )

    def value_name(self, record):
        return str(record)

    def render_current_status(self, value):
        return format_html(
            '<span class="badge {}">{}</span>', STATUS_BADGES.get(value, ""), STATUS_LABELS[value]
        )

    def value_current_status(self, value):
        return str(STATUS_LABELS.get(value, ""))

    def render_referent(self, value):
        return value.get_full_name() or value.email

    value_referent = render_referent

    def render_alerts(self, value):
        if not value:
            return ""
        count = len(value)
        label = ngettext("%(n)s alerte", "%(n)s alertes", count) % {"n": count}
        return format_html(
            '<span class="badge text-bg-warning" title="{}">{}</span>',
            " · ".join(value.values()),
            label,
        )

    def value_alerts(self, value):
        return " · ".join(value.values()) if value else ""

    def render_quick_action(self, record):
        parcours_id = record.current_parcours_id
        if not parcours_id or record.current_status not in (
            ParcoursStatus.EN_COURS,
            ParcoursStatus.ORIENTE,
        ):
            return ""
        url = self.pk_url("participants:action_create", "parcours_pk", parcours_id)
        return format_html(
            '<a class="btn btn-sm btn-outline-primary quick-action-trigger" href="{url}" '
            'hx-get="{url}" hx-target="closest tr" hx-swap="afterend" '
            'data-row-id="participant-{pk}" aria-label="{label}">{text}</a>',
            url=url,
            pk=record.pk,
            label=gettext("Noter une action pour %(name)s") % {"name": record},
            text=gettext("+ Action"),
        )
