"""Test helpers shared by several test modules: a real server process and a real headless browser."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def live_server(db_url: str, *args: str, env: dict | None = None, timeout: float = 30.0, log=None):
    """Run ``occurrences serve`` as a real process on 127.0.0.1 and yield its base URL. ``log``: a file open
    for writing that gets the server's output (a long run must not fill a pipe nobody reads)."""
    port = free_port()
    cmd = [sys.executable, "-m", "occurrences", "serve", "--db", db_url, "--port", str(port), *args]
    proc = subprocess.Popen(cmd, stdout=log or subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else f"see {log.name}"
                    raise RuntimeError(f"server did not start: {out}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def needs_chromium():
    return pytest.mark.skipif(not os.path.exists(CHROMIUM),
                              reason="headless Chromium not installed (apt-get install chromium); "
                                     "README's test command installs it")


@contextlib.contextmanager
def browser_page(block_outside: bool = True):
    """A Playwright page in Debian's Chromium. With ``block_outside`` every request that is not to
    127.0.0.1/localhost is aborted, proving the page works offline (no CDN)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            outside: list[str] = []
            if block_outside:
                def route(r):
                    host = r.request.url.split("/")[2] if "://" in r.request.url else ""
                    if host.split(":")[0] in ("127.0.0.1", "localhost") or r.request.url.startswith(("data:", "blob:")):
                        return r.continue_()
                    outside.append(r.request.url)
                    return r.abort()
                context.route("**/*", route)
            page = context.new_page()
            page.outside_requests = outside
            yield page
        finally:
            browser.close()
