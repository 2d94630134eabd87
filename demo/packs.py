"""A funder's pack already frozen in the demo, so that a funder's first visit shows one.

The DGCS (the demo's funder account, `financeur.dgcs@…`) funds Convergence in Nantes
Métropole and the national Premières Heures roll-out: its pack for the last ended calendar
year is frozen as that account would freeze it (`reporting.services.funder_pack_create`,
under row-level security); its PDFs are then rendered by the background worker `make run`
starts, like any pack. Idempotent: an existing pack for that funder and year is kept.
"""

import datetime as dt

from reporting import periods, services
from reporting.models import FunderPack
from sites.enums import Role
from sites.models import Funder, Membership
from sites.tenancy import scope_for_user
from sites.tenancy.rls import web_role

FUNDER_SLUG = "dgcs"


def freeze_demo_pack(today: dt.date) -> FunderPack | None:
    """The pack of the last ended calendar year, or None without the funder's account."""
    funder = Funder.objects.filter(slug=FUNDER_SLUG).first()
    membership = (
        Membership.objects.filter(funder=funder, role=Role.FUNDER, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if funder is None or membership is None:
        return None
    period = periods.year(today.year - 1)
    existing = FunderPack.objects.filter(funder=funder, period_code=period.code).first()
    if existing is not None:
        return existing
    scope = scope_for_user(membership.user)
    with web_role(scope):
        return services.funder_pack_create(
            scope=scope, funder_id=funder.pk, period=period, user=membership.user
        )
