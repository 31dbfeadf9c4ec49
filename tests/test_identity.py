"""Records belong to user accounts, not free-text names (issue 14, item 6): the operator's imports are owned by
a label no account can be, system-like names cannot be registered (case-, width- and punctuation-folded), and
an existing database is migrated so that no account inherits records it did not submit."""
from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from occurrences.auth import NameTaken, NoSuchAccount, ReservedName, User, add_user, record_owner
from occurrences.cli import cli
from occurrences.store import open_store
from occurrences.store.access import FULL, own_access
from occurrences.store.owners import OPERATOR_OWNER, folded, is_reserved

from .conftest import fresh_db_url

BINTURONG = {"occurrenceID": "op-1", "basisOfRecord": "HumanObservation", "scientificName": "Arctictis binturong",
             "eventDate": "2024-03-15", "decimalLatitude": 14.73917, "decimalLongitude": 101.62853,
             "countryCode": "TH"}


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write_csv(path, record):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(record))
        writer.writeheader()
        writer.writerow(record)


@pytest.mark.parametrize("name", ["cli", "CLI", "ＣＬＩ", "c.l.i", "Admin", "anonymous", "SYSTEM", "root",
                                  "operator", "Public", "demo", "ａｄｍｉｎ"])
def test_reserved_names_cannot_be_registered(tmp_path, name):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(cli, ["user", "add", name, "--role", "submitter", "--db", db])
    assert result.exit_code != 0 and "reserved" in result.output
    assert open_store(db).users() == []


def test_names_differing_only_in_case_or_width_are_one_name(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'n.db'}")
    add_user(store, "alice", "submitter")
    for twin in ("Alice", "ＡＬＩＣＥ", "a.lice"):
        with pytest.raises(NameTaken):
            add_user(store, twin, "submitter")
    assert add_user(store, "alicia", "submitter")
    assert folded("Ｃ-L_I") == "cli" and is_reserved("Ｃ-L_I") and not is_reserved("clive")


def test_cli_imports_belong_to_no_account(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    write_csv(tmp_path / "b.csv", BINTURONG)
    assert run("import", str(tmp_path / "b.csv"), "--db", db).exit_code == 0
    store = open_store(db)
    assert store.state("op-1")["submittedBy"] == OPERATOR_OWNER
    # Neither the old owner name nor the label gives precise access: the label is no account name either.
    for name in ("cli", OPERATOR_OWNER):
        seen = store.get("op-1", access=own_access(name))
        assert seen["decimalLatitude"] != BINTURONG["decimalLatitude"]
    assert store.get("op-1", access=FULL)["decimalLatitude"] == BINTURONG["decimalLatitude"]
    with pytest.raises(ReservedName):
        add_user(store, "cli", "submitter")


def test_submitted_by_must_name_an_active_account(tmp_path):
    db = f"sqlite:///{tmp_path / 's.db'}"
    store = open_store(db)
    add_user(store, "alice", "submitter")
    assert record_owner(store, None) == OPERATOR_OWNER and record_owner(store, "alice") == "alice"
    with pytest.raises(NoSuchAccount):
        record_owner(store, "bob")
    write_csv(tmp_path / "b.csv", BINTURONG)
    refused = CliRunner().invoke(cli, ["import", str(tmp_path / "b.csv"), "--db", db, "--submitted-by", "bob"])
    assert refused.exit_code != 0 and "no active user 'bob'" in refused.output
    assert store.get("op-1", access=FULL) is None
    assert run("import", str(tmp_path / "b.csv"), "--db", db, "--submitted-by", "alice").exit_code == 0
    assert store.get("op-1", access=own_access("alice"))["decimalLatitude"] == BINTURONG["decimalLatitude"]


def _rewind_to_before_owners(store, backend):
    """Make ``store``'s database look like one written before owners were labels (the schema version before
    that migration; the later ones run again, and are idempotent)."""
    if backend == "sqlite":
        from occurrences.store import sqlite as backend_module
        version = backend_module.MIGRATIONS.index(backend_module._schema_v6)
        store.conn.execute(f"PRAGMA user_version = {version}")
    else:
        from occurrences.store import postgis as backend_module
        version = backend_module.MIGRATIONS.index(backend_module._schema_v5)
        with store.pool.connection() as conn:
            conn.execute("UPDATE schema_version SET version = %s", [version])


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def test_migration_takes_records_away_from_free_text_owners(tmp_path, backend):
    with fresh_db_url(backend, tmp_path) as url:
        store = open_store(url)
        store.add_user("cli", "submitter")  # as `occurrences user add cli` allowed before
        add_user(store, "alice", "submitter")
        store.add_many([BINTURONG], submitted_by="cli", status="accepted")
        store.add_many([{**BINTURONG, "occurrenceID": "op-2"}], submitted_by="Jane Doe", status="accepted")
        store.add_many([{**BINTURONG, "occurrenceID": "al-1"}], submitted_by="alice", status="pending")
        _rewind_to_before_owners(store, backend)
        store.close()

        store = open_store(url)
        try:
            owners = {oid: store.state(oid)["submittedBy"] for oid in ("op-1", "op-2", "al-1")}
            assert owners == {"op-1": "(cli)", "op-2": "(Jane Doe)", "al-1": "alice"}
            cli_user = User("cli", "submitter")
            assert store.get("op-1", access=cli_user.access)["decimalLatitude"] != BINTURONG["decimalLatitude"]
            assert store.get("al-1", access=own_access("alice"))["decimalLatitude"] == BINTURONG["decimalLatitude"]
        finally:
            store.close()
