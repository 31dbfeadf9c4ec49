"""Province names on the pages come in the reader's language where a source gives them (issue 17)."""
import csv

import pytest
from fastapi.testclient import TestClient

import occurrences.api  # noqa: F401  (the web package is imported through the app)
from occurrences.api import create_app
from occurrences.i18n import data_dir
from occurrences.quality import province_names
from occurrences.settings import Settings
from occurrences.store import open_store
from occurrences.web.labels import Values

from .test_web_pages import visible_texts


def test_viet_nam_provinces_are_shown_in_the_readers_language():
    assert Values("lo").province("Quảng Trị") == "ກວາງຕຣີ"  # iso-codes' Lao name
    assert Values("th").province("Quảng Trị") == "กว่างตรี"
    assert Values("vi").province("Quang Tri") == "Quảng Trị"  # romanised input, official name out


def test_provinces_of_the_other_four_countries_come_from_cldr():
    assert Values("th").province("Chiang Mai") == "จังหวัดเชียงใหม่"
    assert Values("lo").province("Chiang Mai") == "ຈັງຫວັດຊຽງໃໝ່"
    assert Values("en").province("เชียงใหม่") == "Chiang Mai"  # a local name stored, the English one shown
    assert Values("en").province("จังหวัดเชียงใหม่") == "Chiang Mai"
    assert Values("km").province("Siem Reab") == "ខេត្តសៀមរាប"  # the ISO 3166-2 spelling is recognised
    assert Values("lo").province("Savannakhét") == "ແຂວງສະຫວັນນະເຂດ"
    assert Values("my").province("Mandalay Region") == "မန္တလေးတိုင်း"
    assert Values("th").province("Bolikhamxay") == "แขวงบริคำไชย"  # a romanisation neither ISO nor CLDR gives
    assert Values("vi").province("Buri Ram") == "Buri Ram"  # CLDR's "Buri Ram (tỉnh)" without its disambiguator
    assert Values("th").province("ນະຄອນພະນົມ") == "จังหวัดนครพนม"  # Lao name without ຈັງຫວັດ ("province")


def test_english_where_cldr_has_no_name_in_the_language():
    # CLDR 48 has no Burmese name for Chiang Rai's neighbour Phayao, nor a Lao one for Magway.
    assert Values("my").province("Phayao") == "Phayao"
    assert Values("my").province("พะเยา") == "Phayao"  # English, not the stored Thai
    assert Values("lo").province("Magway") == "Magway"


def test_values_that_name_no_province_are_shown_as_stored():
    assert Values("th").province("Somewhere near the river") == "Somewhere near the river"
    assert Values("th").province("Viangchan") == "Viangchan"  # ISO's name of two Lao units: not guessed
    assert Values("km").province(None) == ""


def test_every_name_finds_its_own_province():
    names = province_names.load()
    for province in names.provinces:
        for lang, name in province.names.items():
            assert names.find(name) is province, (province.code, lang, name)


def test_the_file_is_the_cldr_extract_and_never_invents_a_name():
    """Every display name is a CLDR name (at most a disambiguator dropped and spaces collapsed), and a
    language without a CLDR name has an empty cell, never a made-up one."""
    folder = data_dir("geodata") / "provinces"
    with (folder / "cldr_subdivisions.csv").open(encoding="utf-8", newline="") as fh:
        extract = {(r["code"], r["lang"]): r["name"] for r in csv.DictReader(fh)}
    with (folder / "names.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 136 and {r["country"] for r in rows} == {"TH", "KH", "LA", "MM"}
    for row in rows:
        for lang in province_names.LANGS:
            if (row["code"], lang) in extract:
                cldr = " ".join(extract[(row["code"], lang)].split())
                assert row[lang] and cldr.startswith(row[lang]), (row["code"], lang)
            else:
                assert row[lang] == "", (row["code"], lang)
    assert province_names.load().coverage() == {"en": 136, "th": 136, "vi": 135, "km": 133, "lo": 124, "my": 41}


PROVINCE_RECORDS = [
    {"occurrenceID": "prov-th", "basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
     "eventDate": "2019-03-02", "decimalLatitude": 18.79, "decimalLongitude": 98.98, "countryCode": "TH",
     "stateProvince": "Chiang Mai"},
    {"occurrenceID": "prov-mm", "basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
     "eventDate": "2019-03-02", "decimalLatitude": 19.75, "decimalLongitude": 96.10, "countryCode": "MM",
     "stateProvince": "Magway"},
    {"occurrenceID": "prov-other", "basisOfRecord": "HumanObservation", "scientificName": "Paguma larvata",
     "eventDate": "2019-03-02", "decimalLatitude": 13.36, "decimalLongitude": 103.86, "countryCode": "KH",
     "stateProvince": "Near the old dam"},
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('labels') / 'labels.db'}"
    store = open_store(url)
    store.add_many(PROVINCE_RECORDS, submitted_by="demo", status="accepted")
    store.close()
    with TestClient(create_app(Settings(db=url))) as c:
        yield c


def test_record_page_shows_the_province_in_the_readers_language(client):
    assert "จังหวัดเชียงใหม่" in visible_texts(client.get("/records/prov-th", params={"lang": "th"}).text)
    assert "ខេត្តឈៀងម៉ៃ" in visible_texts(client.get("/records/prov-th", params={"lang": "km"}).text)
    english = visible_texts(client.get("/records/prov-th", params={"lang": "en"}).text)
    assert "Chiang Mai" in english


def test_record_page_falls_back_to_english_or_the_stored_value(client):
    assert "Magway" in visible_texts(client.get("/records/prov-mm", params={"lang": "lo"}).text)  # no Lao name
    assert "Near the old dam" in visible_texts(client.get("/records/prov-other", params={"lang": "th"}).text)


def test_search_table_shows_the_province_in_the_readers_language(client):
    texts = visible_texts(client.get("/search", params={"lang": "lo", "countryCode": "TH"}).text)
    assert "ຈັງຫວັດຊຽງໃໝ່" in texts


def test_a_province_filter_in_any_language_finds_the_records_stored_under_another():
    assert province_names.expand(["Nowhere"]) == ["Nowhere"]
    assert "Chiang Mai" in province_names.expand(["เชียงใหม่"])
    # "Vientiane" is the prefecture's English name: the province's filter does not take it, nor ISO's
    # "Viangchan", which names both.
    assert not {"Vientiane", "Viangchan"} & set(province_names.expand(["Vientiane Province"]))


@pytest.mark.parametrize("typed", ["เชียงใหม่", "ຈັງຫວັດຊຽງໃໝ່", "Chiang Mai"])
def test_search_by_a_province_name_in_another_language(client, typed):
    html = client.get("/search", params={"lang": "th", "stateProvince": typed}).text
    assert "/records/prov-th" in html and "/records/prov-mm" not in html


def test_other_spellings_are_not_already_iso_or_cldr_names_and_name_one_province():
    names = province_names.load()
    for code, spellings in province_names.OTHER_SPELLINGS.items():
        province = names.by_code[code]
        known = {province_names.fold(n) for n in (province.iso_name, *province.names.values())}
        for spelling in spellings:
            assert province_names.fold(spelling) not in known, spelling
            assert names.find(spelling) is province, spelling
