"""The national view's table of targets (django-tables2, sortable on every column).

Rows are the published dicts of `reporting.published_targets`: each printed text has a
numeric twin to sort on, where a hidden figure is −1 (it sorts before every published one).
"""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


class TargetTable(tables.Table):
    name = tables.Column(verbose_name=_("Territoire"), attrs={"th": {"scope": "col"}})
    metric = tables.Column(
        verbose_name=_("Indicateur"), accessor="metric_label", order_by=("metric", "name")
    )
    target = tables.Column(verbose_name=_("Objectif"), accessor="target_text", order_by="target")
    value = tables.Column(
        verbose_name=_("Réalisé"), accessor="value_text", order_by=("value", "name")
    )
    attainment = tables.Column(
        verbose_name=_("Atteinte"), accessor="attainment_text", order_by=("attainment", "name")
    )
    projection = tables.Column(
        verbose_name=_("À ce rythme, en fin de période"),
        accessor="projection_text",
        order_by=("projection", "name"),
    )

    class Meta:
        orderable = True
        attrs = {"id": "targets", "class": "table table-sm table-striped align-middle"}

    def __init__(self, *args, programme_code: str, period_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme_code, self.period_code = programme_code, period_code
        for name in ("target", "value", "attainment", "projection"):
            self.columns[name].column.attrs = {"td": {"class": "text-end"}}

    def render_name(self, value, record):
        url = reverse("reporting:territory", args=[self.programme_code, record["slug"]])
        return format_html('<a href="{}?periode={}">{}</a>', url, self.period_code, value)
