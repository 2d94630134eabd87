#!/usr/bin/env python3
"""Refresh sites/geography/cog.json.gz, the official administrative division that
`manage.py load_geography` loads, from the npm package @etalab/decoupage-administratif.

    python3 scripts/refresh_geography.py [VERSION]      # default: the version below

Standard library only. The tarball is fetched from the npm registry and checked against
the registry's sha512 integrity; the extract keeps what Sillon uses (codes, names, parent
links, EPCI membership, postcodes) of metropolitan France and the five overseas régions, in
a compact JSON, gzipped. Review the diff of the counts it prints, then commit the file.
"""

import base64
import gzip
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
OUTPUT = Path(__file__).resolve().parent.parent / "sites" / "geography" / "cog.json.gz"
# Régions and départements of France proper (metropolitan and overseas "DROM"); the
# collectivités d'outre-mer (zone "com") are outside the code du travail's IAE.
ZONES = {"metro", "drom"}


def fetch(version: str) -> dict[str, list]:
    url = f"https://registry.npmjs.org/{PACKAGE.replace('/', '%2F')}/{version}"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed https URL)
        meta = json.load(response)
    tarball, integrity = meta["dist"]["tarball"], meta["dist"]["integrity"]
    algorithm, expected = integrity.split("-", 1)
    if algorithm != "sha512" or not tarball.startswith("https://registry.npmjs.org/"):
        raise SystemExit(f"unexpected dist metadata: {tarball} {algorithm}")
    with urllib.request.urlopen(tarball, timeout=120) as response:  # noqa: S310
        body = response.read()
    if base64.b64encode(hashlib.sha512(body).digest()).decode() != expected:
        raise SystemExit("the tarball does not match the registry's integrity")
    files = {}
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        for name in ("regions", "departements", "epci", "communes"):
            member = archive.extractfile(f"package/data/{name}.json")
            files[name] = json.load(member)
    return files


def extract(files: dict[str, list], version: str) -> dict:
    regions = sorted([r["code"], r["nom"]] for r in files["regions"] if r["zone"] in ZONES)
    region_codes = {code for code, _ in regions}
    departements = sorted(
        [d["code"], d["nom"], d["region"]]
        for d in files["departements"]
        if d["zone"] in ZONES and d["region"] in region_codes
    )
    dept_codes = {d[0] for d in departements}
    communes = [
        c
        for c in files["communes"]
        if c["type"] == "commune-actuelle" and c["departement"] in dept_codes
    ]
    commune_codes = {c["code"] for c in communes}
    epci_of = {}
    epcis = []
    for e in sorted(files["epci"], key=lambda e: e["code"]):
        members = [m["code"] for m in e["membres"] if m["code"] in commune_codes]
        if not members:
            continue
        epcis.append([e["code"], e["nom"], e["type"]])
        for code in members:
            epci_of[code] = e["code"]
    return {
        "source": f"{PACKAGE}@{version} (MIT)",
        "regions": regions,
        "departements": departements,
        "epci": epcis,
        # code, name, département, EPCI (SIREN, "" for the few communes outside any),
        # postcodes (space-separated)
        "communes": sorted(
            [
                c["code"],
                c["nom"],
                c["departement"],
                epci_of.get(c["code"], ""),
                " ".join(c.get("codesPostaux", [])),
            ]
            for c in communes
        ),
    }


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else VERSION
    data = extract(fetch(version), version)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # mtime=0: the same data gives the same bytes, so an unchanged refresh leaves no diff.
    OUTPUT.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    counts = {key: len(value) for key, value in data.items() if isinstance(value, list)}
    print(f"{OUTPUT.name}: {data['source']}, {counts}, {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
