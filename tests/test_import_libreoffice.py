"""A GBIF download re-saved by a real spreadsheet program (LibreOffice Calc, see tests/data/libreoffice/README.md)
is still read as GBIF's columns, through the CLI and the upload page's path alike: comma CSV with LibreOffice's
quoting, and XLSX with LibreOffice's date cells and (in a decimal-comma locale) coordinates stored as text."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from occurrences.cli import cli
from occurrences.ingest import import_bytes
from occurrences.store import open_store

FILES = Path(__file__).parent / "data" / "libreoffice"


@pytest.mark.parametrize("name", ["gbif-simple.vi-VN.csv", "gbif-simple.en-US.xlsx", "gbif-simple.vi-VN.xlsx"])
def test_gbif_download_resaved_by_libreoffice_imports_as_gbif(tmp_path, name):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(cli, ["import", str(FILES / name), "--db", db])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    first = store.get("https://www.gbif.org/occurrence/1001", access="full")
    assert first["scientificName"] == "Paguma larvata"  # GBIF's species column, not a clash with scientificName
    assert first["eventDate"] == "2019-03-15" and first["basisOfRecord"] == "HumanObservation"
    assert (first["decimalLatitude"], first["decimalLongitude"]) == (14.4391234, 101.3712345)
    assert first["locality"] == 'เขาใหญ่ "north"'
    assert "gbif:COORDINATE_ROUNDED" in first["issues"]
    assert store.get("my-occ-2", access="full")["basisOfRecord"] == "MachineObservation"
    store.close()


def test_upload_path_reads_a_resaved_gbif_download_too(tmp_path):
    """``import_bytes`` (the /upload page and POST of a file) used to take it for a form with two name columns."""
    store = open_store(f"sqlite:///{tmp_path / 'u.db'}")
    data = (FILES / "gbif-simple.en-US.xlsx").read_bytes()
    result = import_bytes(store, data, "download.xlsx", submitted_by="someone", dry_run=True)
    assert result.batch.n == 3 and result.batch.ok
    store.close()


@pytest.mark.parametrize("name, rows", [
    # th-TH: the spreadsheet made date cells in year 2567, a Buddhist Era year read as a Common Era one
    ("template-th.th-TH.xlsx", {"th-lo-1": ("2024-03-15", 18.805, 98.9217),
                                "th-lo-2": ("2024-03-16", 18.8051, 98.9218)}),
    ("template-th.csv", {"th-lo-1": ("2024-03-15", 18.805, 98.9217), "th-lo-2": ("2024-03-16", 18.8051, 98.9218)}),
    ("template-vi.vi-VN.xlsx", {"vi-lo-1": ("2024-03-15", 18.9012, 104.7321)}),
    ("template-km.km-KH.xlsx", {"km-lo-1": ("2024-03-15", 12.45, 107.21)}),
])
def test_filled_templates_saved_by_libreoffice_in_the_regions_locales(tmp_path, name, rows):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(cli, ["import", str(FILES / name), "--db", db])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    for occurrence_id, (date, lat, lon) in rows.items():
        got = store.get(occurrence_id, access="full")
        assert (got["eventDate"], got["decimalLatitude"], got["decimalLongitude"]) == (date, lat, lon)
    store.close()
