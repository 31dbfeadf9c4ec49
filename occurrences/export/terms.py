"""Term URIs of our fields: Darwin Core for almost all, Dublin Core for ``language``, our own namespace for
the bookkeeping column ``issues`` (quality-flag codes, documented in docs/exports.md)."""
from __future__ import annotations

DWC = "http://rs.tdwg.org/dwc/terms/"
DCTERMS = "http://purl.org/dc/terms/"
# Not a Darwin Core term: the codes of our quality flags (and GBIF's, prefixed "gbif:"), "|"-separated.
OCCURRENCES = "urn:occurrences:terms:"

_DCTERMS = {"language"}
_OURS = {"issues", "submittedBy", "submittedAt"}


def term_uri(name: str) -> str:
    if name in _DCTERMS:
        return DCTERMS + name
    if name in _OURS:
        return OCCURRENCES + name
    return DWC + name
