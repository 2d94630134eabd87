"""Clearly fictitious participants for the demo, generated with a fixed seed.

Proportions follow the published figures (quality.md §1): Premières Heures sas of 1–12
months raising hours from 4 towards 20, a majority continuing to a CDDI or to Convergence;
Convergence parcours of months to years, about half of exits to employment or training.
Files are written through the services, so every rule of domain.md §5 applies.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from faker import Faker

from participants import services
from participants.enums import (
    ActionKind,
    ActionTheme,
    BarrierLevel,
    ContractKind,
    Housing,
    ParcoursStatus,
    Resource,
    SnapshotContext,
)
from participants.models import AccompanimentAction, Parcours, Participant, WorkedHours
from programmes.models import Programme
from sites.enums import Role
from sites.models import Structure, User, WorkSite

from .reference import FORMER_CASEWORKER

SEED = 2021
FIRST_DAY = dt.date(2021, 1, 4)
LAST_BULK_ENTRY = dt.date(2023, 12, 31)  # most entries are in 2021–2023 ...
LAST_ENTRY = dt.date(2026, 9, 30)  # ... and a quarter later, so the demo has current files
# The demo's "now", fixed so the same seed always gives the same files: exits after it are
# not recorded (those parcours are open) and activity stops there.
CUTOFF = dt.date(2026, 11, 20)
EXTERNAL_PREFIX = "DEMO-"

PHC_EXITS = [
    ("SUITE_CVG", 30),
    ("SUITE_CDDI", 25),
    ("AUTRE_SIAE", 5),
    ("FORMATION", 5),
    ("ABANDON", 15),
    ("SANS_NOUVELLES", 10),
    ("SOIN", 5),
    ("INCARCERATION", 2),
    ("CDD_MOINS_6M", 3),
]
CVG_EXITS = [
    ("CDI", 8),
    ("CDD_6M_PLUS", 10),
    ("INTERIM_6M_PLUS", 4),
    ("CREATION_ENTREPRISE", 1),
    ("FONCTION_PUBLIQUE", 1),
    ("RETRAITE", 1),
    ("CDD_MOINS_6M", 9),
    ("INTERIM_MOINS_6M", 5),
    ("CONTRAT_AIDE", 3),
    ("FORMATION", 7),
    ("AUTRE_SIAE", 3),
    ("CHOMAGE", 15),
    ("INACTIVITE", 6),
    ("SANS_NOUVELLES", 10),
    ("ABANDON", 8),
    ("SOIN", 5),
    ("DEMENAGEMENT", 3),
    ("INCARCERATION", 2),
    ("DECES", 1),
]
ENTRY_HOUSING = [
    (Housing.RUE, 25),
    (Housing.HU_NUIT, 15),
    (Housing.CHU, 15),
    (Housing.SQUAT, 10),
    (Housing.TIERS, 10),
    (Housing.HOTEL, 8),
    (Housing.CHRS, 7),
    (Housing.DNA, 5),
    (Housing.INSTITUTION, 3),
    (Housing.LOG_ACCOMPAGNE, 2),
]
PARTNERS = [
    "SIAO 44",
    "CCAS de Nantes",
    "France Travail",
    "PASS du CHU",
    "CSAPA Le Triangle",
    "Mission locale",
    "SPIP 44",
    "CMP Nantes Est",
    "Restos du Cœur",
    "",
]
NOTES = [
    "Point sur la semaine de travail, objectifs fixés ensemble.",
    "Accompagnée au rendez-vous, dossier déposé.",
    "Échange avec le référent social pour coordonner les démarches.",
    "Bilan à mi-parcours avec l'encadrant technique.",
    "",
]


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _caseworker(structure: Structure) -> User:
    """The structure's demo caseworker: the referent and author of its files."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__structure=structure,
            memberships__role=Role.CASEWORKER,
            memberships__is_active=True,
        )
        .order_by("pk")
        .first()
    )


def _hand_some_to_the_former_caseworker() -> None:
    """Every other file in progress of Les Eaux Vives names the caseworker who left
    (FORMER_CASEWORKER): "sans référent·e" on "Aujourd'hui", a row to hand over on
    "Référent·es"."""
    email, _first, _last, slug = FORMER_CASEWORKER
    in_progress = Parcours.objects.filter(
        participant_id=OuterRef("pk"),
        status__in=[ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS],
    )
    files = Participant.objects.filter(
        Exists(in_progress), structure__slug=slug, external_id__startswith=EXTERNAL_PREFIX
    ).order_by("pk")
    chosen = list(files.values_list("pk", flat=True))[::2]
    Participant.objects.filter(pk__in=chosen).update(referent=User.objects.get(email=email))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class DemoPeople:
    """Builds the demo files of every structure."""

    def __init__(self, share: float = 1.0) -> None:
        self.share = share
        self.rng = random.Random(SEED)
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(SEED)
        self.programmes = {p.code: p for p in Programme.objects.all()}
        self.counter = 0
        self.hours_rows: list[WorkedHours] = []
        self.action_rows: list[AccompanimentAction] = []

    def run(self) -> int:
        plan = [("asbl", 30, 50), ("trajet", 25, 45), ("ocean", 25, 45), ("eaux-vives", 60, 0)]
        for slug, phc_count, cvg_count in plan:
            structure = Structure.objects.get(slug=slug)
            actor = _caseworker(structure)
            sites = list(WorkSite.objects.filter(structure=structure))
            for _ in range(self._count(phc_count)):
                self._phc_person(structure, actor, sites)
            for _ in range(self._count(cvg_count)):
                self._cvg_person(structure, actor, sites)
        partage = Structure.objects.get(slug="partage-44")
        actor = _caseworker(partage)
        sites = list(WorkSite.objects.filter(structure=partage))
        for _ in range(self._count(30)):
            self._ai_person(partage, actor, sites)
        WorkedHours.objects.bulk_create(self.hours_rows, batch_size=2000)
        AccompanimentAction.objects.bulk_create(self.action_rows, batch_size=2000)
        self._update_last_contacts()
        _hand_some_to_the_former_caseworker()
        return self.counter

    def _count(self, full: int) -> int:
        """`full` people, or the requested share of them (at least one when full > 0)."""
        return full if self.share >= 1 else min(full, max(1, round(full * self.share)))

    def _update_last_contacts(self) -> None:
        """Bulk-created activity bypasses the services: derive the last contact from it, with
        two grouped queries (a correlated subquery per person was far too slow)."""
        latest: dict[int, dt.date] = {}
        grouped = [
            AccompanimentAction.objects.values_list("parcours__participant_id").annotate(
                last=Max("date")
            ),
            WorkedHours.objects.filter(hours__gt=0)
            .values_list("parcours__participant_id")
            .annotate(last=Max("week_start")),
        ]
        for rows in grouped:
            for participant_id, last in rows:
                latest[participant_id] = max(last, latest.get(participant_id, last))
        people = list(Participant.objects.filter(pk__in=latest))
        today = timezone.localdate()
        for person in people:
            last = max(filter(None, [person.last_contact_on, latest[person.pk]]))
            # A past event only: planned activity never makes a future last contact.
            person.last_contact_on = min(last, today)
        Participant.objects.bulk_update(people, ["last_contact_on"], batch_size=500)

    # People -----------------------------------------------------------------------------

    def _person(self, structure, actor) -> Participant:
        self.counter += 1
        sex = self.rng.choice(["F", "M", "M"])
        first = self.fake.first_name_female() if sex == "F" else self.fake.first_name_male()
        return services.participant_create(
            structure=structure,
            actor=actor,
            external_id=f"{EXTERNAL_PREFIX}{structure.slug}-{self.counter:04d}",
            last_name=self.fake.last_name(),
            first_name=first,
            sex=sex,
            # From the seeded generator (Faker's ages count from today's date).
            birth_date=FIRST_DAY - dt.timedelta(days=self.rng.randrange(19 * 366, 62 * 365)),
            phone=self.fake.phone_number() if self.rng.random() < 0.6 else "",
            orienteur=self.rng.choice(
                [
                    "Maraude du Samu social",
                    "SIAO 44",
                    "CCAS de Nantes",
                    "Accueil de jour Brin de Causette",
                    "France Travail",
                ]
            ),
            referent=actor,
        )

    def _start(self, first_year: dt.date | None = None, first_year_share: float = 0.0) -> dt.date:
        """An entry date: a share in the programme's launch year (the 2021 targets), most of
        the rest in 2021–2023, a quarter since, so the demo has current files."""
        if first_year is not None and self.rng.random() < first_year_share:
            span = (dt.date(first_year.year, 12, 31) - first_year).days
            return first_year + dt.timedelta(days=self.rng.randrange(span))
        if self.rng.random() < 0.75:
            return FIRST_DAY + dt.timedelta(
                days=self.rng.randrange((LAST_BULK_ENTRY - FIRST_DAY).days)
            )
        return LAST_BULK_ENTRY + dt.timedelta(
            days=self.rng.randrange((LAST_ENTRY - LAST_BULK_ENTRY).days)
        )

    def _entry_snapshot(self, person, parcours, housing) -> None:
        # Most entry situations are recorded in the first weeks; a few late (warn rule).
        delay = self.rng.choice([0, 2, 5, 7, 10, 14, 21, 28, 45])

        def level():
            return _pick(
                self.rng,
                [
                    (BarrierLevel.AUCUN, 5),
                    (BarrierLevel.PARTIEL, 3),  # noqa: E731
                    (BarrierLevel.IMPORTANT, 2),
                ],
            )

        services.snapshot_record(
            participant=person,
            parcours=parcours,
            context=SnapshotContext.ENTREE,
            date=parcours.start_date + dt.timedelta(days=delay),
            actor=None,
            housing=housing,
            street_history=housing in (Housing.RUE, Housing.SQUAT, Housing.HU_NUIT)
            or self.rng.random() < 0.5,
            resources=self.rng.sample(
                [Resource.RSA, Resource.SANS_RESSOURCES, Resource.ARE, Resource.AAH, Resource.ADA],
                k=self.rng.choice([1, 1, 2]),
            ),
            barrier_logement=BarrierLevel.IMPORTANT,
            barrier_sante_physique=level(),
            barrier_sante_psychique=level(),
            barrier_addictions=level(),
            barrier_mobilite=level(),
            barrier_justice=level(),
            barrier_administratif=level(),
            barrier_budget=level(),
            barrier_langue=level(),
            barrier_numerique=level(),
            barrier_famille=level(),
            has_health_insurance=self.rng.random() < 0.7,
            has_gp=self.rng.random() < 0.4,
        )

    def _exit_snapshot(self, entry_housing, programme_code) -> dict:
        housed = self.rng.random() < (0.35 if programme_code == "CVG" else 0.1)
        housing = (
            self.rng.choice([Housing.LOG_ACCOMPAGNE, Housing.LOG_AUTONOME])
            if housed
            else self.rng.choice([entry_housing, Housing.CHRS, Housing.CHU])
        )
        return {
            "housing": housing,
            "street_history": True,
            "has_health_insurance": self.rng.random() < 0.9,
        }

    def _activity(self, parcours, actor, site, weekly_hours_at, end: dt.date) -> None:
        """Weekly hours and accompaniment actions from the start to `end` (the planned exit,
        which is recorded afterwards), up to the cutoff."""
        end = min(end, CUTOFF)
        week = _monday(parcours.start_date)
        if week < parcours.start_date:
            week += dt.timedelta(days=7)
        while week <= end:
            planned = weekly_hours_at(week)
            absent = self.rng.random() < 0.12
            worked = Decimal(0) if absent else planned - Decimal(self.rng.choice([0, 0, 0, 1, 2]))
            self.hours_rows.append(
                WorkedHours(
                    structure_id=parcours.structure_id,
                    parcours=parcours,
                    work_site=site,
                    week_start=week,
                    hours=max(worked, Decimal(0)),
                    paid_hours=planned,
                    absence_hours=planned if absent else Decimal(0),
                )
            )
            if self.rng.random() < 0.45:
                self.action_rows.append(
                    AccompanimentAction(
                        structure_id=parcours.structure_id,
                        parcours=parcours,
                        author=actor,
                        date=week + dt.timedelta(days=self.rng.randrange(5)),
                        kind=_pick(
                            self.rng,
                            [
                                (ActionKind.ENTRETIEN_INDIVIDUEL, 6),
                                (ActionKind.ACCOMPAGNEMENT_PROXIMITE, 2),
                                (ActionKind.ACCOMPAGNEMENT_CONCERTE, 2),
                                (ActionKind.MOBILISATION_PARTENAIRE, 1),
                                (ActionKind.SYNTHESE, 1),
                            ],
                        ),
                        theme=_pick(
                            self.rng,
                            [
                                (ActionTheme.EMPLOI, 4),
                                (ActionTheme.LOGEMENT, 4),
                                (ActionTheme.SANTE, 2),
                                (ActionTheme.DROITS, 3),
                                (ActionTheme.FORMATION, 1),
                                (ActionTheme.BUDGET, 1),
                                (ActionTheme.MOBILITE, 1),
                            ],
                        ),
                        duration_minutes=self.rng.choice([30, 45, 60, 90, 120]),
                        partner=self.rng.choice(PARTNERS),
                        note=self.rng.choice(NOTES),
                    )
                )
            week += dt.timedelta(days=7)

    # Programmes -------------------------------------------------------------------------

    def _phc_person(self, structure, actor, sites) -> None:
        person = self._person(structure, actor)
        site = self.rng.choice(sites)
        start = self._start(dt.date(2021, 1, 4), first_year_share=0.25)
        phc = self.programmes["PHC"]
        carried_by_ai = structure.slug == "eaux-vives"
        parcours = services.parcours_enrol(
            participant=person,
            programme=phc,
            start_date=start,
            actor=actor,
            weekly_hours=Decimal(4),
            work_site=site,
            contract_kind=ContractKind.AI_MISE_A_DISPOSITION
            if carried_by_ai
            else ContractKind.CDDI,
            employer=Structure.objects.get(slug="partage-44") if carried_by_ai else None,
        )
        entry_housing = _pick(self.rng, ENTRY_HOUSING)
        self._entry_snapshot(person, parcours, entry_housing)
        months = _pick(
            self.rng, [(2, 10), (3, 15), (4, 15), (6, 20), (8, 15), (10, 10), (12, 8), (14, 7)]
        )
        end = start + dt.timedelta(days=int(months * 30.4))
        stages = [(start, Decimal(4))]
        day, hours = start, Decimal(4)
        while hours < 20:
            day += dt.timedelta(weeks=self.rng.choice([4, 6, 8, 10]))
            if day >= min(end, CUTOFF):
                break
            hours = min(Decimal(20), hours + Decimal(self.rng.choice([2, 4, 4, 6])))
            services.parcours_set_hours(
                parcours=parcours, start_date=day, weekly_hours=hours, actor=actor
            )
            stages.append((day, hours))

        def planned(week):
            return [h for d, h in stages if d <= week + dt.timedelta(days=6)][-1]

        self._activity(parcours, actor, site, planned, end)
        if end > CUTOFF:
            return
        situation = _pick(self.rng, PHC_EXITS)
        if situation == "SUITE_CVG" and structure.slug == "eaux-vives":
            situation = "SUITE_CDDI"
        services.parcours_exit(
            parcours=parcours,
            date=end,
            situation=situation,
            actor=actor,
            exit_snapshot=self._exit_snapshot(entry_housing, "PHC"),
        )
        if situation == "SUITE_CVG":
            self._cvg_parcours(
                person,
                structure,
                actor,
                site,
                end + dt.timedelta(days=1),
                entry_housing,
                previous=parcours,
            )

    def _cvg_person(self, structure, actor, sites) -> None:
        person = self._person(structure, actor)
        # Convergence started in Nantes in March 2021 with a target of 118 persons that year.
        start = self._start(dt.date(2021, 3, 1), first_year_share=0.5)
        if start < dt.date(2021, 3, 1):
            start = dt.date(2021, 3, 1) + dt.timedelta(days=self.rng.randrange(60))
        entry_housing = _pick(self.rng, ENTRY_HOUSING)
        self._cvg_parcours(
            person,
            structure,
            actor,
            self.rng.choice(sites),
            start,
            entry_housing,
            previous=None,
            snapshot=True,
        )

    def _cvg_parcours(
        self, person, structure, actor, site, start, entry_housing, previous, snapshot=False
    ) -> None:
        cvg = self.programmes["CVG"]
        months = _pick(
            self.rng, [(6, 10), (12, 20), (18, 15), (24, 25), (30, 10), (36, 10), (48, 10)]
        )
        end = start + dt.timedelta(days=int(months * 30.4))
        hours = Decimal(self.rng.choice([20, 20, 24, 26, 26, 30]))
        parcours = services.parcours_enrol(
            participant=person,
            programme=cvg,
            start_date=start,
            actor=actor,
            weekly_hours=hours,
            work_site=site,
            previous=previous,
            prolongation_reason="Difficultés particulièrement importantes (santé, logement)"
            if months > 24
            else "",
        )
        if snapshot or previous is not None:
            self._entry_snapshot(person, parcours, entry_housing)
        self._activity(parcours, actor, site, lambda week: hours, end)
        if end > CUTOFF:
            return
        services.parcours_exit(
            parcours=parcours,
            date=end,
            situation=_pick(self.rng, CVG_EXITS),
            actor=actor,
            followup_until=end + dt.timedelta(days=self.rng.choice([90, 180, 365])),
            exit_snapshot=self._exit_snapshot(entry_housing, "CVG"),
        )

    def _ai_person(self, structure, actor, sites) -> None:
        person = self._person(structure, actor)
        start = self._start()
        hours = Decimal(self.rng.choice([20, 22, 24]))
        company = self.rng.choice(
            ["Mairie de Rezé", "Clinique Jules Verne", "Syndic Loire Habitat", "Restaurant Le Quai"]
        )
        parcours = services.parcours_enrol(
            participant=person,
            programme=self.programmes["IAE"],
            start_date=start,
            actor=actor,
            weekly_hours=hours,
            work_site=sites[0],
            contract_kind=ContractKind.AI_MISE_A_DISPOSITION,
            placement_company=company,
        )
        entry_housing = _pick(self.rng, ENTRY_HOUSING)
        self._entry_snapshot(person, parcours, entry_housing)
        months = self.rng.choice([4, 6, 9, 12, 18])
        end = start + dt.timedelta(days=int(months * 30.4))
        self._activity(parcours, actor, sites[0], lambda week: hours, end)
        if end <= CUTOFF:
            services.parcours_exit(
                parcours=parcours,
                date=end,
                situation=_pick(self.rng, CVG_EXITS),
                actor=actor,
                exit_snapshot=self._exit_snapshot(entry_housing, "IAE"),
            )
        services.parcours_refresh_warnings(parcours=parcours)


def load_people(share: float = 1.0) -> int:
    """Create the demo files once; returns the number created (0 when already there).
    `share` < 1 builds that share of the people (tests of the loader's idempotence)."""
    if Participant.objects.filter(external_id__startswith=EXTERNAL_PREFIX).exists():
        return 0
    return DemoPeople(share).run()
