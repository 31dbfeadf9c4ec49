"""The small-carnivore checklist: matching in six languages, fuzzy and failed matches, sensitivity, overlay."""
import csv

import pytest

from occurrences.taxa import (GENERALISE_01, GENERALISE_02, NONE, WITHHOLD, Checklist, NamesFileInvalid,
                              add_names, default_sensitivity)


@pytest.fixture(scope="module")
def checklist():
    return Checklist.load()


@pytest.mark.parametrize("typed, accepted, how", [
    ("Paguma larvata", "Paguma larvata", "scientific"),
    ("  paguma   LARVATA ", "Paguma larvata", "scientific"),
    ("Herpestes javanicus", "Urva javanica", "synonym"),
    ("Herpestes urva", "Urva urva", "synonym"),
    ("Viverra tainguensis", "Viverra zibetha", "synonym"),
    ("Masked palm civet", "Paguma larvata", "vernacular"),
    ("อีเห็นเครือ", "Paguma larvata", "vernacular"),
    ("อีเห็น\u200bเครือ", "Paguma larvata", "vernacular"),  # zero-width space typed as a word break
    ("Cầy vòi mốc", "Paguma larvata", "vernacular"),
    ("cay voi moc", "Paguma larvata", "vernacular"),  # Vietnamese without diacritics
    ("CAYVOIMOC", "Paguma larvata", "vernacular"),  # spacing-insensitive
    ("ပန်ဒါနီ", "Ailurus fulgens", "vernacular"),
    ("พังพอน", "Urva javanica", "vernacular"),
])
def test_exact_matches(checklist, typed, accepted, how):
    result = checklist.match([typed])
    assert (result.scientific_name[0], result.matched_by[0]) == (accepted, how)
    assert not result.errors.any()


def test_synonym_is_reported(checklist):
    result = checklist.match(["Herpestes javanicus"])
    assert [p.code for _, p in result.issues] == ["TAXON_SYNONYM_REPLACED"]


@pytest.mark.parametrize("typed, accepted", [
    ("Paguma larvta", "Paguma larvata"),
    ("Arctictis binturang", "Arctictis binturong"),
    ("Cayy voi moc", "Paguma larvata"),
])
def test_fuzzy_match_is_flagged(checklist, typed, accepted):
    result = checklist.match([typed])
    assert result.scientific_name[0] == accepted and result.matched_by[0] == "fuzzy"
    (_, problem), = list(result.issues)
    assert problem.code == "TAXON_MATCH_FUZZY" and problem.severity == "warning"


def test_no_match_lists_closest_names(checklist):
    result = checklist.match(["Paguma", "Panthera tigris"])
    assert result.scientific_name.tolist() == [None, None] and result.errors.all()
    problem = result.issues.for_row(0)[0]
    assert problem.code == "TAXON_MATCH_NONE"
    assert "Paguma larvata" in problem.message("en", value="Paguma")


def test_vectorized_over_unique_names(checklist):
    result = checklist.match(["Paguma larvata", None, "xx", "Paguma larvata", ""] * 1000)
    assert (result.scientific_name[::5] == "Paguma larvata").all()
    assert result.errors.sum() == 1000


def test_species_in_a_language_never_invents_names(checklist):
    species = {s["scientificName"]: s for s in checklist.species("th")}
    assert species["Paguma larvata"]["vernacularName"] == "อีเห็นเครือ"
    assert species["Paguma larvata"]["vernacularNames"][0]["source"]
    assert species["Mustela sibirica"]["vernacularName"] is None  # no Thai source
    assert all(s["vernacularName"] is None for s in checklist.species("km"))
    assert all(s["vernacularName"] is None for s in checklist.species("lo"))
    assert len(species) == 29  # every in-region MDD species outside the otters


@pytest.mark.parametrize("iucn, trade, level", [
    ("LC", False, NONE), ("LC", True, GENERALISE_01), ("NT", False, GENERALISE_01), ("VU", False, GENERALISE_01),
    ("VU", True, GENERALISE_02), ("EN", False, GENERALISE_02), ("EN", True, WITHHOLD), ("CR", False, WITHHOLD),
])
def test_sensitivity_policy(iucn, trade, level):
    assert default_sensitivity(iucn, trade) == level


def test_sensitivity_and_countries(checklist):
    assert checklist.sensitivity("Paradoxurus hermaphroditus") == NONE
    assert checklist.sensitivity("Large-spotted civet") == GENERALISE_02  # EN
    assert checklist.sensitivity("แพนด้าแดง") == WITHHOLD  # EN + trade
    assert checklist.sensitivity("Ailurus styani") == WITHHOLD  # EN (inherited from A. fulgens) + CITES I
    assert checklist.countries("Mustela sibirica")[-3:] == ("RU", "TH", "TW")  # MDD countryDistribution, sorted
    assert checklist.countries("Cynogale bennettii") == ("BN", "ID", "MY", "SG")  # "Thailand?" is not certain
    assert checklist.range("Cynogale bennettii").uncertain == {"TH"}


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["scientific_name", "language", "name", "source"])
        writer.writerows(rows)
    return path


def test_add_names_persists_in_overlay(tmp_path):
    overlay = tmp_path / "names_overlay.csv"
    names = write(tmp_path / "new.csv", [["Paguma larvata", "lo", "ເຫັນ", "Partner field guide 2024, p. 12"],
                                         ["paguma larvata", "lo", "ເຫັນ", "duplicate"]])
    assert add_names(names, overlay) == 1
    assert add_names(names, overlay) == 0  # idempotent
    with open(overlay, encoding="utf-8") as fh:
        assert list(csv.DictReader(fh)) == [{"scientific_name": "Paguma larvata", "language": "lo", "name": "ເຫັນ",
                                              "source": "Partner field guide 2024, p. 12"}]
    reloaded = Checklist.load(overlay)
    assert reloaded.match(["ເຫັນ"]).scientific_name[0] == "Paguma larvata"
    lao = {s["scientificName"]: s for s in reloaded.species("lo")}["Paguma larvata"]
    assert lao["vernacularNames"] == [{"name": "ເຫັນ", "source": "Partner field guide 2024, p. 12"}]


@pytest.mark.parametrize("row, words", [
    (["Paguma larvata", "lo", "ເຫັນ", ""], "source"),
    (["Paguma larvata", "fr", "civette", "x"], "language"),
    (["Panthera tigris", "th", "เสือ", "x"], "not on the checklist"),
])
def test_add_names_refuses_bad_rows_and_writes_nothing(tmp_path, row, words):
    overlay = tmp_path / "names_overlay.csv"
    names = write(tmp_path / "new.csv", [["Paguma larvata", "lo", "ok", "src"], row])
    with pytest.raises(NamesFileInvalid) as err:
        add_names(names, overlay)
    assert "Row 3 of new.csv" in err.value.message("en") and words in err.value.message("en")
    assert not overlay.exists()
