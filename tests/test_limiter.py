"""The sign-in limiter (issue 14 item 7, issue 18 "workers act as one"): failures counted per client address in
the database, X-Forwarded-For believed only from configured proxies, a right token never locked out; and a real
``occurrences serve --workers 3`` where the limit and the sessions hold across the worker processes."""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.api.limiter import AttemptLimiter, client_address
from occurrences.auth import TooManyAttempts, add_user
from occurrences.settings import Settings
from occurrences.store import open_store

PORT = 8103
REPO = Path(__file__).resolve().parents[1]


def _scope(peer: str, forwarded: str | None = None) -> dict:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (peer, 5000), "headers": headers}


def test_forwarded_for_is_believed_only_from_configured_proxies():
    assert client_address(_scope("203.0.113.9", "1.2.3.4"), "") == "203.0.113.9"  # default: no proxy
    assert client_address(_scope("127.0.0.1", "1.2.3.4"), "") == "127.0.0.1"  # not even from localhost
    assert client_address(_scope("10.0.0.2", "1.2.3.4"), "10.0.0.0/8") == "1.2.3.4"
    # A client's own X-Forwarded-For is left of what the proxies appended: the first untrusted hop from the right.
    assert client_address(_scope("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.3"), "10.0.0.0/8") == "1.2.3.4"
    assert client_address(_scope("198.51.100.7", "1.2.3.4"), "10.0.0.0/8") == "198.51.100.7"
    with pytest.raises(ValueError):
        Settings(trusted_proxies="10.0.0.0/8, not-a-network")


def test_limit_window_and_keys(store):  # both backends
    now = [1_000_000.0]
    limiter = AttemptLimiter(store, limit=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        limiter.fail("ip:1.2.3.4")
    with pytest.raises(TooManyAttempts) as blocked:
        limiter.fail("ip:1.2.3.4")
    assert blocked.value.params["seconds"] == 61
    limiter.check("ip:5.6.7.8")  # another address is not affected
    now[0] += 61  # the oldest failure has left the window: the lockout is short
    limiter.fail("ip:1.2.3.4")
    assert store.failures("ip:1.2.3.4", 0) == (1, now[0])  # old failures are forgotten, not kept


@pytest.fixture
def site(tmp_path):
    url = f"sqlite:///{tmp_path / 'auth.db'}"
    store = open_store(url)
    token = add_user(store, "rita", "reviewer")
    yield url, store, token
    store.close()


def _csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text).group(1)


def _sign_in(client, token):
    return client.post("/signin", data={"token": token, "next": "/", "csrf_token": _csrf(client)})


def test_rotating_forwarded_for_does_not_bypass_the_limit(site):
    url, store, token = site
    client = TestClient(create_app(Settings(db=url), store=store), follow_redirects=False,
                        client=("127.0.0.1", 5000))
    for i in range(5):
        r = client.post("/signin", headers={"X-Forwarded-For": f"10.9.9.{i}"},
                        data={"token": "wrong", "next": "/", "csrf_token": _csrf(client)})
        assert r.status_code == 401
    assert _sign_in(client, "wrong").status_code == 429
    assert _sign_in(client, token).status_code == 303  # the right token still signs in


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(site):
    url, store, token = site
    client = TestClient(create_app(Settings(db=url, trusted_proxies="127.0.0.1"), store=store),
                        follow_redirects=False, client=("127.0.0.1", 5000))

    def attempt(address, tok="wrong"):
        return client.post("/signin", headers={"X-Forwarded-For": address},
                           data={"token": tok, "next": "/", "csrf_token": _csrf(client)}).status_code

    assert [attempt("192.0.2.1") for _ in range(6)] == [401] * 5 + [429]
    assert attempt("192.0.2.2") == 401  # a neighbour behind the same proxy is not blocked
    assert attempt("192.0.2.1", token) == 303


def test_wrong_bearer_tokens_count_too(site):
    url, store, token = site
    client = TestClient(create_app(Settings(db=url), store=store))
    codes = [client.get("/me", headers={"Authorization": "Bearer nope"}).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "rita"


# -- several worker processes act as one ----------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _worker_serving(conn: http.client.HTTPConnection, workers: list[int]) -> int | None:
    """Which worker process holds the server side of this (kept-alive) connection, read from /proc."""
    client_port = conn.sock.getsockname()[1]
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == PORT and int(fields[2].rsplit(":", 1)[1], 16) == client_port:
                inode = fields[9]
    for pid in workers:
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]" for fd in os.listdir(f"/proc/{pid}/fd")):
                return pid
        except OSError:
            continue
    return None


def _request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response, response.read()


@pytest.fixture
def three_workers(tmp_path):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux /proc to tell the worker processes apart")
    db = f"sqlite:///{tmp_path / 'w.db'}"
    store = open_store(db)
    token = add_user(store, "rita", "reviewer")
    store.close()
    log = open(tmp_path / "serve.log", "w")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen([sys.executable, "-m", "occurrences", "serve", "--db", db, "--port", str(PORT),
                               "--workers", "3"], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while len(_children(server.pid)) < 3 or not _up():
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.3)
        yield server, token, db
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _up() -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
        ok = _request(conn, "GET", "/me")[0].status == 200
        conn.close()
        return ok
    except OSError:
        return False


def _connection_per_worker(server) -> dict[int, http.client.HTTPConnection]:
    """Open kept-alive connections until each of the worker processes holds one."""
    workers = [p for p in _children(server.pid)]
    by_worker, spare = {}, []
    for _ in range(200):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        _request(conn, "GET", "/me")
        pid = _worker_serving(conn, workers)
        (spare if pid is None or pid in by_worker else []).append(conn)
        if pid is not None and pid not in by_worker:
            by_worker[pid] = conn
        if len(by_worker) == 3:
            break
    for conn in spare:
        conn.close()
    assert len(by_worker) == 3, f"connections reached only {len(by_worker)} workers"
    return by_worker


def _form(conn, token: str, cookies: dict) -> tuple[int, dict]:
    """POST /signin through ``conn`` (CSRF cookie and field as a browser sends them); returns status, cookies."""
    response, body = _request(conn, "GET", "/signin", headers=_cookie_header(cookies))
    cookies.update(_set_cookies(response))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', body.decode()).group(1)
    response, _ = _request(conn, "POST", "/signin", body=f"token={token}&next=/&csrf_token={csrf}",
                           headers={"Content-Type": "application/x-www-form-urlencoded", **_cookie_header(cookies)})
    cookies.update(_set_cookies(response))
    return response.status, cookies


def _cookie_header(cookies: dict) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def _set_cookies(response) -> dict:
    return dict(re.match(r"([^=]+)=([^;]*)", h).groups() for h in response.headers.get_all("set-cookie") or [])


def test_limiter_and_sessions_hold_across_three_workers(three_workers):
    server, token, db = three_workers
    conns = list(_connection_per_worker(server).values())
    cookies: dict = {}
    # Five wrong tokens spread over the three workers: the sixth, on any worker, is refused.
    statuses = [_form(conns[i % 3], "wrong", cookies)[0] for i in range(5)]
    assert statuses == [401] * 5
    for conn in conns:
        assert _form(conn, "wrong", cookies)[0] == 429
    store = open_store(db)
    assert store.failures("ip:127.0.0.1", 0)[0] == 5  # the state is in the database, not in a process
    store.close()
    # A session made on one worker works on the other two.
    status, cookies = _form(conns[0], token, cookies)
    assert status == 303 and "session" in cookies
    for conn in conns:
        response, body = _request(conn, "GET", "/me", headers=_cookie_header({"session": cookies["session"]}))
        assert response.status == 200 and b'"rita"' in body
    # Signed out on one worker: gone on every worker.
    response, body = _request(conns[1], "GET", "/signin", headers=_cookie_header(cookies))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', body.decode()).group(1)
    response, _ = _request(conns[1], "POST", "/signout", body=f"csrf_token={csrf}",
                           headers={"Content-Type": "application/x-www-form-urlencoded", **_cookie_header(cookies)})
    assert response.status == 303
    for conn in conns:
        response, body = _request(conn, "GET", "/me", headers=_cookie_header({"session": cookies["session"]}))
        assert b'"rita"' not in body
    for conn in conns:
        conn.close()
