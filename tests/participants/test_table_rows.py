"""The list's fast row renderer gives exactly django-tables2's own output, cell by cell."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django_tables2 import RequestConfig

from participants import selectors
from participants.enums import ParcoursStatus
from participants.tables import ParticipantTable
from sites.tenancy.scope import scope_for_user
from tests import factories as f
from tests.participants.conftest import phc_parcours

pytestmark = pytest.mark.django_db

# django-tables2's own loop, as the list template had it before the fast renderer.
LIBRARY_ROWS = Template(
    "{% for row in table.paginated_rows %}<tr {{ row.attrs.as_html }}>"
    "{% for column, cell in row.items %}<td {{ column.attrs.td.as_html }}>{{ cell }}</td>"
    "{% endfor %}</tr>{% endfor %}"
)


def _table(caseworker, structure, **params):
    request = RequestFactory().get("/", params)
    request.user = caseworker
    queryset = selectors.participant_list(
        scope=scope_for_user(caseworker), structure_id=structure.pk
    )
    table = ParticipantTable(queryset, order_by=params.get("sort"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return table


def _cells(html: str) -> list[str]:
    return re.findall(r"<t[dr][^>]*>", html) + re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)


@pytest.mark.parametrize("sort", [None, "-name", "current_start", "-last_contact_on"])
def test_fast_rows_equal_the_library_rendering(structure_a, site_a, caseworker_a, programmes, sort):
    # Every kind of cell: a link, a status badge, dates and empty dates, alerts, a referent,
    # an escaped name, a quick action only for open parcours.
    with_parcours = f.ParticipantFactory(
        structure=structure_a, last_name="<b>Durand</b>", first_name="Alix", referent=caseworker_a
    )
    parcours = phc_parcours(with_parcours, work_site=site_a, start=dt.date(2024, 3, 4))
    parcours.warnings = {"PHC_LONG": "Sas de plus de 12 mois & demi"}
    parcours.save(update_fields=["warnings"])
    exited = f.ParticipantFactory(structure=structure_a, last_name="Martin", birth_date=None)
    f.ParcoursFactory(
        participant=exited,
        start_date=dt.date(2022, 1, 3),
        end_date=dt.date(2023, 1, 3),
        status=ParcoursStatus.SORTI,
    )
    f.ParticipantFactory(structure=structure_a, last_name="Leroy", referent=None)

    params = {"sort": sort} if sort else {}
    # Two tables: rows count even/odd across iterations of the same table.
    table = _table(caseworker_a, structure_a, **params)
    fast = "".join(table.rendered_rows())
    library = LIBRARY_ROWS.render(Context({"table": _table(caseworker_a, structure_a, **params)}))

    assert len(table.page.object_list) == 3
    assert _cells(fast) == _cells(library)
    assert fast.count("<tr ") == 3
    assert "&lt;B&gt;DURAND&lt;/B&gt;" in fast and "<B>" not in fast
    assert "+ Action" in fast and "1 alerte" in fast
