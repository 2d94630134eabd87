"""quality.md S16: malformed files never cause a server error.

1,000 Hypothesis-generated malformed CSVs (bad encodings, BOMs, `;` vs `,`, stray quotes,
huge fields, mixed line endings, binary noise) go through the reader and the preview: each
ends in a French refusal of the file or a report, never an exception. A sample of them also
goes through the upload view: never an HTTP 500.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participants.importing import ImportFileError, ImportReport, analyse, read_file
from tests import factories as f
from tests.hypothesis_profiles import examples

pytestmark = pytest.mark.django_db

HEADERS = [
    "external_id",
    "identifiant",
    "nom",
    "last_name",
    "prenom",
    "programme",
    "date_entree",
    "heures_hebdo",
    "date_sortie",
    "situation_sortie",
    "sexe",
    "site",
    "logement_entree",
    "Inconnue",
]
CELLS = st.one_of(
    st.sampled_from(
        ["A1", "PHC", "CVG", "XYZ", "2024-01-08", "31/02/2024", "4", "4,5", "-3", "1e9", "F", ""]
    ),
    st.text(max_size=30),
    st.text(alphabet='";,\r\n\t\\', max_size=10),
    st.just("x" * 2000),
)


@st.composite
def malformed_csv(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=10))
    rows = draw(st.lists(st.lists(CELLS, max_size=12), max_size=8))
    lines = [delimiter.join(header)] + [
        delimiter.join(cell if draw(st.booleans()) else f'"{cell}' for cell in cells)
        for cells in rows
    ]
    text = newline.join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    noise = draw(st.binary(max_size=20))
    position = draw(st.integers(min_value=0, max_value=len(data)))
    if draw(st.booleans()):
        data = data[:position] + noise + data[position:]
    return data


@pytest.fixture
def structure(structure_a):
    for code in ("CVG", "PHC", "DPH", "IAE"):
        f.programme(code)
    return structure_a


@settings(
    max_examples=examples(1_000),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=malformed_csv())
def test_reader_and_preview_never_crash(structure, data):
    try:
        parsed = read_file(data)
    except ImportFileError as error:
        assert str(error)
        return
    assert isinstance(analyse(parsed, structure=structure), ImportReport)


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=malformed_csv())
def test_upload_view_never_answers_500(client, caseworker_a, structure, data):
    client.force_login(caseworker_a)
    response = client.post(
        reverse("participants:import_upload"), {"file": SimpleUploadedFile("f.csv", data)}
    )
    assert response.status_code in (200, 302)
