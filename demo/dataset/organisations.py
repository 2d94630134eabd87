"""Reference data and organisations, through the ORM: geography, structures, deployments,
targets (a few thousand rows)."""

from __future__ import annotations

import datetime as dt

from programmes import models as prm
from sites import models as sm
from sites.enums import FunderKind, GeoKind, Role

from .plan import StructureInfo
from .shape import (
    ACTIVITIES,
    AS_OF,
    BENCH_EMAIL_DOMAIN,
    GEO_PREFIX,
    STRUCTURE_KINDS,
    WINDOW_START,
    Picker,
)


class OrganisationSteps:
    """The organisations' steps of `Generator` (which holds the state): geography,
    structures, deployments and targets, through the ORM."""

    def _geography(self) -> None:
        from faker import Faker

        fake = Faker("fr_FR")
        fake.seed_instance(self.seed)
        rng = self.stream("geo")
        code = f"{GEO_PREFIX}{self.run_index}"
        regions, depts, epcis, communes = [], [], [], []
        for r, n_depts in enumerate(self.scale.departements_per_region, start=1):
            regions.append(
                sm.GeoUnit(
                    kind=GeoKind.REGION, code=f"{code}R{r:02d}", name=f"Région {fake.city()}"
                )
            )
            for _ in range(n_depts):
                depts.append(
                    (
                        r - 1,
                        sm.GeoUnit(
                            kind=GeoKind.DEPARTEMENT,
                            code=f"{code}D{len(depts) + 1:03d}",
                            name=f"Département {fake.city()}",
                        ),
                    )
                )
        sm.GeoUnit.objects.bulk_create(regions)
        for region_index, dept in depts:
            dept.parent = regions[region_index]
        sm.GeoUnit.objects.bulk_create([d for _, d in depts])
        for d_index, (_, dept) in enumerate(depts):
            for _ in range(self.scale.epcis_per_departement):
                epcis.append(
                    (
                        d_index,
                        sm.GeoUnit(
                            kind=GeoKind.EPCI,
                            code=f"{code}E{len(epcis) + 1:04d}",
                            name=f"Communauté de communes {fake.city()}",
                            parent=dept,
                        ),
                    )
                )
        sm.GeoUnit.objects.bulk_create([e for _, e in epcis])
        for d_index, epci in epcis:
            for _ in range(self.scale.communes_per_epci):
                communes.append(
                    (
                        d_index,
                        sm.GeoUnit(
                            kind=GeoKind.COMMUNE,
                            code=f"{code}C{len(communes) + 1:05d}",
                            name=fake.city(),
                            parent=epci,
                        ),
                    )
                )
        sm.GeoUnit.objects.bulk_create([c for _, c in communes])
        self.regions = regions
        self.depts = [d for _, d in depts]
        self.dept_region = [r for r, _ in depts]
        self.communes_by_dept: list[list[sm.GeoUnit]] = [[] for _ in self.depts]
        for d_index, commune in communes:
            self.communes_by_dept[d_index].append(commune)
        # Territories: one per région (parent) and one per département (child).
        self.region_territories = []
        for r, region in enumerate(regions, start=1):
            self.region_territories.append(
                sm.Territory(name=f"Territoire {region.name}", slug=f"{self.tag}-r{r:02d}")
            )
        sm.Territory.objects.bulk_create(self.region_territories)
        self.dept_territories = [
            sm.Territory(
                name=f"Territoire {dept.name}",
                slug=f"{self.tag}-d{d + 1:03d}",
                parent=self.region_territories[self.dept_region[d]],
            )
            for d, dept in enumerate(self.depts)
        ]
        sm.Territory.objects.bulk_create(self.dept_territories)
        through = sm.Territory.geo_units.through
        through.objects.bulk_create(
            [
                through(territory_id=t.pk, geounit_id=g.pk)
                for t, g in [
                    *zip(self.region_territories, regions, strict=True),
                    *zip(self.dept_territories, self.depts, strict=True),
                ]
            ]
        )
        self.counts["geo_units"] = len(regions) + len(depts) + len(epcis) + len(communes)
        self.counts["territories"] = len(self.region_territories) + len(self.dept_territories)
        del rng

    def _structures(self) -> None:
        from django.contrib.auth.hashers import make_password
        from faker import Faker

        fake = Faker("fr_FR")
        fake.seed_instance(self.seed + 1)
        rng = self.stream("structures")
        kind_pick = Picker(STRUCTURE_KINDS)
        n = self.scale.structures
        # Which programmes run where: Convergence on about half the départements (it spread
        # from 2012 to 13 territories), Premières Heures on two thirds, the Paris DPH on few.
        n_depts = len(self.depts)
        self.dept_programmes: list[list[str]] = []
        for d in range(n_depts):
            progs = ["IAE"]
            if d % 2 == 0 or n_depts < 4:
                progs.append("CVG")
            if d % 3 != 2 or n_depts < 4:
                progs.append("PHC")
            if d % 7 == 0:
                progs.append("DPH")
            self.dept_programmes.append(progs)
        structures = []
        meta = []
        for i in range(n):
            d = i % n_depts if i < n_depts else rng.randrange(n_depts)
            kind = kind_pick(rng) if i >= n_depts else "ACI"
            commune = rng.choice(self.communes_by_dept[d])
            structures.append(
                sm.Structure(
                    name=f"{kind} {fake.company()} {i + 1}",
                    slug=f"{self.tag}-s{i + 1:05d}",
                    kind=kind,
                    commune=commune,
                    address=fake.street_address(),
                )
            )
            meta.append((d, kind))
        sm.Structure.objects.bulk_create(structures, batch_size=2000)
        sites = []
        for s, (d, _kind) in zip(structures, meta, strict=True):
            for k in range(rng.choice((1, 1, 2, 2, 3))):
                sites.append(
                    sm.WorkSite(
                        structure=s,
                        name=f"Chantier {ACTIVITIES[(s.pk + k) % len(ACTIVITIES)]} {k + 1}",
                        activity=ACTIVITIES[(s.pk + k) % len(ACTIVITIES)],
                        commune=rng.choice(self.communes_by_dept[d]),
                    )
                )
        sm.WorkSite.objects.bulk_create(sites, batch_size=2000)
        # One caseworker per structure writes its actions. No usable password: benchmarks
        # and load tests open sessions directly (bench/sessions.py).
        unusable = make_password(None)
        users = [
            sm.User(
                email=f"cw-{s.slug}@{BENCH_EMAIL_DOMAIN}",
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                password=unusable,
            )
            for s in structures
        ]
        sm.User.objects.bulk_create(users, batch_size=2000)
        sm.Membership.objects.bulk_create(
            [
                sm.Membership(user=u, role=Role.CASEWORKER, structure=s)
                for u, s in zip(users, structures, strict=True)
            ],
            batch_size=2000,
        )
        sites_by_structure: dict[int, list[int]] = {}
        for site in sites:
            sites_by_structure.setdefault(site.structure_id, []).append(site.pk)
        self.structures: list[StructureInfo] = []
        for s, (d, kind), u in zip(structures, meta, users, strict=True):
            progs = ["IAE"]
            dept_progs = self.dept_programmes[d]
            if kind == "ACI":
                if "CVG" in dept_progs and rng.random() < 0.6:
                    progs.append("CVG")
                if "PHC" in dept_progs and rng.random() < 0.5:
                    progs.append("PHC")
                if "DPH" in dept_progs and rng.random() < 0.5:
                    progs.append("DPH")
            self.structures.append(
                StructureInfo(s.pk, kind, d, sites_by_structure[s.pk], progs, u.pk)
            )
        # A DPH contract is carried by an association intermédiaire of the same département.
        ai_by_dept: dict[int, int] = {}
        for info in self.structures:
            if info.kind == "AI":
                ai_by_dept.setdefault(info.dept, info.id)
        for info in self.structures:
            info.employer_for_dph = ai_by_dept.get(info.dept, info.id)
        self.counts["structures"] = len(structures)
        self.counts["work_sites"] = len(sites)
        self.counts["users"] = len(users)

    def _deployments(self) -> None:
        rng = self.stream("deployments")
        funders = [
            sm.Funder(name="DGCS (jeu de test)", slug=f"{self.tag}-f-dgcs", kind="ETAT_DGCS")
        ]
        for d, dept in enumerate(self.depts):
            funders.append(
                sm.Funder(
                    name=f"DDETS {dept.name}",
                    slug=f"{self.tag}-f-ddets-{d + 1:03d}",
                    kind=FunderKind.ETAT_DDETS,
                )
            )
        sm.Funder.objects.bulk_create(funders)
        deployments = []
        self.deployment_of: dict[tuple[int, str], tuple[int, int]] = {}
        keys = []
        for d, territory in enumerate(self.dept_territories):
            for code in self.dept_programmes[d]:
                # Convergence and Premières Heures arrive over the first years of the window.
                offset = 0 if code == "IAE" else rng.choice((0, 0, 91, 182, 364, 546))
                start = dt.date.fromordinal(self.window_start + offset)
                deployments.append(
                    prm.Deployment(
                        programme=self.programmes[code], territory=territory, start_date=start
                    )
                )
                keys.append((d, code))
        prm.Deployment.objects.bulk_create(deployments)
        for key, dep in zip(keys, deployments, strict=True):
            self.deployment_of[key] = (dep.pk, dep.start_date.toordinal())
        self.deployments = list(zip(keys, deployments, strict=True))
        d_through = prm.Deployment.structures.through
        links = []
        for info in self.structures:
            for code in info.programmes:
                dep_id, _ = self.deployment_of[(info.dept, code)]
                links.append(d_through(deployment_id=dep_id, structure_id=info.id))
        d_through.objects.bulk_create(links, batch_size=5000)
        f_through = prm.Deployment.funders.through
        f_links = []
        for (d, code), dep in self.deployments:
            f_links.append(f_through(deployment_id=dep.pk, funder_id=funders[d + 1].pk))
            if code in ("CVG", "PHC", "DPH"):
                f_links.append(f_through(deployment_id=dep.pk, funder_id=funders[0].pk))
        f_through.objects.bulk_create(f_links)
        # Coordinations: one per région, one national, each with a user.
        coordinations = [
            sm.Coordination(name=f"Coordination {t.name}", slug=f"{self.tag}-c-r{r + 1:02d}")
            for r, t in enumerate(self.region_territories)
        ]
        coordinations.append(
            sm.Coordination(name="Coordination nationale (jeu de test)", slug=f"{self.tag}-c-nat")
        )
        sm.Coordination.objects.bulk_create(coordinations)
        scopes = []
        for r, t in enumerate(self.region_territories):
            for code in ("CVG", "PHC", "IAE"):
                scopes.append(
                    prm.CoordinationScope(
                        coordination=coordinations[r], territory=t, programme=self.programmes[code]
                    )
                )
                scopes.append(
                    prm.CoordinationScope(
                        coordination=coordinations[-1], territory=t, programme=self.programmes[code]
                    )
                )
        prm.CoordinationScope.objects.bulk_create(scopes)
        from django.contrib.auth.hashers import make_password

        unusable = make_password(None)
        org_users = []
        memberships = []
        for c in coordinations:
            user = sm.User(email=f"coord-{c.slug}@{BENCH_EMAIL_DOMAIN}", password=unusable)
            org_users.append(user)
            memberships.append(sm.Membership(user=user, role=Role.COORDINATOR, coordination=c))
        for f in funders:
            user = sm.User(email=f"funder-{f.slug}@{BENCH_EMAIL_DOMAIN}", password=unusable)
            org_users.append(user)
            memberships.append(sm.Membership(user=user, role=Role.FUNDER, funder=f))
        sm.User.objects.bulk_create(org_users)
        for m, u in zip(memberships, org_users, strict=True):
            m.user = u
        sm.Membership.objects.bulk_create(memberships)
        self.counts["deployments"] = len(deployments)
        self.counts["users"] += len(org_users)

    # -- people: drawn in memory, written with COPY --

    def _targets(self) -> None:
        """Yearly targets per deployment: persons accompanied and entries, set near what the
        data will show (between 85% and 120% of it) so gauges are plausible."""
        rng = self.stream("targets")
        dep_index = {dep.pk: (d, code) for (d, code), dep in self.deployments}
        years = range(WINDOW_START.year, AS_OF.year + 1)
        accompanied: dict[tuple[int, int], set[int]] = {}
        entries: dict[tuple[int, int], int] = {}
        for p in self.parcours:
            if p.deployment is None or p.status in ("ORIENTE", "NON_ENTRE"):
                continue
            first_year = dt.date.fromordinal(p.start).year
            last_year = dt.date.fromordinal(p.end or self.as_of).year
            for year in range(first_year, last_year + 1):
                accompanied.setdefault((p.deployment, year), set()).add(p.participant)
            entries[(p.deployment, first_year)] = entries.get((p.deployment, first_year), 0) + 1
        targets = []
        for dep_id in dep_index:
            for year in years:
                start = max(dt.date(year, 1, 1), WINDOW_START)
                end = min(dt.date(year, 12, 31), AS_OF)
                people = len(accompanied.get((dep_id, year), ()))
                if people:
                    targets.append(
                        prm.Target(
                            deployment_id=dep_id,
                            metric="accompanied",
                            value=max(1, round(people * rng.uniform(0.85, 1.2))),
                            period_start=start,
                            period_end=end,
                        )
                    )
                n_entries = entries.get((dep_id, year), 0)
                if n_entries:
                    targets.append(
                        prm.Target(
                            deployment_id=dep_id,
                            metric="entries",
                            value=max(1, round(n_entries * rng.uniform(0.85, 1.2))),
                            period_start=start,
                            period_end=end,
                        )
                    )
        prm.Target.objects.bulk_create(targets, batch_size=5000)
        self.counts["targets"] = len(targets)
