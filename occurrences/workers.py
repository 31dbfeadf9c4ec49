"""Several server processes on one port, each with its own listening socket (``SO_REUSEPORT``).

Why not uvicorn's ``workers=N``: there every worker accepts from one shared socket, and whichever process is
awake first takes the connection. Measured on 2 cores with 64 keep-alive clients, one of two workers held
about 80 % of the connections (13/51 and 53/11, counted from /proc): its queue made the tail latency while the
other core idled. With one socket per worker the kernel spreads new connections over the sockets by a hash of
the client's address and port, so each worker gets its share (28/36 and 36/28 in the same measurement).

The supervisor binds every socket itself before starting the workers, so a port already in use fails at once
with one line, and a second ``occurrences serve`` on the same port cannot silently join the group: it probes
the port with a plain (non-reuseport) socket first, which fails while our sockets listen.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass

from .errors import OccurrencesError
from .i18n import N_

# SIGTERM: requests in flight get this long inside each worker; the supervisor kills what is left after STOP_S.
GRACEFUL_S = 3
STOP_S = 5
BACKLOG = 2048


class AddressInUse(OccurrencesError):
    code = "address-in-use"
    status = 500
    template = N_("Cannot listen on {host}:{port}: the address is in use. Stop the other server or choose "
                  "another port with --port.")


@dataclass
class Listener:
    host: str
    port: int

    def probe(self) -> None:
        """Fail with :class:`AddressInUse` when anything listens on the address (reuseport or not)."""
        with socket.socket(self._family(), socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT leftovers are not "in use"
            try:
                probe.bind((self.host, self.port))
            except OSError as e:
                raise AddressInUse(host=self.host, port=self.port) from e

    def open(self) -> socket.socket:
        sock = socket.socket(self._family(), socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((self.host, self.port))
        sock.listen(BACKLOG)
        sock.set_inheritable(True)
        return sock

    def _family(self) -> int:
        return socket.AF_INET6 if ":" in self.host else socket.AF_INET


def reuseport_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT") and sys.platform.startswith("linux")


def _worker(sock: socket.socket, app: str) -> None:
    import uvicorn

    config = uvicorn.Config(app, factory=True, log_level="warning", timeout_graceful_shutdown=GRACEFUL_S)
    uvicorn.Server(config).run(sockets=[sock])


def serve(app: str, host: str, port: int, workers: int) -> None:
    """Run ``workers`` processes of the app factory ``app`` ("module:function") until SIGTERM or SIGINT; a
    worker that dies is started again on its own socket."""
    listener = Listener(host, port)
    listener.probe()
    sockets = [listener.open() for _ in range(workers)]
    context = multiprocessing.get_context("spawn")  # a clean interpreter per worker: one SQLite engine each

    def start(i: int):
        process = context.Process(target=_worker, args=(sockets[i], app), name=f"occurrences-worker-{i}")
        process.start()
        return process

    processes = [start(i) for i in range(workers)]
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stopping:
            for i, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    processes[i] = start(i)
            time.sleep(0.2)
    finally:
        _stop_all(processes)
        for s in sockets:
            s.close()
        for s, handler in previous.items():
            signal.signal(s, handler)


def _stop_all(processes) -> None:
    for process in processes:
        if process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_S
    for process in processes:
        process.join(max(deadline - time.monotonic(), 0))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join()
