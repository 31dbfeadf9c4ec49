"""Build the packaged checklist (``data/checklist.csv``) and sensitivity policy (``data/taxon_policy.csv``) from
the Mammal Diversity Database extract and the team's files, so every fact has a source that can be re-read.

``python -m occurrences.taxa_build`` rewrites both files; ``--check`` only reports whether they are up to date
(the test suite runs the same comparison). Inputs, all in ``occurrences/data``:

* ``mdd/mdd_small_carnivores.csv`` — MDD extract, copied verbatim with its README (source, commit, licence,
  row selection). Species list, family, authority, English names, country range ("?" = uncertain), IUCN status.
  Otters are left out (another project covers them); ``in_region = 0`` rows are kept, marked, so their names are
  recognised ("not known from this region") rather than unknown.
* ``names.csv`` — the team's vernacular names with their sources, synonyms and notes (one row per species).
* ``cites.csv`` — CITES listing per species with the Appendices' date; trade pressure = Appendix I or II.
* ``concepts.csv`` — MDD splits that field teams still record under the older, broader name.

Nothing is written unless every input is valid: a duplicate name, a synonym given to two species, a file that is
not UTF-8 or a country MDD spells in a way we cannot map stops the build with a message, and the previous
files stay as they were.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import pycountry

from .taxa import (DATA_DIR, ChecklistFileInvalid, _loose, default_sensitivity, read_csv_strict)
from .i18n import N_

MDD_CSV = DATA_DIR / "mdd" / "mdd_small_carnivores.csv"
NAMES_CSV = DATA_DIR / "names.csv"
CITES_CSV = DATA_DIR / "cites.csv"
CONCEPTS_CSV = DATA_DIR / "concepts.csv"
OUT_CHECKLIST = DATA_DIR / "checklist.csv"
OUT_POLICY = DATA_DIR / "taxon_policy.csv"

MDD_SOURCE = "MDD v1.2 (inferred), commit 178218b"
OTTER_GENERA = {"Aonyx", "Lutra", "Lutrogale"}  # Lutrinae: outside the project's scope
TRADE_APPENDICES = {"I", "II"}  # Appendix III (India) covers Indian specimens only
# MDD spellings pycountry does not resolve. Kosovo has no ISO code; XK is the user-assigned code GBIF uses.
COUNTRY_CODES = {"Alaska": "US", "Bosnia & Herzegovina": "BA", "Brunei": "BN", "East Timor": "TL", "Kosovo": "XK",
                 "Palestine": "PS", "Russia": "RU", "Turkey": "TR"}
LANGUAGE_COLUMNS = ("english", "thai", "vietnamese", "khmer", "lao", "burmese")
CHECKLIST_COLUMNS = ("scientific_name", "in_region", "mdd_id", "family", "authority", "synonyms", *LANGUAGE_COLUMNS,
                     "mdd_english", "sources", "notes", "countries", "countries_uncertain", "iucn_category",
                     "iucn_source", "cites_appendix", "cites_listed_as", "cites_source", "concept_includes",
                     "split_from", "concept_source", "concept_note")
POLICY_COLUMNS = ("scientific_name", "iucn_category", "iucn_source", "trade_pressure", "trade_pressure_source",
                  "sensitivity")


def build(data_dir: Path = DATA_DIR) -> tuple[list[dict], list[dict]]:
    """The checklist and policy rows, from the inputs in ``data_dir``; raises ChecklistFileInvalid."""
    mdd = [r for r in read_csv_strict(data_dir / "mdd" / "mdd_small_carnivores.csv") if r["genus"] not in OTTER_GENERA]
    names = _by_name(read_csv_strict(data_dir / "names.csv"), "names.csv")
    cites = _by_name(read_csv_strict(data_dir / "cites.csv"), "cites.csv")
    concepts = _by_name(read_csv_strict(data_dir / "concepts.csv"), "concepts.csv")
    _by_name([{"scientific_name": _scientific(r)} for r in mdd], "mdd_small_carnivores.csv")
    split_from = {part: name for name, row in concepts.items() for part in _split(row["includes"])}
    rows = [_checklist_row(r, names.get(_scientific(r), {}), cites.get(_scientific(r)), concepts, split_from)
            for r in mdd]
    _inherit_iucn(rows)
    _check_names(rows, names)
    policy = [_policy_row(r) for r in rows if r["in_region"] == "1"]
    return rows, policy


def _checklist_row(mdd: dict, ours: dict, cites: dict | None, concepts: dict, split_from: dict) -> dict:
    name = _scientific(mdd)
    certain, uncertain = _countries(mdd["countryDistribution"])
    mdd_english = [mdd["mainCommonName"], *_split(mdd["otherCommonNames"])]
    synonyms = list(_split(ours.get("synonyms", "")))
    msw3 = mdd["MSW3_sciName"].replace("_", " ")
    if msw3 not in ("NA", name) and msw3 not in synonyms:
        synonyms.append(msw3)
    concept = concepts.get(name) or concepts.get(split_from.get(name, ""), {})
    return {
        "scientific_name": name, "in_region": mdd["in_region"], "mdd_id": mdd["id"],
        "family": mdd["family"].capitalize(), "authority": _authority(mdd), "synonyms": "|".join(synonyms),
        **{col: ours.get(col, "") for col in LANGUAGE_COLUMNS}, "mdd_english": "|".join(mdd_english),
        "sources": ours.get("sources", ""), "notes": ours.get("notes", ""),
        "countries": "|".join(certain), "countries_uncertain": "|".join(uncertain),
        "iucn_category": "" if mdd["iucnStatus"] == "NA" else mdd["iucnStatus"],
        "iucn_source": MDD_SOURCE if mdd["iucnStatus"] != "NA" else "",
        "cites_appendix": (cites or {}).get("appendix", ""), "cites_listed_as": (cites or {}).get("listed_as", ""),
        "cites_source": _cites_source(cites), "concept_includes": concepts.get(name, {}).get("includes", ""),
        "split_from": split_from.get(name, ""), "concept_source": concept.get("source", ""),
        "concept_note": concept.get("note", ""),
    }


def _inherit_iucn(rows: list[dict]) -> None:
    """MDD gives no IUCN status for some species it split off (NA); the Red List still assesses them under the
    older name, so they take the category of the species they were split from, saying so."""
    by_name = {r["scientific_name"]: r for r in rows}
    for row in rows:
        parent = by_name.get(row["split_from"])
        if not row["iucn_category"] and parent and parent["iucn_category"]:
            row["iucn_category"] = parent["iucn_category"]
            row["iucn_source"] = f"{MDD_SOURCE}: none given; category of {parent['scientific_name']}, split from it"


def _policy_row(row: dict) -> dict:
    appendix = row["cites_appendix"]
    if appendix:
        trade = "yes" if appendix in TRADE_APPENDICES else "no"
        trade_source = f"CITES Appendix {appendix} ({row['cites_source']})" if appendix != "none" else \
            f"not in the CITES Appendices ({row['cites_source']})"
    else:
        trade, trade_source = "", "not verified"
    return {"scientific_name": row["scientific_name"], "iucn_category": row["iucn_category"],
            "iucn_source": row["iucn_source"] or "not verified", "trade_pressure": trade,
            "trade_pressure_source": trade_source,
            "sensitivity": default_sensitivity(row["iucn_category"], trade == "yes")}


def _check_names(rows: list[dict], names: dict) -> None:
    """Every team row must name an in-region MDD species; a synonym may point at one species only."""
    in_region = {r["scientific_name"] for r in rows if r["in_region"] == "1"}
    for name in names:
        if name not in in_region:
            raise ChecklistFileInvalid(name="names.csv", problem=N_(
                "{scientific_name} is not an in-region species of the Mammal Diversity Database extract; "
                "use the MDD name or remove the row."), scientific_name=name)
    owner: dict[str, str] = {_loose(r["scientific_name"]): r["scientific_name"] for r in rows}
    for row in rows:
        for synonym in _split(row["synonyms"]):
            other = owner.setdefault(_loose(synonym), row["scientific_name"])
            if other != row["scientific_name"]:
                raise ChecklistFileInvalid(name="names.csv", problem=N_(
                    "the synonym {synonym} points at two species ({species}); a synonym may belong to one species "
                    "only."), synonym=synonym, species=f"{other}, {row['scientific_name']}")


def _by_name(rows: list[dict], file: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for number, row in enumerate(rows, start=2):
        name = " ".join((row.get("scientific_name") or "").split())
        if name in out:
            raise ChecklistFileInvalid(name=file, problem=N_(
                "{scientific_name} appears twice (second time on row {row}); keep one row per species."),
                scientific_name=name, row=number)
        out[name] = row
    return out


def _countries(distribution: str) -> tuple[list[str], list[str]]:
    certain, uncertain = [], []
    for entry in _split(distribution):
        code = _country_code(entry.rstrip("?"))
        target = uncertain if entry.endswith("?") else certain
        if code not in certain and code not in uncertain:
            target.append(code)
    return sorted(certain), sorted(uncertain)


def _country_code(name: str) -> str:
    if name in COUNTRY_CODES:
        return COUNTRY_CODES[name]
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        raise ChecklistFileInvalid(name="mdd_small_carnivores.csv", problem=N_(
            "the country {country} has no ISO code we know; add its spelling to COUNTRY_CODES."), country=name)


def _cites_source(cites: dict | None) -> str:
    if not cites or not cites.get("appendix"):
        return ""
    return f"{cites['source']} valid from {cites['valid_from']}, not re-checked against the Appendices in force today"


def _authority(mdd: dict) -> str:
    text = f"{mdd['authoritySpeciesAuthor']}, {mdd['authoritySpeciesYear']}"
    return f"({text})" if mdd["authorityParentheses"] == "1" else text


def _scientific(mdd: dict) -> str:
    return mdd["sciName"].replace("_", " ")


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split("|") if part.strip()]


def render(rows: list[dict], columns) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write(data_dir: Path = DATA_DIR) -> list[Path]:
    """Rebuild both files; only those whose content changes are written (each replaced whole)."""
    checklist, policy = build(data_dir)
    changed = []
    for path, text in ((data_dir / "checklist.csv", render(checklist, CHECKLIST_COLUMNS)),
                       (data_dir / "taxon_policy.csv", render(policy, POLICY_COLUMNS))):
        if not path.exists() or path.read_text("utf-8") != text:
            tmp = path.with_suffix(".csv.tmp")
            tmp.write_text(text, "utf-8")
            tmp.replace(path)
            changed.append(path)
    return changed


def stale(data_dir: Path = DATA_DIR) -> list[Path]:
    """The built files that differ from what the inputs give (empty when up to date)."""
    checklist, policy = build(data_dir)
    return [path for path, text in ((data_dir / "checklist.csv", render(checklist, CHECKLIST_COLUMNS)),
                                    (data_dir / "taxon_policy.csv", render(policy, POLICY_COLUMNS)))
            if not path.exists() or path.read_text("utf-8") != text]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m occurrences.taxa_build", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report whether the built files are up to date")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="data directory (default: the package's)")
    args = parser.parse_args(argv)
    try:
        paths = stale(args.data) if args.check else write(args.data)
    except ChecklistFileInvalid as exc:
        print(f"Error: {exc.message('en')} Nothing was written.", file=sys.stderr)
        return 1
    verb = "out of date" if args.check else "written"
    for path in paths:
        print(f"{path.name}: {verb}")
    if not paths:
        print("checklist.csv and taxon_policy.csv are up to date")
    return 1 if args.check and paths else 0


if __name__ == "__main__":
    sys.exit(main())
