"""OGC API – Features support that is independent of the web framework: CQL2 text and parameter parsing.

The HTTP adapter is :mod:`occurrences.api.ogc`; everything here turns client input into
:class:`~occurrences.store.Filters` so records are always read through the store (and its access rules).
"""
