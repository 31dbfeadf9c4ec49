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
    """TAXON_NOT_KNOWN_FROM_COUNTRY where the checklist knows the species but not from that country.

    Names the checklist does not know are left alone (the taxon check reports those). Each distinct
    (name, country) pair is looked up once.
    """
    lookup = checklist if callable(checklist) else checklist.get
    frame = pd.DataFrame({"name": clean_column(names),
                          "country": pd.Series(countries, dtype=object)})
    frame = frame[frame["name"].notna() & frame["country"].notna()]
    pairs = frame.drop_duplicates()
    unknown = []
    for name, country in zip(pairs["name"], pairs["country"]):
        known = lookup(name)
        if known is not None and country not in set(known):
            unknown.append((name, country, ", ".join(sorted(known)) or "-"))
    bad = pd.DataFrame(unknown, columns=["name", "country", "known"])
    hits = frame.reset_index().merge(bad, on=["name", "country"]).sort_values("index")
    country_names = {c: country_name(c) for c in bad["country"].unique()}
    return [FlagSet(d.TAXON_NOT_KNOWN_FROM_COUNTRY, "scientificName", hits["index"].to_numpy(np.int64),
                    hits["name"].to_numpy(object),
                    {"country": hits["country"].map(country_names).to_numpy(object),
                     "country_code": hits["country"].to_numpy(object), "known": hits["known"].to_numpy(object)})]
