"""Reading import files: CSV with `,` or `;`, UTF-8 with or without BOM, XLSX; refusals."""

import io

import pytest
from openpyxl import Workbook

from participants.importing import MAX_BYTES, ImportFileError, read_file
from participants.importing.columns import column_for_header

HEADER_EN = "external_id,last_name,first_name,birth_date,sex,programme,start_date,weekly_hours"
ROW_EN = "A1,Durand,Ali,1980-05-17,M,PHC,2024-01-08,4"


def test_english_header_with_commas():
    parsed = read_file(f"{HEADER_EN}\n{ROW_EN}\n".encode())
    assert parsed.kind == "CSV"
    assert [row.line for row in parsed.rows] == [2]
    assert parsed.rows[0].cells["last_name"] == "Durand"
    assert parsed.rows[0].cells["weekly_hours"] == "4"


def test_french_aliases_semicolons_and_bom():
    text = (
        "Identifiant;Nom;Prénom;Date de naissance;Sexe;Programme;Site;Date d'entrée;"
        "Date de sortie;Situation de sortie;Heures hebdo;Logement entrée;Logement sortie\n"
        "B7;Lefèvre;Zoé;17/05/1980;F;CVG;La Claire Fontaine;08/01/2024;;;26;RUE;\n"
    )
    parsed = read_file(b"\xef\xbb\xbf" + text.encode("utf-8"))
    cells = parsed.rows[0].cells
    assert cells["external_id"] == "B7"  # the BOM is not part of the first header
    assert cells["first_name"] == "Zoé"
    assert cells["work_site"] == "La Claire Fontaine"
    assert cells["housing_at_entry"] == "RUE"
    assert set(parsed.columns) >= {"end_date", "exit_situation", "housing_at_exit"}


def test_semicolon_file_with_commas_inside_cells():
    text = (
        "identifiant;nom;prenom;programme;date_entree;heures_hebdo\n"
        "X;Martin, dit Bob;Léa;PHC;2024-01-08;4,5\n"
    )
    cells = read_file(text.encode()).rows[0].cells
    assert cells["last_name"] == "Martin, dit Bob"
    assert cells["weekly_hours"] == "4,5"


def test_blank_lines_are_skipped_but_keep_line_numbers():
    parsed = read_file(f"{HEADER_EN}\r\n\r\n{ROW_EN}\r\n,,,,,,,\r\n{ROW_EN}".encode())
    assert [row.line for row in parsed.rows] == [3, 5]


def test_unknown_columns_are_reported_and_ignored():
    parsed = read_file(f"{HEADER_EN},Commentaire\n{ROW_EN},rien\n".encode())
    assert parsed.ignored_headers == ["Commentaire"]
    assert "Commentaire" not in parsed.rows[0].cells


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("DATE ENTREE", "start_date"),
        ("date_sortie", "end_date"),
        ("Situation de sortie", "exit_situation"),
        ("heures hebdomadaires", "weekly_hours"),
        ("Logement à la sortie", "housing_at_exit"),
        ("  prénom ", "first_name"),
        ("Remarques", None),
    ],
)
def test_header_aliases(header, key):
    assert column_for_header(header) == key


def test_xlsx_with_dates_and_numbers():
    import datetime as dt

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "identifiant",
            "nom",
            "prenom",
            "date_naissance",
            "programme",
            "date_entree",
            "heures_hebdo",
        ]
    )
    sheet.append(["7", "Durand", "Ali", dt.datetime(1980, 5, 17), "PHC", dt.date(2024, 1, 8), 4.0])
    sheet.append([8, "Petit", "Jo", None, "DPH", "08/01/2024", 2.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = read_file(buffer.getvalue())
    assert parsed.kind == "XLSX"
    first, second = (row.cells for row in parsed.rows)
    assert first["birth_date"] == "1980-05-17"
    assert first["start_date"] == "2024-01-08"
    assert first["weekly_hours"] == "4"
    assert second["external_id"] == "8"
    assert second["weekly_hours"] == "2.5"
    assert [row.line for row in parsed.rows] == [2, 3]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b"%PDF-1.7 whatever", "ni un CSV ni un classeur"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "ni un CSV ni un classeur"),
        (b"nom;prenom\x00;x", "ni un CSV ni un classeur"),
        ("identifiant;nom;prénom".encode("latin-1"), "UTF-8"),
        (b"PK\x03\x04 not really a zip", "illisible"),
        (b"identifiant;nom\nA;B\n", "Colonnes obligatoires absentes"),
        (f"{HEADER_EN}\n".encode(), "aucune ligne de données"),
        (b"nom,nom,prenom\n", "apparaît deux fois"),
    ],
)
def test_refused_files_say_why_in_french(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_file(data)


def test_file_over_five_megabytes_is_refused():
    data = (f"{HEADER_EN}\n" + f"{ROW_EN}\n" * (MAX_BYTES // len(ROW_EN) + 10)).encode()
    assert len(data) > MAX_BYTES
    with pytest.raises(ImportFileError, match="5 Mo"):
        read_file(data)


def test_file_over_the_row_cap_is_refused():
    data = (f"{HEADER_EN}\n" + f"{ROW_EN}\n" * 11).encode()
    assert len(read_file(data, max_rows=11).rows) == 11
    with pytest.raises(ImportFileError, match="10"):
        read_file(data, max_rows=10)


def test_default_row_cap_is_fifty_thousand():
    short = "e,l,f,p,s,w\n"
    data = (
        "external_id,last_name,first_name,programme,start_date,weekly_hours\n" + short * 50_001
    ).encode()
    assert len(data) < MAX_BYTES
    with pytest.raises(ImportFileError, match="50"):
        read_file(data)
