"""The form definition is the single source of the per-language form JSON, the templates and the XLSForm."""
import csv
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from occurrences.cli import cli
from occurrences.forms import LANGUAGE_ENGLISH_NAMES, load_form
from occurrences.forms.headers import header_key, map_headers
from occurrences.forms.schema import submission_model
from occurrences.i18n import LANGUAGES
from occurrences.records import BASIS_OF_RECORD, FIELD_BY_NAME

FORM = load_form()
REGIONAL = [lang for lang in LANGUAGES if lang != "en"]


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("lang", LANGUAGES)
def test_form_json_per_language(lang):
    data = json.loads(run("form", "--lang", lang, "--json"))
    assert data["lang"] == lang
    terms = [f["term"] for f in data["fields"]]
    assert {"scientificName", "eventDate", "basisOfRecord", "decimalLatitude", "samplingProtocol", "sex",
            "lifeStage"} <= set(terms)
    for f in data["fields"]:
        assert set(f) >= {"term", "label", "type", "required", "choices"}
        assert f["label"] == FORM.field(f["term"]).labels[lang]
        for c in f["choices"]:
            assert set(c) == {"value", "label"} and c["label"]
    basis = next(f for f in data["fields"] if f["term"] == "basisOfRecord")
    assert basis["required"] and {c["value"] for c in basis["choices"]} <= set(BASIS_OF_RECORD)
    assert len({f["label"] for f in data["fields"]}) == len(data["fields"])  # labels distinct → headers map


def test_every_text_is_translated_not_left_in_english():
    """Field labels, help and choice labels differ from English in every regional language, except proper
    names (datums) that the definition marks for review."""
    for f in FORM.fields:
        assert f.term in FIELD_BY_NAME
        for lang in REGIONAL:
            assert f.labels[lang] != f.labels["en"], (f.term, lang)
            assert f.help[lang] != f.help["en"], (f.term, lang)
            for c in f.choices:
                if c.labels[lang] == c.labels["en"]:
                    assert f.review, (f.term, c.value, lang)


def test_header_labels_name_one_field_in_any_language():
    seen = {}
    for f in FORM.fields:
        for lang in LANGUAGES:
            key = header_key(f.labels[lang])
            assert seen.setdefault(key, f.term) == f.term
    mapping = map_headers([FORM.field("scientificName").labels["km"], "eventDate",
                           FORM.field("decimalLatitude").labels["km"] + " *", "ຫຍັງ"])
    assert mapping.terms == ["scientificName", "eventDate", "decimalLatitude", None]
    assert mapping.language == "km"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_csv_and_xlsx_templates_read_back(tmp_path, lang):
    labels = [f.labels[lang] for f in FORM.fields]
    run("template", "--lang", lang, "--format", "csv", "-o", str(tmp_path / "t.csv"))
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as fh:
        assert next(csv.reader(fh)) == labels
    run("template", "--lang", lang, "--format", "xlsx", "-o", str(tmp_path / "t.xlsx"))
    wb = load_workbook(tmp_path / "t.xlsx")
    ws = wb["records"]
    assert [c.value for c in ws[1]] == labels
    sex_col = labels.index(FORM.field("sex").labels[lang]) + 1
    assert ws.cell(row=1, column=sex_col).comment.text == FORM.field("sex").help[lang]
    lists = wb["lists"]
    sex_list = next(col for col in lists.iter_cols(values_only=True) if col[0] == "sex")
    assert [v for v in sex_list[1:] if v] == [c.labels[lang] for c in FORM.field("sex").choices]
    assert ws.data_validations.dataValidation  # pick lists on choice columns


def test_xlsform_converts_with_pyxform(tmp_path):
    from pyxform.xls2xform import convert

    path = tmp_path / "form.xlsx"
    run("template", "--lang", "th", "--format", "xlsform", "-o", str(path))
    wb = load_workbook(path)
    header = [c.value for c in wb["survey"][1]]
    for lang in LANGUAGES:
        assert f"label::{LANGUAGE_ENGLISH_NAMES[lang]} ({lang})" in header
        assert f"hint::{LANGUAGE_ENGLISH_NAMES[lang]} ({lang})" in header
    assert [r[1] for r in wb["settings"].iter_rows(min_row=2, values_only=True)] == ["occurrence"]
    result = convert(xlsform=str(path))
    xml = result.xform
    assert 'lang="Thai (th)"' in xml and 'lang="Burmese (my)"' in xml
    assert FORM.field("scientificName").labels["th"] in xml
    assert "camera_trap" in xml  # choice names are the stored values (spaces → underscores)


def test_api_schema_is_derived_from_the_definition():
    model = submission_model()
    assert set(model.model_fields) == set(FORM.terms) | {"lang"}
    with pytest.raises(Exception):
        model(colour="brown")
