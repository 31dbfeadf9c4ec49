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


def extra_term_uri(name: str) -> str:
    """An extra term's IRI: its Darwin Core (or GBIF) IRI; a column nobody defined gets one in our namespace,
    percent-encoded (``urn:occurrences:terms:column:Foo%20Bar``), so a reader finds the header again."""
    from urllib.parse import quote

    from ..dwc_terms import term_iris

    return term_iris().get(name) or f"{OCCURRENCES}column:{quote(name, safe='')}"
