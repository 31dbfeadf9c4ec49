"""The published glossary (docs/glossary.csv): every concept in six languages with a source, and the form and
messages actually use its terms; superseded terms are gone, and spreadsheets with the old labels still import."""
import csv
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from occurrences.forms import load_form
from occurrences.forms.headers import choice_value, map_headers
from occurrences.i18n import LANGUAGES, catalog_path

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = list(csv.DictReader((ROOT / "docs" / "glossary.csv").open(encoding="utf-8")))
SOURCES = {"ODK2017", "ODK", "Kobo", "Enketo", "CLDR47", "Wikipedia-my", "project"}
REGIONAL = [lang for lang in LANGUAGES if lang != "en"]
FORM = load_form()


def catalog(lang):
    with catalog_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


CATALOGS = {lang: catalog(lang) for lang in REGIONAL}


def text_at(where: str, lang: str) -> str:
    kind, _, what = where.partition(":")
    if kind == "label":
        return FORM.field(what).labels[lang]
    if kind == "choice":
        term, value = what.split("=", 1)
        return next(c for c in FORM.field(term).choices if c.value == value).labels[lang]
    assert kind == "msgid", where
    return what if lang == "en" else CATALOGS[lang].get(what).string


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def test_every_concept_has_six_terms_and_a_known_source():
    assert len(GLOSSARY) >= 25
    for row in GLOSSARY:
        assert all(row[lang].strip() for lang in LANGUAGES), row["concept"]
        assert {row[f"source_{lang}"] for lang in REGIONAL} <= SOURCES, row["concept"]
        assert row["decision"].strip(), row["concept"]
    documented = (ROOT / "docs" / "glossary.md").read_text("utf-8")
    assert all(f"`{key}`" in documented for key in SOURCES)


@pytest.mark.parametrize("row", GLOSSARY, ids=lambda r: f"{r['concept']}@{r['where']}")
def test_form_labels_and_messages_use_the_glossary_terms(row):
    for lang in LANGUAGES:
        assert nfc(row[lang]) in nfc(text_at(row["where"], lang)), (row["concept"], lang)


def superseded():
    for row in GLOSSARY:
        for item in filter(None, (s.strip() for s in row["superseded"].split(";"))):
            lang, _, term = item.partition(":")
            yield row, lang, term


@pytest.mark.parametrize("row, lang, old", list(superseded()), ids=lambda v: v if isinstance(v, str) else None)
def test_superseded_terms_are_gone(row, lang, old):
    """Where the old term is part of the new one (my မသိ in မသိသော) only the concept's own text is checked;
    otherwise no message or form text of that language may still use it."""
    if old in row[lang]:
        assert old not in text_at(row["where"], lang).replace(row[lang], "")
        return
    texts = [m.string for m in CATALOGS[lang] if m.id and isinstance(m.string, str)] if lang in CATALOGS else []
    texts += [t for f in FORM.fields for t in (f.labels[lang], f.help[lang], *(c.labels[lang] for c in f.choices))]
    assert not [t for t in texts if old in t], (row["concept"], lang, old)


def test_spreadsheets_with_the_superseded_labels_still_import():
    mapping = map_headers(["ເສັ້ນຂະໜານ (ລະຕິຈູດ)", "ເສັ້ນແວງ (ລອງຈິຈູດ)", "កូអរដោនេតាមការកត់ត្រា", "រយៈបណ្តោយ"])
    assert mapping.terms == ["decimalLatitude", "decimalLongitude", "verbatimCoordinates", "decimalLongitude"]
    assert choice_value("occurrence", "countryCode", "Mi-an-ma") == "MM"
    assert choice_value("occurrence", "sex", "မသိ") == "unknown"
    assert choice_value("occurrence", "countryCode", "Myanmar (Miến Điện)") == "MM"


def test_decisions_are_recorded_as_translator_comments():
    """Each adopted or kept term of km, lo, my carries a 'Vocabulary:' comment naming its source."""
    for lang in ("km", "lo", "my"):
        notes = [" ".join(m.user_comments) for m in CATALOGS[lang] if any(c.startswith("Vocabulary:") for c in m.user_comments)]
        assert notes and all(any(s in c for s in ("Kobo", "ODK", "Enketo", "Wikipedia")) for c in notes), lang
    assert not any("please review — 'Buddhist Era'" in c for m in CATALOGS["my"] for c in m.user_comments)
