"""Identifiers are data, not paths: one occurrenceID (or species name, collection id) is always ONE path
segment, whatever it contains.

Real occurrenceIDs are URNs and URLs (``urn:catalog:KU:Mammals:123``, ``https://example.org/o/1?x#y``). Links
encode them with :func:`segment` (``/`` → ``%2F``, ``?`` → ``%3F``, ``%`` → ``%25``...). The server decodes
``%2F`` before routing, which would split such an ID into two segments, so :class:`EncodedSlashes` routes on the
raw path with ``%2F`` and ``%25`` still encoded, and routes declare ``{occurrence_id:segment}``: the
:class:`SegmentConvertor` decodes those two after the route has matched.

``.`` and ``..`` cannot be a segment at all (browsers resolve them, also as ``%2E``), so the store refuses
them as identifiers (see ``occurrences.store.columns``).
"""
from __future__ import annotations

import re
from urllib.parse import quote, unquote

from starlette.convertors import Convertor, register_url_convertor

_KEPT = re.compile(r"(%(?:2[fF]|25))")


def segment(value) -> str:
    """``value`` as one URL path segment: every reserved character percent-encoded, ``/`` included."""
    return quote(str(value), safe="")


class SegmentConvertor(Convertor[str]):
    """A path parameter that may contain ``/`` (sent as ``%2F``): matched as one segment, then decoded."""

    regex = "[^/]+"

    def convert(self, value: str) -> str:
        return unquote(value)

    def to_string(self, value: str) -> str:
        return segment(value)


register_url_convertor("segment", SegmentConvertor())


def routing_path(raw_path: str) -> str:
    """The raw path decoded except ``%2F`` and ``%25``: ``/o/a%2Fb%C3%A9`` → ``/o/a%2Fbé``."""
    parts = _KEPT.split(raw_path)  # text, kept escape, text, ...
    return "".join(p.upper() if i % 2 else unquote(p) for i, p in enumerate(parts))


class EncodedSlashes:
    """ASGI middleware: route on the path with ``%2F`` and ``%25`` left encoded, so an encoded ``/`` stays
    inside its segment (everything else is decoded as the server did)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        raw = scope.get("raw_path")
        if scope["type"] in ("http", "websocket") and raw and _KEPT.search(raw.decode("latin-1")):
            scope = {**scope, "path": routing_path(raw.decode("latin-1"))}
        await self.app(scope, receive, send)


__all__ = ["segment", "SegmentConvertor", "EncodedSlashes"]
