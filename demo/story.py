"""The demo's last weeks in Nantes, written through the services as caseworkers would:
referrals waiting (from a maraude, the SIAO, the SPIP), some entered and some not, a file
transferred from ASBL to Trajet (both in the Convergence deployment) and a Premières Heures
sas continued into Convergence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from participants import services
from participants.enums import NonEntryReason, ParcoursStatus, ReferralSource
from participants.models import Parcours, SituationSnapshot
from programmes.models import Programme
from sites.models import Structure, User, WorkSite

# structure, programme, (referred by, days ago) of the referrals still waiting
WAITING = [
    ("asbl", "CVG", [(ReferralSource.MARAUDE, 3), (ReferralSource.SPIP, 19)]),
    ("trajet", "CVG", [(ReferralSource.SIAO, 6)]),
    ("ocean", "CVG", [(ReferralSource.SIAO, 2), (ReferralSource.MARAUDE, 16)]),
    ("eaux-vives", "PHC", [(ReferralSource.MARAUDE, 4), (ReferralSource.CCAS, 9)]),
]
# structure, programme, referred by, days ago, days later: entered (None) or the reason
SETTLED = [
    ("asbl", "CVG", ReferralSource.SIAO, 24, None),
    ("trajet", "CVG", ReferralSource.SPIP, 30, NonEntryReason.SANTE),
    ("ocean", "CVG", ReferralSource.MARAUDE, 35, NonEntryReason.INJOIGNABLE),
    ("eaux-vives", "PHC", ReferralSource.SIAO, 18, None),
    ("eaux-vives", "PHC", ReferralSource.MARAUDE, 40, NonEntryReason.REFUS),
]
NAMES = [
    ("Lambert", "Joël", "M"),
    ("Faure", "Samia", "F"),
    ("Rousseau", "Dylan", "M"),
    ("Perrin", "Mireille", "F"),
    ("Gauthier", "Rachid", "M"),
    ("Masson", "Kévin", "M"),
    ("Marchand", "Aline", "F"),
    ("Dumont", "Olivier", "M"),
    ("Renaud", "Bintou", "F"),
    ("Brunet", "Thierry", "M"),
]


def _caseworker(slug: str) -> User:
    return User.objects.get(email=f"cip.{slug}@demo.sillon.test")


def tell_the_story(today: dt.date) -> dict[str, int]:
    programmes = {p.code: p for p in Programme.objects.all()}
    structures = {
        s.slug: s
        for s in Structure.objects.filter(slug__in=["asbl", "trajet", "ocean", "eaux-vives"])
    }
    names = iter(NAMES * 3)
    monday = today - dt.timedelta(days=today.weekday())
    referrals = 0

    def refer(slug, code, source, days):
        last, first, sex = next(names)
        return services.orientation_refer(
            structure=structures[slug],
            actor=_caseworker(slug),
            programme=programmes[code],
            referred_by=source,
            referred_on=today - dt.timedelta(days=days),
            last_name=last,
            first_name=first,
            sex=sex,
            birth_date=dt.date(1975, 1, 1) + dt.timedelta(days=days * 397),
        )

    for slug, code, waiting in WAITING:
        for source, days in waiting:
            refer(slug, code, source, days)
            referrals += 1
    for slug, code, source, days, outcome in SETTLED:
        parcours = refer(slug, code, source, days)
        referrals += 1
        if outcome is None:
            # Started this week: no hours due yet for last week.
            services.orientation_enter(
                parcours=parcours,
                actor=_caseworker(slug),
                start_date=max(monday, parcours.start_date),
                weekly_hours=Decimal(4 if code == "PHC" else 20),
                work_site=WorkSite.objects.filter(structure=structures[slug]).first(),
            )
        else:
            services.orientation_decline(
                parcours=parcours,
                actor=_caseworker(slug),
                reason=outcome,
                decided_on=today - dt.timedelta(days=days // 3),
            )
    return {
        "referrals_through_services": referrals,
        "transfers": _transfer(today, structures),
        "continuations": _continuation(today, monday, structures),
    }


def _steady(slug: str, code: str, months_ago: int, today: dt.date, until: dt.date) -> Parcours:
    """An open parcours of the structure started about `months_ago` months ago, with its
    entry situation, recent activity and no contract starting after `until` (not one of the
    situations placed for today)."""
    around = today - dt.timedelta(days=months_ago * 30)
    return (
        Parcours.objects.filter(
            structure__slug=slug,
            programme__code=code,
            status=ParcoursStatus.EN_COURS,
            start_date__lte=around,
            participant__last_contact_on__gte=today - dt.timedelta(days=14),
            participant__external_id__startswith="DEMO-",
        )
        .filter(pk__in=SituationSnapshot.objects.filter(context="ENTREE").values("parcours_id"))
        .exclude(participant__parcours__status=ParcoursStatus.ORIENTE)
        .exclude(contracts__start_date__gt=until)
        .order_by("-start_date", "pk")
        .select_related("participant", "programme")
        .first()
    )


def _transfer(today: dt.date, structures) -> int:
    """ASBL hands a Convergence file over to Trajet (the person moved closer to Rezé)."""
    parcours = _steady("asbl", "CVG", 6, today, until=today)
    if parcours is None:  # a small demo (the loader's tests) may have nobody to transfer
        return 0
    services.participant_transfer(
        participant=parcours.participant,
        to_structure=structures["trajet"],
        # Recorded today: a transfer is never dated ahead (nor, here, after the story's day).
        date=min(today, timezone.localdate()),
        consent_on=today - dt.timedelta(days=3),
        actor=_caseworker("asbl"),
    )
    return 1


def _continuation(today: dt.date, monday: dt.date, structures) -> int:
    """A Premières Heures sas at ASBL continues into Convergence this week."""
    parcours = _steady("asbl", "PHC", 5, today, until=monday - dt.timedelta(days=1))
    if parcours is None:
        return 0
    services.parcours_continue(
        parcours=parcours,
        actor=_caseworker("asbl"),
        date=monday - dt.timedelta(days=1),
        situation="SUITE_CVG",
        weekly_hours=Decimal(20),
        next_start_date=monday,
        work_site=parcours.work_site,
    )
    return 1
