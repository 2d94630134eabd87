"""Who is who in the demo: Nantes Métropole's structures, the 25 territories of the national
Premières Heures roll-out (2021–2022, 800 parcours) and the targets of every year.

Territories are official units (INSEE / SIREN codes of the geography that
`manage.py load_geography` loads); structures and work sites sit in official communes. The
roll-out structures' names are invented; the Nantes ones are those of the programme's story.
"""

import datetime as dt

from sites.enums import StructureKind

# --- Nantes Métropole: Premières Heures since 2019, Convergence since March 2021 ---------

NANTES = "nantes-metropole"
NANTES_EPCI = "244400404"
PHC_NANTES_START = dt.date(2019, 1, 1)
CVG_NANTES_START = dt.date(2021, 3, 1)

# slug, name, kind, seat commune, work sites (name, activity, commune)
NANTES_STRUCTURES = [
    (
        "asbl",
        "Association Saint Benoît Labre",
        StructureKind.ACI,
        "44109",
        [
            ("Atelier bois et recyclerie", "Menuiserie, valorisation", "44109"),
            ("Chantier bâtiment de Rezé", "Second œuvre", "44143"),
        ],
    ),
    (
        "trajet",
        "Trajet",
        StructureKind.ACI,
        "44109",
        [("Maraîchage de la Jaguère", "Maraîchage biologique", "44143")],
    ),
    (
        "ocean",
        "Océan Régie de quartier",
        StructureKind.ACI,
        "44162",
        [("Entretien des espaces extérieurs", "Espaces verts, propreté", "44162")],
    ),
    (
        "eaux-vives",
        "Les Eaux Vives",
        StructureKind.ACI,
        "44109",
        [
            ("Restaurant social La Claire Fontaine", "Restauration", "44109"),
            ("Entretien de locaux", "Nettoyage", "44109"),
        ],
    ),
    (
        "partage-44",
        "Partage 44",
        StructureKind.AI,
        "44109",
        [("Mises à disposition", "Mise à disposition de personnel", "44109")],
    ),
]
# Entries a year per structure and programme (the current year pro rata). Convergence aimed
# at 118 people accompanied in 2021, Premières Heures at 60.
NANTES_ENTRIES = {
    ("eaux-vives", "PHC"): {2019: 24, 2020: 30, 2021: 21, 0: 20},
    ("asbl", "PHC"): {2021: 7, 0: 6},
    ("trajet", "PHC"): {2021: 7, 0: 6},
    ("ocean", "PHC"): {2021: 7, 0: 6},
    ("asbl", "CVG"): {2021: 42, 0: 14},
    ("trajet", "CVG"): {2021: 36, 0: 12},
    ("ocean", "CVG"): {2021: 35, 0: 12},
    ("partage-44", "IAE"): {2021: 18, 0: 18},
}
# Targets of people accompanied, year after year (0: every later year).
NANTES_TARGETS = {
    "CVG": {2021: 118, 2022: 145, 2023: 145, 2024: 140, 2025: 135, 0: 130},
    "PHC": {2019: 30, 2020: 40, 2021: 60, 2022: 60, 2023: 62, 2024: 65, 0: 70},
}

# --- Convergence beyond Nantes: three métropoles of the roll-out, so that the national view
# compares territories. Invented figures of the demo. The first three structures of the
# territory's roll-out take part (three at least, or the dominance rule hides the
# territory's figures). By territory slug: launch, entries a year per structure and targets
# of people accompanied (0: every later year).
CVG_ELSEWHERE = {
    "lyon": (dt.date(2022, 1, 3), {2022: 13, 0: 11}, {2022: 40, 2023: 70, 2024: 85, 0: 95}),
    "lille": (dt.date(2022, 9, 1), {2022: 5, 0: 10}, {2022: 15, 2023: 50, 2024: 65, 0: 80}),
    "bordeaux": (dt.date(2023, 3, 1), {2023: 8, 0: 9}, {2023: 30, 2024: 50, 2025: 65, 0: 75}),
}
CVG_ELSEWHERE_STRUCTURES = 3

# --- The national Premières Heures roll-out ----------------------------------------------

ROLLOUT_START = dt.date(2021, 1, 1)
ROLLOUT_END = dt.date(2022, 12, 31)
ROLLOUT_ENTRIES = 800

METROPOLE, TOWN, RURAL = "métropole", "ville moyenne", "rural"

# slug, name, kind, official codes, région territory (or None: under France), launch,
# share of the 800 entries, structures (name, kind, seat commune and work site commune)
ROLLOUT = [
    (
        "lyon",
        "Métropole de Lyon",
        METROPOLE,
        ["200046977"],
        "ara",
        dt.date(2021, 2, 1),
        55,
        [("Tremplin Rhône", "69123"), ("Les Ateliers de la Duchère", "69123")],
    ),
    (
        "bordeaux",
        "Bordeaux Métropole",
        METROPOLE,
        ["243300316"],
        None,
        dt.date(2021, 3, 1),
        45,
        [("Garonne Insertion", "33063"), ("La Ressourcerie des Bassins", "33063")],
    ),
    (
        "toulouse",
        "Toulouse Métropole",
        METROPOLE,
        ["243100518"],
        None,
        dt.date(2021, 3, 1),
        45,
        [("Chantiers de la Garonne", "31555"), ("Pas à Pas Toulouse", "31555")],
    ),
    (
        "lille",
        "Métropole Européenne de Lille",
        METROPOLE,
        ["200093201"],
        None,
        dt.date(2021, 2, 1),
        55,
        [("Les Jardins de Wazemmes", "59350"), ("Atelier du Vieux-Lille", "59350")],
    ),
    (
        "montpellier",
        "Montpellier Méditerranée Métropole",
        METROPOLE,
        ["243400017"],
        None,
        dt.date(2021, 4, 1),
        40,
        [("Lez Insertion", "34172"), ("Recyclerie du Millénaire", "34172")],
    ),
    (
        "rennes",
        "Rennes Métropole",
        METROPOLE,
        ["243500139"],
        None,
        dt.date(2021, 4, 1),
        40,
        [("Vilaine Solidaire", "35238"), ("Atelier des Prairies", "35238")],
    ),
    (
        "grenoble",
        "Grenoble-Alpes-Métropole",
        METROPOLE,
        ["200040715"],
        "ara",
        dt.date(2021, 5, 1),
        35,
        [("Isère Chantiers", "38185")],
    ),
    (
        "strasbourg",
        "Eurométropole de Strasbourg",
        METROPOLE,
        ["246700488"],
        None,
        dt.date(2021, 5, 1),
        40,
        [("Les Ateliers du Rhin", "67482"), ("Ill Emploi", "67482")],
    ),
    (
        "marseille",
        "Métropole d'Aix-Marseille-Provence",
        METROPOLE,
        ["200054807"],
        None,
        dt.date(2021, 3, 1),
        55,
        [("Calanques Insertion", "13055"), ("Le Panier Solidaire", "13055")],
    ),
    (
        "rouen",
        "Métropole Rouen Normandie",
        METROPOLE,
        ["200023414"],
        None,
        dt.date(2021, 6, 1),
        35,
        [("Seine Chantiers", "76540")],
    ),
    (
        "saint-etienne",
        "Saint-Étienne Métropole",
        METROPOLE,
        ["244200770"],
        "ara",
        dt.date(2021, 9, 1),
        30,
        [("Furan Insertion", "42218")],
    ),
    (
        "angers",
        "Angers Loire Métropole",
        TOWN,
        ["244900015"],
        "pdl",
        dt.date(2021, 9, 1),
        30,
        [("Maine Chantiers", "49007")],
    ),
    (
        "le-mans",
        "Le Mans Métropole",
        TOWN,
        ["247200132"],
        "pdl",
        dt.date(2021, 10, 1),
        30,
        [("Sarthe Tremplin", "72181")],
    ),
    (
        "poitiers",
        "Grand Poitiers",
        TOWN,
        ["200069854"],
        None,
        dt.date(2022, 1, 1),
        25,
        [("Clain Insertion", "86194")],
    ),
    (
        "limoges",
        "Limoges Métropole",
        TOWN,
        ["248719312"],
        None,
        dt.date(2022, 1, 1),
        25,
        [("Vienne Solidaire", "87085")],
    ),
    (
        "brest",
        "Brest Métropole",
        TOWN,
        ["242900314"],
        None,
        dt.date(2021, 10, 1),
        25,
        [("Penfeld Chantiers", "29019")],
    ),
    (
        "valence",
        "Valence Romans Agglo",
        TOWN,
        ["200068781"],
        "ara",
        dt.date(2022, 2, 1),
        25,
        [("Drôme Tremplin", "26362")],
    ),
    (
        "perpignan",
        "Perpignan Méditerranée Métropole",
        TOWN,
        ["200027183"],
        None,
        dt.date(2022, 2, 1),
        25,
        [("Têt Insertion", "66136")],
    ),
    (
        "amiens",
        "Amiens Métropole",
        TOWN,
        ["248000531"],
        None,
        dt.date(2022, 3, 1),
        25,
        [("Hortillonnages Solidaires", "80021")],
    ),
    (
        "gueret",
        "Grand Guéret",
        RURAL,
        ["200034825"],
        None,
        dt.date(2022, 1, 1),
        20,
        [("Creuse Chantiers Verts", "23096")],
    ),
    (
        "thiers",
        "Thiers Dore et Montagne",
        RURAL,
        ["200070712"],
        "ara",
        dt.date(2022, 3, 1),
        20,
        [("Couteliers Solidaires", "63430")],
    ),
    (
        "mauriac",
        "Pays de Mauriac",
        RURAL,
        ["241500271"],
        "ara",
        dt.date(2022, 4, 1),
        15,
        [("Les Estives", "15120")],
    ),
    (
        "morvan",
        "Morvan Sommets et Grands Lacs",
        RURAL,
        ["200067890"],
        None,
        dt.date(2022, 4, 1),
        15,
        [("Morvan Bois et Bocage", "58062")],
    ),
    (
        "vierzon",
        "Vierzon-Sologne-Berry",
        RURAL,
        ["200090561"],
        None,
        dt.date(2022, 2, 1),
        20,
        [("Sologne Insertion", "18279")],
    ),
    (
        "ariege",
        "Ariège",
        RURAL,
        ["DEPARTEMENT:09"],
        None,
        dt.date(2021, 11, 1),
        25,
        [("Chantiers d'Ariège", "09122"), ("Couserans Solidaire", "09261")],
    ),
]
assert len(ROLLOUT) == 25
assert sum(t[6] for t in ROLLOUT) == ROLLOUT_ENTRIES

# Régions that group territories, each with its regional coordination.
REGIONS = {
    "pdl": ("Pays de la Loire", "52", "fas-pdl", "FAS Pays de la Loire"),
    "ara": ("Auvergne-Rhône-Alpes", "84", "fas-ara", "FAS Auvergne-Rhône-Alpes"),
}
ACTIVITIES = ["Espaces verts", "Maraîchage", "Recyclerie", "Restauration", "Entretien de locaux"]


# A territory's figures are published when at least 3 organisations make them and none
# accounts for more than 85% (docs/indicators.md): every territory of the roll-out has at
# least three structures, the largest métropoles four. Those not named above are named here.
EXTRA_NAMES = ["Régie de quartier {city}", "Atelier solidaire {city}", "Chantier-école {city}"]


def rollout_size(kind: str, share: int, named: list[tuple[str, str]]) -> int:
    """How many structures the territory has: three, four for a métropole of 45 entries or
    more, or more when more are named."""
    return max(4 if kind == METROPOLE and share >= 45 else 3, len(named))


def rollout_members(
    kind: str, share: int, named: list[tuple[str, str]], city: str
) -> list[tuple[str, str]]:
    """The territory's structures (name, commune): the named ones, then others in the
    commune of the first (`city`, its name)."""
    extra = [(pattern.format(city=city), named[0][1]) for pattern in EXTRA_NAMES]
    return [*named, *extra][: rollout_size(kind, share, named)]


def rollout_structure_slug(territory_slug: str, index: int) -> str:
    return f"ph-{territory_slug}-{index + 1}"


def entries_in(year_entries: dict[int, int], year: int) -> int:
    """Entries planned in `year` (the 0 key holds every later year)."""
    return year_entries.get(year, year_entries.get(0, 0) if year > max(year_entries) else 0)


def target_in(targets: dict[int, int], year: int) -> int | None:
    if year in targets:
        return targets[year]
    return targets.get(0) if year > max(k for k in targets if k) else None
