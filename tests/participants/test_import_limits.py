"""Spreadsheets read safely (issue 16.2): the limits are checked while reading, so a file of a
few kilobytes that inflates to hundreds of megabytes, a line of millions of characters, too
many rows or columns are refused in well under a second, with a French message that names
the limit."""

import io
import struct
import time
import zipfile

import pytest
from openpyxl import Workbook

from participants.importing import ImportFileError, read_file
from participants.importing.limits import ReadLimits
from participants.importing.reader import CHUNK, check_upload

HEADER = "external_id,last_name,first_name,programme,start_date,weekly_hours"
ROW = "A1,Durand,Ali,PHC,2024-01-08,4"
SHEET = "xl/worksheets/sheet1.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER_ROW = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADER.split(","))
DATA_ROW = (
    "<row>"
    + "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in ROW.split(","))
    + "</row>"
)
MB = 1024 * 1024


def _workbook_parts() -> dict[str, bytes]:
    """Every part of a one-sheet workbook openpyxl wrote, but the sheet."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != SHEET}


def xlsx(
    *,
    repeat: bytes = b"",
    inflated: int = 0,
    first_rows: str = "",
    dimension: str = "",
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A workbook whose sheet holds the header, `first_rows`, then `repeat` until the sheet
    is `inflated` bytes long, streamed through deflate (never held whole in memory)."""
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{dimension}'
        f"<sheetData><row>{HEADER_ROW}</row>{first_rows}"
    ).encode()
    tail = b"</sheetData></worksheet>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in {**_workbook_parts(), **(extra or {})}.items():
            archive.writestr(name, content)
        with archive.open(SHEET, "w") as sheet:
            sheet.write(head)
            left = max(inflated - len(head) - len(tail), 0)
            if repeat:
                block = repeat * (MB // len(repeat))
                while left >= len(block):
                    sheet.write(block)
                    left -= len(block)
                sheet.write(repeat * (left // len(repeat)))
            sheet.write(tail)
    return buffer.getvalue()


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """The same zip, its local and central headers claiming `name` inflates to `size`."""
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local = archive.getinfo(name).header_offset
    struct.pack_into("<I", data, local + 22, size)
    central = data.find(b"PK\x01\x02")  # the first central directory header
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 46)
    return bytes(data)


def refused(data: bytes, message: str, *, within: float = 1.0, **limits) -> float:
    """Reading `data` is refused with `message` in under `within` seconds of this process's
    CPU time (the reading is the process's own work: on a machine shared with other test
    runs, the wall clock also counts the wait for a core, up to several times the work);
    the time taken."""
    started = time.process_time()
    with pytest.raises(ImportFileError, match=message):
        read_file(data, limits=ReadLimits(**limits) if limits else None)
    elapsed = time.process_time() - started
    assert elapsed < within, f"refused after {elapsed:.2f} s"
    return elapsed


# XLSX: the uncompressed size, before and while inflating


def test_a_bomb_of_150_megabytes_is_refused_from_its_directory():
    data = xlsx(repeat=b"<row/>", inflated=150 * MB)
    assert len(data) < 400_000  # 150 MB of sheet in a few hundred KB
    refused(data, "100 Mo une fois décompressé")
    with pytest.raises(ImportFileError, match="limite de taille décompressée"):
        check_upload(data)  # what the upload request checks: no inflation at all


def test_a_few_kilobytes_inflating_past_a_lower_bound(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 1
    data = xlsx(repeat=b"<row/>", inflated=5 * MB)
    assert len(data) < 16_000  # 5 MB of sheet in about 12 KB
    refused(data, "1 Mo une fois décompressé")


def test_a_bomb_that_lies_about_its_size_is_cut_while_inflating():
    data = declare_size(xlsx(repeat=b"<row/>", inflated=150 * MB), SHEET, 1_000)
    check_upload(data)  # the directory looks innocent…
    refused(data, "illisible")  # …inflating stops at the declared size, the CRC fails


def test_the_inflated_bytes_are_counted_against_the_bound_too(settings):
    """Each member small enough alone, the sum inflated is what counts."""
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 1
    parts = {f"xl/media/image{n}.xml": b" " * 300_000 for n in range(4)}
    refused(xlsx(extra=parts), "1 Mo une fois décompressé")


def test_too_many_members():
    parts = {f"xl/media/p{n}.png": b"x" for n in range(200)}
    refused(xlsx(extra=parts), "limite du nombre d'éléments")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("xl/embeddings/inner.xlsx", b"PK\x03\x04", "archive imbriquée"),
        ("xl/media/inner.bin", b"PK\x03\x04 a zip without its name", "archive imbriquée"),
        ("../../etc/passwd", b"x", "chemin invalide"),
        ("/absolute.xml", b"x", "chemin invalide"),
        (
            "xl/sharedStrings.xml",
            b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]><sst/>',
            "déclaration DTD",
        ),
    ],
)
def test_odd_content_is_refused(name, content, reason):
    refused(xlsx(extra={name: content}), reason)


def test_a_declared_dimension_is_not_padded():
    """A two-row sheet claiming to span A1:XFD1048576 is read as the two rows it holds."""
    data = xlsx(first_rows=DATA_ROW, dimension='<dimension ref="A1:XFD1048576"/>')
    started = time.process_time()
    assert [row.line for row in read_file(data).rows] == [2]
    assert time.process_time() - started < 1


# XLSX: rows, columns, time


def test_xlsx_rows_past_the_limit_stop_the_reading():
    data = xlsx(repeat=DATA_ROW.encode(), inflated=2 * MB)
    refused(data, "dépasse 1\u202f000 lignes", max_rows=1_000)


def test_xlsx_columns_past_the_limit():
    far = '<row><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
    refused(xlsx(first_rows=far), "La ligne 2 dépasse 100 colonnes")


def test_xlsx_rows_beyond_the_last_spreadsheet_line():
    far = '<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>x</t></is></c></row>'
    refused(xlsx(first_rows=DATA_ROW + far), "1\u202f048\u202f576 lignes", within=3.0)


def test_the_reading_deadline():
    data = xlsx(repeat=DATA_ROW.encode(), inflated=20 * MB)
    started = time.monotonic()  # the deadline is the wall clock's: a worker's time
    refused(data, "limite de durée de lecture", max_rows=10**9, read_seconds=0.3)
    assert time.monotonic() - started >= 0.3


# CSV: decoded size, line length, rows, columns


def test_a_csv_with_a_huge_line_is_refused_without_building_it():
    data = f"{HEADER}\n{ROW}\n".encode() + b"x" * (4 * MB) + f"\n{ROW}\n".encode()
    refused(data, "La ligne 3 dépasse 65\u202f536 caractères")


def test_a_csv_header_longer_than_a_line_is_refused_at_upload():
    data = HEADER.encode() + b"," * (MB)
    with pytest.raises(ImportFileError, match="limite de longueur de ligne"):
        check_upload(data)


def test_csv_rows_past_the_limit():
    data = (f"{HEADER}\n" + f"{ROW}\n" * 2_000).encode()
    refused(data, "dépasse 1\u202f000 lignes", max_rows=1_000)


def test_csv_columns_past_the_limit():
    data = f"{HEADER}\n{ROW}\n{ROW}{',x' * 200}\n".encode()
    refused(data, "La ligne 3 dépasse 100 colonnes")


def test_csv_trailing_empty_cells_are_no_columns():
    data = f"{HEADER}{',' * 500}\n{ROW}{',' * 500}\n".encode()
    assert len(read_file(data).rows) == 1


def test_csv_decoded_size(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 1
    data = (f"{HEADER}\n" + f"{ROW}\n" * 40_000).encode()
    refused(data, "1 Mo une fois décodé")


def test_a_crlf_cut_between_two_chunks_is_one_line_ending():
    first = f"{HEADER}\r\n{ROW}\r\n"
    filler = f"{ROW},{'y' * (CHUNK - len(first) - len(ROW) - 2)}"
    data = (first + filler + "\r\n" + f"{ROW}\r\n").encode()
    assert data[CHUNK - 1 : CHUNK + 1] == b"\r\n"
    assert [row.line for row in read_file(data).rows] == [2, 3, 4]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("repeat", "message"),
    [(b"<row/>", "1\u202f048\u202f576 lignes"), (DATA_ROW.encode(), "50\u202f000 lignes")],
)
def test_a_sheet_just_under_the_size_bound_stops_at_the_row_limits(repeat, message):
    """90 MB of sheet without a <dimension> (openpyxl's own loading would walk all of it
    before the first row): the reading stops at the row limits, in the few seconds of a
    legitimate file of that many rows (1,048,576 empty lines: about 7 s, 50,000 rows: 4 s,
    on the shared development machine; the background worker pays it, no request)."""
    refused(xlsx(repeat=repeat, inflated=90 * MB), message, within=15.0)
