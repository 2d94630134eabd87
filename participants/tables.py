"""The participant list's table; the same columns feed the CSV and XLSX exports."""

import django_tables2 as tables
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from web.jinja2 import render_fragment
from web.links import url_for_ids

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

    def value(self, value):
        return value


class ParticipantTable(tables.Table):
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

    def rows_html(self) -> SafeString:
        """The page's rows, from templates/jinja2/participants/list_rows.html. Its columns
        follow `Meta.sequence`; the cells' attributes are django-tables2's (`td`)."""
        if tuple(column.name for column in self.columns) != self.Meta.sequence:
            # A column hidden or moved would shift every cell under the wrong header.
            raise ImproperlyConfigured("list_rows.html writes the columns of Meta.sequence")
        return render_fragment(
            "participants/list_rows.html",
            {
                # The records themselves: a django-tables2 row computes its attributes
                # through a signature inspection, once a row; the fragment writes them.
                "rows": [row.record for row in self.paginated_rows],
                "td": {column.name: column.attrs["td"].as_html() for column in self.columns},
                "empty": self.default,
                "detail_url": url_for_ids("participants:detail", "participant_pk"),
                "action_url": url_for_ids("participants:action_create", "parcours_pk"),
                "status_labels": {key: str(label) for key, label in STATUS_LABELS.items()},
                "status_badges": STATUS_BADGES,
                "open_statuses": (ParcoursStatus.EN_COURS, ParcoursStatus.ORIENTE),
                "alerts_label": alerts_label,
                "quick_action_label": quick_action_label,
                "referent_name": self.value_referent,
            },
        )

    # What the CSV and XLSX exports write for the columns whose page cell is markup.
    def value_name(self, record):
        return str(record)

    def value_current_status(self, value):
        return str(STATUS_LABELS.get(value, ""))

    def value_referent(self, value):
        return value.get_full_name() or value.email

    def value_alerts(self, value):
        return " · ".join(value.values()) if value else ""


def alerts_label(count: int) -> str:
    return ngettext("%(n)s alerte", "%(n)s alertes", count) % {"n": count}


def quick_action_label(participant: Participant) -> str:
    return gettext("Noter une action pour %(name)s") % {"name": participant}
