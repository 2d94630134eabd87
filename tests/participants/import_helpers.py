"""Building import files in tests."""

import csv
import io

COLUMNS = [
    "external_id",
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "programme",
    "work_site",
    "start_date",
    "end_date",
    "exit_situation",
    "weekly_hours",
    "housing_at_entry",
    "housing_at_exit",
]

DEFAULTS = {
    "external_id": "A1",
    "last_name": "Durand",
    "first_name": "Ali",
    "birth_date": "1980-05-17",
    "sex": "M",
    "programme": "PHC",
    "work_site": "",
    "start_date": "2024-01-08",
    "end_date": "",
    "exit_situation": "",
    "weekly_hours": "4",
    "housing_at_entry": "RUE",
    "housing_at_exit": "",
}


def row(**values) -> dict:
    return {**DEFAULTS, **values}


def csv_bytes(rows: list[dict], *, delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    return b"\xef\xbb\xbf" + data if bom else data


def generated_rows(count: int, *, start: int = 0) -> list[dict]:
    """`count` valid rows: mostly one parcours per person, every fifth person with a second
    (PHC then CVG), a third of them exited."""
    rows: list[dict] = []
    person = start
    while len(rows) < count:
        external_id = f"P{person:06d}"
        base = {
            "external_id": external_id,
            "last_name": f"Nom{person}",
            "first_name": "Camille",
            "birth_date": f"19{60 + person % 40}-0{1 + person % 9}-1{person % 10}",
            "sex": "F" if person % 2 else "M",
        }
        if person % 5 == 0:
            rows.append(
                row(
                    **base,
                    programme="PHC",
                    start_date="2022-03-07",
                    end_date="2022-11-30",
                    exit_situation="SUITE_CVG",
                    weekly_hours="8",
                    housing_at_exit="CHRS",
                )
            )
            if len(rows) < count:
                rows.append(
                    row(**base, programme="CVG", start_date="2022-12-01", weekly_hours="26")
                )
        elif person % 3 == 0:
            rows.append(
                row(
                    **base,
                    programme="CVG",
                    start_date="2021-09-01",
                    end_date="2023-06-30",
                    exit_situation="CDI",
                    weekly_hours="24",
                    housing_at_exit="LOG_AUTONOME",
                )
            )
        else:
            rows.append(row(**base, programme="DPH", start_date="2024-02-05", weekly_hours="6"))
        person += 1
    return rows
