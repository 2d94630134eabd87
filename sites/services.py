"""Writes on a person's own account: their settings, and the daily digest's bookkeeping."""

import datetime as dt

from django.db.models import Q

from .models import GeoUnit, Territory, User


def user_set_daily_digest(*, user: User, enabled: bool) -> None:
    """Opt in to (or out of) the daily digest of "Aujourd'hui" by e-mail."""
    User.objects.filter(pk=user.pk).update(daily_digest=enabled)
    user.daily_digest = enabled


def user_claim_daily_digest(*, user_id: int, day: dt.date) -> bool:
    """Take the right to send `day`'s digest to this person: True once per person and day,
    however many runs of the job overlap (a conditional UPDATE, atomic in PostgreSQL)."""
    return bool(
        User.objects.filter(pk=user_id, is_active=True, daily_digest=True)
        .filter(Q(daily_digest_done_on__isnull=True) | Q(daily_digest_done_on__lt=day))
        .update(daily_digest_done_on=day)
    )


def user_release_daily_digest(*, user_id: int, day: dt.date, previous: dt.date | None) -> None:
    """Give a claim back when the e-mail could not be sent, so the next run retries."""
    User.objects.filter(pk=user_id, daily_digest_done_on=day).update(daily_digest_done_on=previous)


def territory_define(
    *, slug: str, name: str, codes: list[str], parent: Territory | None = None
) -> Territory:
    """The territory `slug`, made of the official units `codes` ("FR", région or
    département codes, EPCI SIRENs, commune INSEE codes), created or brought up to date.
    A région and a département may share a code ("52": Pays de la Loire, Haute-Marne):
    such a code is given with its kind, "REGION:52" or "DEPARTEMENT:52". Every structure
    whose work sites (or seat) lie in those units' communes counts in its figures
    (reporting.indicator_sql). An unknown or ambiguous code raises GeoUnit.DoesNotExist:
    load the geography first (`manage.py load_geography`)."""
    units, problems = [], []
    for given in codes:
        kind, _, code = given.rpartition(":")
        found = list(GeoUnit.objects.filter(code=code, **({"kind": kind} if kind else {})))
        if len(found) == 1:
            units.append(found[0])
        else:
            problems.append(given)
    if problems:
        raise GeoUnit.DoesNotExist(f"Unknown or ambiguous codes: {', '.join(problems)}")
    territory, _ = Territory.objects.update_or_create(
        slug=slug, defaults={"name": name, "parent": parent}
    )
    if set(territory.geo_units.all()) != set(units):
        territory.geo_units.set(units)
    return territory
