"""Response headers (issue 14, item 8): a Content-Security-Policy without inline script and with
``frame-ancestors 'none'`` on every route; ``Cache-Control: private`` and ``Vary: Authorization, Cookie`` on every
response whose content depends on who asks (found by asking each discovered route as anonymous and as reviewer);
and no executable inline script in any page template."""
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.settings import Settings
from occurrences.store import open_store

from .sensitive_seed import seed
from .support import browser_page, live_server, needs_chromium
from .test_leaks import discover_routes

TEMPLATES = Path(__file__).parent.parent / "occurrences" / "web" / "templates"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('headers') / 'h.db'}"
    store = open_store(url)
    info = seed(store, demo=30)
    store.close()
    with TestClient(create_app(Settings(db=url)), raise_server_exceptions=False) as client:
        yield client, info["tokens"]


def fill(template: str) -> str:
    values = {"cid": "occurrences", "occurrence_id": "sens-binturong-1", "fid": "sens-binturong-1", "z": "6",
              "x": "50", "y": "29", "name": "Arctictis binturong", "fmt": "png", "filename": "maplibre-gl.js"}
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: values.get(m[1], "x"), template)


def paths(client) -> list[str]:
    found = [fill(t) for t, methods, _r in discover_routes(client.app) if "GET" in methods]
    return found + ["/occurrences?status=pending", "/exports?format=csv", "/docs"]


def test_every_response_has_the_csp_and_framing_rules(seeded):
    client, _tokens = seeded
    for path in paths(client):
        r = client.get(path)
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, path
        assert r.headers.get("x-frame-options") == "DENY" and r.headers.get("x-content-type-options") == "nosniff"
        if not path.startswith("/docs"):
            script = re.search(r"script-src ([^;]*)", csp)
            assert script and script[1].split() == ["'self'"], (path, csp)  # no inline, no eval, no CDN


def test_responses_that_depend_on_the_role_are_private_and_vary(seeded):
    client, tokens = seeded
    reviewer = {"Authorization": f"Bearer {tokens['rita']}"}
    differing = []
    for path in paths(client):
        anonymous, privileged = client.get(path), client.get(path, headers=reviewer)
        for r in (anonymous, privileged):
            vary = {v.strip().lower() for v in r.headers.get("vary", "").split(",")}
            assert {"authorization", "cookie"} <= vary, (path, r.headers.get("vary"))
        if anonymous.content != privileged.content:
            differing.append(path)
            for r in (anonymous, privileged):
                assert r.headers["cache-control"].startswith("private"), (path, r.headers["cache-control"])
    assert {"/occurrences?status=pending", "/records/sens-binturong-1"} <= set(differing), differing


def test_a_route_that_chose_its_own_caching_keeps_it(seeded):
    client, _tokens = seeded
    r = client.get("/maps/boundaries.geojson")
    assert r.headers["cache-control"].startswith("public")  # the same for everyone: shared caches may keep it
    assert "Authorization" in r.headers["vary"]


def test_templates_hold_no_executable_inline_script():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", text, flags=re.I), template.name  # onclick=… handlers
        assert "javascript:" not in text.lower(), template.name


@pytest.mark.browser
@needs_chromium()
def test_pages_run_under_the_policy_without_violations(tmp_path):
    """Real Chromium enforces the CSP: the map page (MapLibre, its workers, tiles) and the form pages draw
    with no policy violation reported."""
    url = f"sqlite:///{tmp_path / 'p.db'}"
    store = open_store(url)
    seed(store, demo=30)
    store.close()
    with live_server(url) as base, browser_page() as page:
        violations = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{base}/species/Paguma%20larvata?lang=en")
        page.wait_for_selector("#map[data-ready=true]", timeout=30_000)
        for path in ("/", "/search?lang=en", "/submit?lang=en", "/signin", "/species.html"):
            page.goto(base + path)
            page.wait_for_load_state("load")
        assert violations == []
        page.goto(base + "/")  # an injected inline script would not run
        ran = page.evaluate("() => { const s = document.createElement('script'); s.textContent = "
                            "'window.__inline = 1'; document.body.appendChild(s); return window.__inline || 0; }")
        assert ran == 0 and any("Content Security Policy" in v for v in violations)
