"""The checklist built from the Mammal Diversity Database extract: agreement with the extract, country
plausibility for every species, out-of-region names, taxonomic splits, CITES provenance and refused inputs."""
import csv
import os
import shutil

import pytest

from occurrences import taxa_build
from occurrences.ingest import _species_countries, import_bytes
from occurrences.quality import check_batch
from occurrences.store import open_store
from occurrences.taxa import DATA_DIR, Checklist, ChecklistFileInvalid, add_names

OTTERS = {"Aonyx", "Lutra", "Lutrogale"}
REGION = ["KH", "LA", "MM", "TH", "VN"]
FAR_AWAY = "AU"  # no small carnivore of the extract lives in Australia


def mdd_rows(in_region):
    with open(DATA_DIR / "mdd" / "mdd_small_carnivores.csv", encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["in_region"] == in_region and r["genus"] not in OTTERS]


IN_REGION = mdd_rows("1")
OUTSIDE = mdd_rows("0")


def name(row):
    return row["sciName"].replace("_", " ")


def countries(row, uncertain):
    entries = [c for c in row["countryDistribution"].split("|") if c.endswith("?") == uncertain]
    return {taxa_build._country_code(c.rstrip("?")) for c in entries}


@pytest.fixture(scope="module")
def checklist():
    return Checklist.load()


def test_packaged_files_are_what_the_build_step_makes():
    assert taxa_build.stale() == [], "run: python -m occurrences.taxa_build"


def test_extract_copied_verbatim_with_its_provenance():
    shared = next((d / "shared" / "data" for d in DATA_DIR.parents if (d / "shared" / "data").is_dir()), DATA_DIR)
    readme = (DATA_DIR / "mdd" / "README.md").read_text("utf-8")
    assert "178218be0fecdbde1c00c255fe1826d482e04cf4" in readme and "CC BY 4.0" in readme
    if (shared / "mdd_small_carnivores.csv").exists():  # the shared copy exists on the team's machines only
        assert (shared / "mdd_small_carnivores.csv").read_bytes() == \
            (DATA_DIR / "mdd" / "mdd_small_carnivores.csv").read_bytes()


@pytest.mark.parametrize("row", IN_REGION, ids=name)
def test_checklist_agrees_with_the_extract(checklist, row):
    taxon = checklist.taxa[name(row)]
    assert set(taxon.countries) == countries(row, uncertain=False)
    assert set(taxon.countries_uncertain) == countries(row, uncertain=True) - countries(row, uncertain=False)
    assert taxon.family.upper() == row["family"]
    assert taxon.mdd_english[0] == row["mainCommonName"]
    if row["iucnStatus"] != "NA":
        assert taxon.iucn_category == row["iucnStatus"] and "178218b" in taxon.iucn_source
    else:  # split off by MDD: the category of the species it was split from, saying so
        assert taxon.split_from and taxon.iucn_category == checklist.taxa[taxon.split_from].iucn_category
        assert "none given" in taxon.iucn_source


def test_every_in_region_species_outside_the_otters_and_our_names_kept(checklist):
    assert set(checklist.taxa) == {name(r) for r in IN_REGION} and len(checklist.taxa) == 29
    assert {"Ailurus styani", "Melogale cucphuongensis", "Mustela nudipes", "Mustela nivalis", "Arctonyx albogularis",
            "Urva auropunctata", "Paradoxurus musanga"} <= set(checklist.taxa)
    binturong = checklist.taxa["Arctictis binturong"]
    assert [n.name for n in binturong.names_in("th")] == ["หมีขอ", "หมีกระรอก", "บินตุรง"]
    assert all(n.source for n in binturong.names)
    assert checklist.match(["Malay Weasel"]).scientific_name[0] == "Mustela nudipes"  # MDD's English name
    assert checklist.match(["Bearcat"]).scientific_name[0] == "Arctictis binturong"  # not MDD's "Bear Cat" panda


def rows_for(cases):
    return {"scientificName": [c[0] for c in cases], "countryCode": [c[1] for c in cases]}


def codes(result, row):
    return [code for code in result.codes(row) if code.startswith("TAXON")]


def outside_range(checklist, scientific):
    plausible = checklist.range(scientific)
    return next((c for c in REGION if c not in plausible), FAR_AWAY)


def test_country_plausibility_fires_for_every_species(checklist):
    cases = [(name(r), outside_range(checklist, name(r))) for r in IN_REGION]
    result = check_batch(rows_for(cases), species_countries=_species_countries())
    for i, (scientific, country) in enumerate(cases):
        assert codes(result, i) == ["TAXON_NOT_KNOWN_FROM_COUNTRY"], (scientific, country)
        flag = next(f for f in result.rows[i] if f.code == "TAXON_NOT_KNOWN_FROM_COUNTRY")
        assert flag.severity == "warning"
    inside = [(name(r), sorted(countries(r, False))[0]) for r in IN_REGION]
    assert not any(codes(check_batch(rows_for(inside), species_countries=_species_countries()), i)
                   for i in range(len(inside)))


def test_an_uncertain_country_is_informational_not_a_warning():
    cases = [("Cynogale bennettii", "TH"), ("Ailurus fulgens", "IN"), ("Chrotogale owstoni", "KH")]
    result = check_batch(rows_for(cases), species_countries=_species_countries())
    assert [codes(result, i) for i in range(3)] == [["TAXON_COUNTRY_UNCERTAIN"], [], ["TAXON_COUNTRY_UNCERTAIN"]]
    flag = result.rows[0][-1]
    assert flag.severity == "info" and '"?"' in flag.message()


def test_warning_is_stored_for_review(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    data = ("occurrenceID,basisOfRecord,scientificName,eventDate,countryCode\n"
            "n1,HumanObservation,Mustela nudipes,2024-03-01,LA\n").encode()
    (row,) = import_bytes(store, data, "nudipes.csv").report.rows
    assert row.status == "stored"
    assert "TAXON_NOT_KNOWN_FROM_COUNTRY" in store.get("n1", access="full")["issues"]


@pytest.mark.parametrize("row", OUTSIDE, ids=name)
def test_out_of_region_species_are_recognised(checklist, row):
    result = checklist.match([name(row)])
    assert result.scientific_name[0] == name(row) and result.matched_by[0] == "outside"
    (_, problem), = list(result.issues)
    assert problem.code == "TAXON_NOT_IN_REGION" and problem.severity == "warning"


def test_malay_civet_in_thailand_is_not_known_from_the_region(tmp_path, checklist):
    problem = checklist.match(["Viverra tangalunga"]).issues.for_row(0)[0]
    message = problem.message("en", value="Viverra tangalunga")
    assert "not known from this region" in message and "known from: BN, ID, MY, PH, SG" in message
    assert "not on the checklist" not in message
    assert checklist.sensitivity("Viverra civettina") == "withhold"  # CR outside the region keeps its level


def test_split_names_are_both_accepted_and_kept_as_given(checklist):
    result = checklist.match(["Paradoxurus hermaphroditus", "Paradoxurus musanga", "Indochinese palm civet"])
    assert result.scientific_name.tolist() == ["Paradoxurus hermaphroditus", "Paradoxurus musanga",
                                               "Paradoxurus musanga"]
    assert not result.errors.any()
    assert checklist.taxa["Paradoxurus hermaphroditus"].concept_includes == ("Paradoxurus musanga",)
    assert checklist.taxa["Paradoxurus musanga"].split_from == "Paradoxurus hermaphroditus"
    # MDD's P. hermaphroditus (sensu stricto) is not listed for Cambodia; a record under the older broad name
    # from there is plausible (it is P. musanga in MDD's sense), so it gets no warning; P. musanga in
    # Pakistan (only P. hermaphroditus s.s.) does.
    result = check_batch(rows_for([("Paradoxurus hermaphroditus", "KH"), ("Paradoxurus musanga", "PK")]),
                         species_countries=_species_countries())
    assert codes(result, 0) == [] and codes(result, 1) == ["TAXON_NOT_KNOWN_FROM_COUNTRY"]


def test_cites_listings_carry_source_and_date_and_the_policy_says_which(checklist):
    with open(DATA_DIR / "taxon_policy.csv", encoding="utf-8", newline="") as fh:
        policy = {r["scientific_name"]: r for r in csv.DictReader(fh)}
    assert set(policy) == set(checklist.taxa)
    for taxon in checklist.taxa.values():
        row = policy[taxon.scientific_name]
        if taxon.cites_appendix:
            assert "valid from 2012-09-25" in taxon.cites_source
            assert row["trade_pressure"] == ("yes" if taxon.cites_appendix in ("I", "II") else "no")
            assert "CITES" in row["trade_pressure_source"]
        else:
            assert row["trade_pressure"] == "" and row["trade_pressure_source"] == "not verified"
        assert row["sensitivity"] == taxon.sensitivity
    assert checklist.taxa["Prionodon pardicolor"].cites_appendix == "I"
    assert checklist.taxa["Ailurus fulgens"].sensitivity_basis == (
        "IUCN EN (MDD v1.2 (inferred), commit 178218b); trade pressure yes (CITES Appendix I (CITES Appendices I, "
        "II and III valid from 2012-09-25, not re-checked against the Appendices in force today))")


def test_sensitive_species_stay_sensitive(checklist):
    levels = {n: checklist.sensitivity(n) for n in ("Ailurus fulgens", "Cynogale bennettii", "Viverra megaspila",
                                                    "Arctictis binturong", "Prionodon pardicolor")}
    assert levels == {"Ailurus fulgens": "withhold", "Cynogale bennettii": "withhold",
                      "Viverra megaspila": "generalise-0.2", "Arctictis binturong": "generalise-0.1",
                      "Prionodon pardicolor": "generalise-0.1"}


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def edit_names(data, change):
    path = data / "names.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    change(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, rows[0].keys())
        writer.writeheader()
        writer.writerows(rows)


def refused_and_kept(data, words):
    before = {p: (data / p).read_bytes() for p in ("checklist.csv", "taxon_policy.csv")}
    with pytest.raises(ChecklistFileInvalid) as err:
        taxa_build.write(data)
    assert all(w in err.value.message("en") for w in words), err.value.message("en")
    assert before == {p: (data / p).read_bytes() for p in before}
    assert taxa_build.main(["--data", str(data)]) == 1


def test_duplicate_name_is_refused(data_copy):
    edit_names(data_copy, lambda rows: rows.append(dict(rows[0])))
    refused_and_kept(data_copy, ["names.csv", "Paradoxurus hermaphroditus appears twice", "row 24"])


def test_synonym_pointing_at_two_species_is_refused(data_copy):
    def both(rows):
        rows[1]["synonyms"] = "Herpestes javanicus"  # Urva javanica's synonym given to Paguma larvata too
    edit_names(data_copy, both)
    refused_and_kept(data_copy, ["Herpestes javanicus", "two species", "Paguma larvata", "Urva javanica"])


def test_names_file_in_a_legacy_encoding_is_refused(data_copy, tmp_path):
    text = (data_copy / "names.csv").read_text("utf-8").replace("ชะมดเช็ด", "ชะมด")
    (data_copy / "names.csv").write_bytes(text.encode("cp874", errors="replace"))  # Thai Windows code page
    refused_and_kept(data_copy, ["names.csv", "not UTF-8", "CSV UTF-8"])
    overlay = tmp_path / "overlay.csv"
    legacy = tmp_path / "new.csv"
    legacy.write_bytes("scientific_name,language,name,source\nPaguma larvata,th,อีเห็นเครือ,x\n".encode("cp874"))
    with pytest.raises(ChecklistFileInvalid, match="not UTF-8"):
        add_names(legacy, overlay)
    assert not overlay.exists()


def test_a_checklist_file_with_a_duplicate_is_refused_on_load(tmp_path):
    text = (DATA_DIR / "checklist.csv").read_text("utf-8")
    lines = text.splitlines(keepends=True)
    (tmp_path / "checklist.csv").write_text(text + lines[1], "utf-8")
    with pytest.raises(ChecklistFileInvalid, match="Ailurus fulgens appears twice"):
        Checklist.load(base=tmp_path / "checklist.csv")


def test_an_unreadable_overlay_keeps_the_names_already_in_use(tmp_path, monkeypatch):
    from occurrences import taxa

    overlay = tmp_path / "overlay.csv"
    overlay.write_text("scientific_name,language,name,source\nPaguma larvata,lo,ເຫັນ,Field guide p. 12\n", "utf-8")
    monkeypatch.setenv("OCCURRENCES_NAMES", str(overlay))
    monkeypatch.setattr(taxa, "_CURRENT", {})
    assert taxa.current().match(["ເຫັນ"]).scientific_name[0] == "Paguma larvata"
    overlay.write_bytes("scientific_name,language,name,source\nPaguma larvata,th,อีเห็น,x\n".encode("cp874"))
    os.utime(overlay, ns=(1, 1))  # a different version of the file, whatever the clock's resolution
    assert taxa.current().match(["ເຫັນ"]).scientific_name[0] == "Paguma larvata"  # previous data kept
