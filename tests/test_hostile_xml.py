"""Hostile XML in a Darwin Core Archive (issue 14, item 8): an external entity or a billion-laughs meta.xml or
eml.xml is refused with a clear, translated message (no ParseError traceback), fast, before any parser expands
it; a well-formed archive still imports."""
import time
import zipfile

import pytest
from click.testing import CliRunner

from occurrences.cli import cli
from occurrences.importers import import_path
from occurrences.ingest.problems import BadXml, UnsafeXml
from occurrences.store import Filters, open_store

DWC = "http://rs.tdwg.org/dwc/terms/"
META = (f'<archive xmlns="http://rs.tdwg.org/dwc/text/"><core encoding="UTF-8" fieldsTerminatedBy="\\t" '
        f'linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="{DWC}Occurrence">'
        f'<files><location>occurrence.txt</location></files><id index="0"/>'
        + "".join(f'<field index="{i}" term="{DWC}{n}"/>' for i, n in enumerate(
            ["occurrenceID", "basisOfRecord", "scientificName", "eventDate", "decimalLatitude", "decimalLongitude",
             "countryCode"])) + "</core></archive>")
ROWS = ("occurrenceID\tbasisOfRecord\tscientificName\teventDate\tdecimalLatitude\tdecimalLongitude\tcountryCode\n"
        "x-1\tHumanObservation\tPaguma larvata\t2021-04-05\t15.1\t100.2\tTH\n")
XXE_PROLOG = '<?xml version="1.0"?><!DOCTYPE archive [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE archive [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + "]>")
HOSTILE = {
    "xxe-meta": {"meta.xml": XXE_PROLOG + META.replace("Occurrence\">", "Occurrence\"><!-- &xxe; -->")},
    "xxe-meta-used": {"meta.xml": XXE_PROLOG + META.replace("<files>", "<files>&xxe;")},
    "laughs-meta": {"meta.xml": LAUGHS + META.replace("<files>", "<files>&lol9;")},
    "xxe-eml": {"meta.xml": META, "eml.xml": XXE_PROLOG + "<eml>&xxe;</eml>"},
    "laughs-eml": {"meta.xml": META, "eml.xml": LAUGHS + "<eml>&lol9;</eml>"},
    "doctype-only": {"meta.xml": '<?xml version="1.0"?><!DOCTYPE archive SYSTEM "http://evil/x.dtd">' + META},
}


def archive(tmp_path, name: str, parts: dict) -> "Path":  # noqa: F821
    path = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for part, text in parts.items():
            zf.writestr(part, text)
        zf.writestr("occurrence.txt", ROWS)
    return path


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_archive_xml_is_refused_clearly(tmp_path, name):
    path = archive(tmp_path, name, HOSTILE[name])
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    start = time.perf_counter()
    with pytest.raises(UnsafeXml) as caught:
        import_path(store, path, submitted_by="t")
    assert time.perf_counter() - start < 2
    assert store.count(Filters(access="full", status=["accepted", "pending", "rejected"])) == 0
    english, thai = caught.value.message("en"), caught.value.message("th")
    assert path.name in english and "document type" in english and english != thai and path.name in thai
    store.close()


def test_cli_shows_a_message_not_a_traceback(tmp_path):
    path = archive(tmp_path, "xxe", HOSTILE["xxe-meta-used"])
    result = CliRunner().invoke(cli, ["import", str(path), "--db", f"sqlite:///{tmp_path / 'c.db'}"])
    assert result.exit_code != 0
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert "ParseError" not in result.output and "meta.xml" in result.output


def test_broken_xml_is_a_clear_refusal_too(tmp_path):
    path = archive(tmp_path, "broken", {"meta.xml": META[:-10]})
    with pytest.raises(BadXml) as caught:
        import_path(open_store(f"sqlite:///{tmp_path / 'b.db'}"), path, submitted_by="t")
    assert "meta.xml" in caught.value.message("en")


def test_a_plain_archive_still_imports(tmp_path):
    path = archive(tmp_path, "good", {"meta.xml": META, "eml.xml": "<eml><dataset><title>x</title></dataset></eml>"})
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    assert import_path(store, path, submitted_by="t", status="accepted").stored == 1
    store.close()


@pytest.mark.parametrize("layout", ["subfolder-zip", "tgz"])
def test_hostile_meta_in_a_folder_or_a_tarball_is_refused_too(tmp_path, layout):
    """Archives zipped with their folder, and .tgz archives, are read by the importer: their XML is checked too."""
    import io
    import tarfile

    parts = {"meta.xml": XXE_PROLOG + META.replace("<files>", "<files>&xxe;"), "occurrence.txt": ROWS}
    if layout == "tgz":
        path = tmp_path / "a.tgz"
        with tarfile.open(path, "w:gz") as tf:
            for name, text in parts.items():
                data = text.encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    else:
        path = tmp_path / "a.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for name, text in parts.items():
                zf.writestr(f"dataset/{name}", text)
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(UnsafeXml):
        import_path(store, path, fmt="dwca", submitted_by="t")
    assert store.count(Filters(access="full")) == 0
