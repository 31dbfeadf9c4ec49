"""The flag registry: one meaning per code, whatever the import order."""
import importlib

import pytest

from occurrences import flags


def test_a_code_cannot_be_defined_twice_with_different_meanings():
    for module in flags.FLAG_MODULES:
        importlib.import_module(module)
    existing = flags.REGISTRY["ZERO_COORDINATE"]
    same = flags.define(existing.code, existing.severity, existing.template, existing.meaning, existing.action,
                        existing.threshold, existing.geospatial)
    assert same == existing  # re-defining identically (a module reloaded) is harmless
    with pytest.raises(ValueError, match="ZERO_COORDINATE"):
        flags.define("ZERO_COORDINATE", flags.WARNING, "Something else.", "Another meaning.")
    assert flags.REGISTRY["ZERO_COORDINATE"] == existing
