"""The transfers' read grant (participants 0013) on the hot paths: an uncorrelated sub-select
run once per query and probed after the structure list, so a structure's own rows never
look at the grants. The figures before/after are in docs/performance.md (transfers)."""

import datetime as dt

import pytest
from django.db import connection

from participants import selectors
from participants.models import ParticipantAccessGrant, Transfer
from sites.tenancy.rls import web_role
from sites.tenancy.scope import Scope
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_structure_list_is_probed_before_the_grants(structure_a, structure_b):
    for structure in (structure_a, structure_b):
        for _ in range(3):
            f.ParcoursFactory(participant=f.ParticipantFactory(structure=structure))
    other = f.ParticipantFactory(structure=structure_b)
    transfer = Transfer.objects.create(
        structure=structure_b,
        to_structure=structure_a,
        participant_id=other.pk,
        date=dt.date(2026, 1, 5),
        consent_on=dt.date(2026, 1, 5),
        readable_until=dt.date(2026, 2, 4),
    )
    ParticipantAccessGrant.objects.create(
        structure=structure_a, participant_id=other.pk, transfer=transfer, until=None
    )
    scope = Scope(user_id=None, structure_ids=frozenset({structure_a.pk}))
    page = selectors.participant_list(scope=scope, structure_id=structure_a.pk)
    sql, params = page.order_by("last_name", "pk")[:50].query.sql_with_params()
    with web_role(scope), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (COSTS OFF, VERBOSE) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT count(*) FROM participants_participant")
        visible = cursor.fetchone()[0]
    assert visible == 4  # A's three and the granted one
    # The policy's filter on the participant table's own scan (the current-parcours table,
    # joined in, has the structure policy only and may be printed first).
    node = ""
    policy_filter = None
    for line in plan.splitlines():
        if "->" in line:
            node = line
        elif (
            "Filter:" in line
            and "hashed SubPlan" in line
            and node.rstrip().endswith("on public.participants_participant")
        ):
            policy_filter = line
            break
    assert policy_filter is not None, plan
    # Which sub-plan reads the grants: the header above the table's first mention.
    header = None
    for line in plan.splitlines():
        if line.strip().startswith("SubPlan"):
            header = line.strip().split()[-1]
        if "participants_participantaccessgrant" in line:
            break
    assert header is not None, plan
    # "(bypass) OR (structure list) OR (grants)": how the planner prints the first arms
    # varies with the statistics (the structure list may become an init-plan parameter),
    # but the grants always come last, so own rows stop before looking at them.
    arms = [arm.strip("() ") for arm in policy_filter.split(" OR ")]
    assert len(arms) >= 2, policy_filter
    assert arms[-1].split()[-1] == header, plan
    assert all(arm.split()[-1] != header for arm in arms[:-1]), plan
