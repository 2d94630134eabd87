"""The list's rows, rendered by their Jinja2 fragment, give exactly the markup django-tables2
rendered for them before the rows moved to a template (recorded below: its row and cell
attributes, the same cells), whatever the sort order puts first. The order itself is the
table's (tested with the list's views)."""

import datetime as dt
import re

import pytest
from django.test import RequestFactory
from django_tables2 import RequestConfig

from participants import selectors
from participants.enums import ParcoursStatus
from participants.tables import ParticipantTable
from sites.tenancy.scope import scope_for_user
from tests import factories as f
from tests.participants.conftest import phc_parcours

pytestmark = pytest.mark.django_db

# What django-tables2's own loop rendered for the three people below, before the rows moved
# to a template (ids, names and sites filled in by the test; `{cls}` is even or odd).
LIBRARY_ROWS = {
    "with_parcours": (
        '<tr id="participant-{pk}" class="{cls}"><td class="fw-semibold text-nowrap">'
        '<a href="/participants/{pk}/">&lt;B&gt;DURAND&lt;/B&gt; Alix</a></td>'
        "<td >17/05/1980</td><td >PHC</td>"
        '<td ><span class="badge text-bg-success">En cours</span></td><td >{site}</td>'
        "<td >04/03/2024</td><td >{referent}</td><td >—</td>"
        '<td ><span class="badge text-bg-warning" title="Sas de plus de 12 mois &amp; demi">'
        '1 alerte</span></td><td class="text-nowrap"><a class="btn btn-sm btn-outline-primary '
        'quick-action-trigger" href="/participants/parcours/{parcours}/actions/nouvelle/" '
        'hx-get="/participants/parcours/{parcours}/actions/nouvelle/" hx-target="closest tr" '
        'hx-swap="afterend" data-row-id="participant-{pk}" '
        'aria-label="Noter une action pour &lt;B&gt;DURAND&lt;/B&gt; Alix">+ Action</a></td></tr>'
    ),
    "leroy": (
        '<tr id="participant-{pk}" class="{cls}"><td class="fw-semibold text-nowrap">'
        '<a href="/participants/{pk}/">LEROY Dominique</a></td><td >17/05/1980</td>'
        "<td >—</td><td >—</td><td >—</td><td >—</td><td >—</td><td >—</td><td ></td>"
        '<td class="text-nowrap"></td></tr>'
    ),
    "exited": (
        '<tr id="participant-{pk}" class="{cls}"><td class="fw-semibold text-nowrap">'
        '<a href="/participants/{pk}/">MARTIN Dominique</a></td><td >—</td><td >CVG</td>'
        '<td ><span class="badge text-bg-secondary">Sorti·e</span></td><td >—</td>'
        '<td >03/01/2022</td><td >—</td><td >—</td><td ></td><td class="text-nowrap"></td></tr>'
    ),
}


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
def test_rows_equal_the_recorded_library_markup_in_every_sort(
    structure_a, site_a, caseworker_a, programmes, sort
):
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
    leroy = f.ParticipantFactory(structure=structure_a, last_name="Leroy", referent=None)

    params = {"sort": sort} if sort else {}
    table = _table(caseworker_a, structure_a, **params)
    fast = table.rows_html()
    people = {"with_parcours": with_parcours, "leroy": leroy, "exited": exited}
    by_pk = {person.pk: key for key, person in people.items()}
    order = [by_pk[row.record.pk] for row in table.page.object_list]
    library = "".join(
        LIBRARY_ROWS[key].format(
            pk=people[key].pk,
            cls="odd" if index % 2 else "even",
            site=site_a.name,
            referent=caseworker_a.get_full_name(),
            parcours=parcours.pk,
        )
        for index, key in enumerate(order)
    )

    assert len(table.page.object_list) == 3
    assert _cells(fast) == _cells(library)
    assert fast.count("<tr ") == 3
    assert "&lt;B&gt;DURAND&lt;/B&gt;" in fast and "<B>" not in fast
    assert "+ Action" in fast and "1 alerte" in fast
