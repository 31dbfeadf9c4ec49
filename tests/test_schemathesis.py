"""Property-based fuzzing of every operation in /openapi.json (schemathesis): generated requests, signed in as
a reviewer so the write endpoints run too. No request may produce a server error, and every documented
response must match its schema.

Bounded for the suite: a few examples per operation (the hostile corpus in test_hostile.py covers the known
nasty inputs; this finds the ones nobody thought of). Run with SCHEMATHESIS_EXAMPLES=200 for a deeper pass."""
import os

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from occurrences.api import create_app
from occurrences.auth import add_user
from occurrences.demo import demo_records
from occurrences.settings import Settings
from occurrences.store import open_store

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    store = open_store(url)
    store.add_many(demo_records(120), submitted_by="demo", status="accepted")
    store.add_many(demo_records(130)[120:], submitted_by="demo", status="pending")
    token = add_user(store, "fuzzer", "reviewer")
    store.close()
    app = create_app(Settings(db=url, max_upload_bytes=1_000_000))
    return app, token


@pytest.fixture(scope="module")
def client(fuzzed):
    app, token = fuzzed
    with TestClient(app, raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c


# The schema does not depend on the data: read it from an app over an in-memory store at collection time (the
# fixture-based loader does not work with pytest 9); the requests go to the module's app over a real file.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings(db="sqlite:///:memory:")))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error(case, client):
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url))
    cookies = kwargs.pop("cookies", None)  # per-request cookies are deprecated in the test client: a header
    if cookies:
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if isinstance(kwargs.get("data"), (bytes, str)):  # raw bodies go as content (data= is for forms)
        kwargs["content"] = kwargs.pop("data")
    response = client.request(**kwargs)
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    # Documented responses match their JSON schema (schemathesis' own checks on top of the status assertion).
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


def test_every_operation_is_fuzzed():
    operations = [op.ok() for op in schema.get_all_operations()]
    paths = {op.path for op in operations}
    assert {"/occurrences", "/occurrences/{occurrence_id}", "/exports", "/ogc/collections/{cid}/items",
            "/occurrences/{occurrence_id}/accept"} <= paths
    assert len(operations) >= 20
