"""Species not known from the record's country, against a checklist ``{scientificName: {countryCode, ...}}``."""
from __future__ import annotations

from typing import Callable, Iterable, Mapping, Union

import numpy as np
import pandas as pd

from . import definitions as d
from .result import FlagSet
from .vectors import clean_column

SpeciesCountries = Union[Mapping[str, Iterable[str]], Callable[[str], Iterable[str] | None]]


def species_flags(names, countries: np.ndarray, checklist: SpeciesCountries,
                  country_name: Callable[[str], str]) -> list[FlagSet]:
    """TAXON_NOT_KNOWN_FROM_COUNTRY (warning) where the checklist knows the species but not from that country;
    TAXON_COUNTRY_UNCERTAIN (info) where the source gives that country as uncertain (a lookup result with an
    ``uncertain`` attribute, e.g. :class:`occurrences.taxa.CountryRange`).

    Names the checklist does not know are left alone (the taxon check reports those). Each distinct
    (name, country) pair is looked up once.
    """
    lookup = checklist if callable(checklist) else checklist.get
    frame = pd.DataFrame({"name": clean_column(names),
                          "country": pd.Series(countries, dtype=object)})
    frame = frame[frame["name"].notna() & frame["country"].notna()]
    pairs = frame.drop_duplicates()
    unknown, uncertain = [], []
    for name, country in zip(pairs["name"], pairs["country"]):
        known = lookup(name)
        if known is None:
            continue
        if country not in set(known):
            unknown.append((name, country, ", ".join(sorted(known)) or "-"))
        elif country in getattr(known, "uncertain", ()):
            uncertain.append((name, country, ", ".join(sorted(set(known) - set(known.uncertain))) or "-"))
    return [_flag_set(code, found, frame, country_name)
            for code, found in ((d.TAXON_NOT_KNOWN_FROM_COUNTRY, unknown), (d.TAXON_COUNTRY_UNCERTAIN, uncertain))]


def _flag_set(code: str, found: list, frame: pd.DataFrame, country_name) -> FlagSet:
    bad = pd.DataFrame(found, columns=["name", "country", "known"])
    hits = frame.reset_index().merge(bad, on=["name", "country"]).sort_values("index")
    country_names = {c: country_name(c) for c in bad["country"].unique()}
    return FlagSet(code, "scientificName", hits["index"].to_numpy(np.int64), hits["name"].to_numpy(object),
                   {"country": hits["country"].map(country_names).to_numpy(object),
                    "country_code": hits["country"].to_numpy(object), "known": hits["known"].to_numpy(object)})
