"""Excel serial numbers in XLSX date columns use the workbook's own date system (1900 or 1904); a column with
text dates in one row and serials in the next reads each, the serials flagged with the date they gave."""
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from occurrences.ingest import import_bytes
from occurrences.store import Filters, open_store

HEADER = ["occurrenceID", "basisOfRecord", "scientificName", "eventDate", "decimalLatitude", "decimalLongitude",
          "countryCode"]


def workbook(rows, mac_1904: bool) -> bytes:
    wb = Workbook()
    if mac_1904:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "records"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(oid, when, lat=18.79):
    return [oid, "HumanObservation", "Paguma larvata", when, lat, 98.98, "TH"]


@pytest.mark.parametrize("mac_1904, epoch", [(False, date(1899, 12, 30)), (True, date(1904, 1, 1))])
def test_text_serial_and_date_cells_in_one_column(tmp_path, mac_1904, epoch):
    serial = 43600  # typed as a plain number in a date column
    data = workbook([row("e-1", "15/3/2024"), row("e-2", serial, 18.7), row("e-3", datetime(2021, 6, 1), 18.6)],
                    mac_1904)
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    result = import_bytes(store, data, "dates.xlsx", submitted_by="t")
    assert result.stored == 3
    got = {i: store.get(i, access="full") for i in ("e-1", "e-2", "e-3")}
    expected = (epoch + timedelta(days=serial)).isoformat()
    assert [got[i]["eventDate"] for i in ("e-1", "e-2", "e-3")] == ["2024-03-15", expected, "2021-06-01"]
    assert got["e-2"]["issues"] == ["DATE_EXCEL_SERIAL_WORKBOOK"]
    flag = next(f for f in result.report.rows[1].flags if f.code == "DATE_EXCEL_SERIAL_WORKBOOK")
    message = flag.message("en")
    assert expected in message and str(1904 if mac_1904 else 1900) in message
    assert got["e-1"]["issues"] == [] and got["e-3"]["issues"] == []


def test_a_serial_in_a_csv_keeps_naming_both_systems(tmp_path):
    body = ",".join(HEADER) + "\ne-1,HumanObservation,Paguma larvata,43600,18.79,98.98,TH\n"
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    result = import_bytes(store, body.encode(), "dates.csv", submitted_by="t")
    [flag] = [f for f in result.report.rows[0].flags if f.code.startswith("DATE_")]
    assert flag.code == "DATE_EXCEL_SERIAL" and "2019-05-15" in flag.message("en") and "2023-05-16" in flag.message("en")
    assert store.count(Filters(access="full", status=["pending"])) == 1
