"""The list's filter choices come from a statement compiled once per process for a
placeholder structure: for every structure it gives what the queryset itself gives."""

import pytest

from participants import selectors
from sites.models import Role
from sites.tenancy.scope import scope_for_user
from tests import factories as f

pytestmark = pytest.mark.django_db


def _by_queryset(structure_id: int) -> dict[str, list[tuple[int, str]]]:
    choices: dict[str, list[tuple[int, str]]] = {"programme": [], "work_site": [], "referent": []}
    for kind, pk, text in selectors._filter_choice_rows(structure_id):
        choices[kind].append((pk, text))
    return {kind: sorted(rows, key=lambda row: row[1].lower()) for kind, rows in choices.items()}


def test_the_compiled_statement_gives_each_structure_its_own_choices(
    structure_a, structure_b, caseworker_a, programmes
):
    f.WorkSiteFactory(structure=structure_a, name="Atelier A")
    f.WorkSiteFactory(structure=structure_a, name="Fermé", is_active=False)
    f.WorkSiteFactory(structure=structure_b, name="Atelier B")
    f.MembershipFactory(structure=structure_a, role=Role.MANAGER, user__first_name="Zoé")
    f.MembershipFactory(structure=structure_a, role=Role.CASEWORKER, is_active=False)
    caseworker_b = f.MembershipFactory(structure=structure_b, user__last_name="Bé").user
    both = f.MembershipFactory(structure=structure_b, role=Role.MANAGER).user
    f.MembershipFactory(structure=structure_a, role=Role.CASEWORKER, user=both)

    for structure, user in ((structure_a, caseworker_a), (structure_b, caseworker_b)):
        found = selectors.list_filter_choices(scope=scope_for_user(user), structure_id=structure.pk)
        assert found == _by_queryset(structure.pk)
    a = selectors.list_filter_choices(
        scope=scope_for_user(caseworker_a), structure_id=structure_a.pk
    )
    assert [text for _pk, text in a["work_site"]] == ["Atelier A"]
    assert both.pk in {pk for pk, _text in a["referent"]}
    assert caseworker_a.pk in {pk for pk, _text in a["referent"]}
    assert caseworker_b.pk not in {pk for pk, _text in a["referent"]}
    assert len(a["programme"]) == len(programmes)
