"""Who a record belongs to: a user account, or a label that no account can ever be.

``submittedBy`` decides what a submitter sees precisely (``own:NAME`` in occurrences.store.access), so it must
never be a free-text name that someone could later register. Records that no account submitted (the operator's
CLI imports, the demo loader, library calls without a user) carry a *label owner* in parentheses, ``(cli)``:
parentheses are outside the account-name alphabet (occurrences.auth), so no account matches it. Names that look
like the system (``cli``, ``admin``, ``anonymous``...) cannot be registered either, compared case- and
Unicode-folded, so an account cannot pass itself off as one.
"""
from __future__ import annotations

import unicodedata

from .people import USER_TABLE
from .sql import TABLE, quote

RESERVED_NAMES = frozenset({
    "admin", "administrator", "anonymous", "api", "cli", "demo", "everyone", "guest", "import", "importer",
    "nobody", "none", "null", "occurrences", "operator", "owner", "public", "reader", "reviewer", "root",
    "server", "service", "staff", "submitter", "superuser", "sysadmin", "system", "unknown", "user", "www",
})
_SEPARATORS = str.maketrans("", "", "._-@ ")


def label_owner(label: str) -> str:
    return f"({label})"


OPERATOR_OWNER = label_owner("cli")
DEMO_OWNER = label_owner("demo")
ANONYMOUS_OWNER = label_owner("anonymous")


def is_label_owner(owner: str) -> bool:
    return owner.startswith("(") and owner.endswith(")")


def folded(name: str) -> str:
    """The form names are compared in: NFKC (fullwidth → ASCII), case-folded, separators dropped, so
    ``ＣＬＩ``, ``C.L.I`` and ``cli`` are one name."""
    return unicodedata.normalize("NFKC", name).casefold().translate(_SEPARATORS)


def is_reserved(name: str) -> bool:
    return folded(name) in RESERVED_NAMES


def relabel_owners(owners: list[str], accounts: set[str], p: str) -> list[tuple[str, list]]:
    """Migration of an existing database: every owner that is not an account of its own (a free-text
    ``--submitted-by``, the old default ``cli``, a reserved name) becomes a label owner. Fails closed: an
    account named like a reserved name loses precise access to those records, never the reverse."""
    statements = []
    for owner in owners:
        if owner is None or is_label_owner(owner) or (owner in accounts and not is_reserved(owner)):
            continue
        statements.append((f'UPDATE {quote(TABLE)} SET "submittedBy" = {p} WHERE "submittedBy" = {p}',
                           [label_owner(owner), owner]))
    return statements


def relabel_migration(p: str):
    """A migration step (a callable taking the backend's connection) that relabels owners as above."""

    def relabel(conn) -> None:
        owners = [r[0] for r in conn.execute(f'SELECT DISTINCT "submittedBy" FROM {quote(TABLE)}').fetchall()]
        accounts = {r[0] for r in conn.execute(f"SELECT name FROM {quote(USER_TABLE)}").fetchall()}
        for sql, params in relabel_owners(owners, accounts, p):
            conn.execute(sql, params)

    return relabel


__all__ = ["RESERVED_NAMES", "OPERATOR_OWNER", "DEMO_OWNER", "ANONYMOUS_OWNER", "label_owner", "is_label_owner",
           "folded", "is_reserved", "relabel_owners", "relabel_migration"]
