"""A lane of threads for long work (exports, uploaded files), apart from the request threads.

The request threads are few on purpose (one per process on SQLite, see ``api.request_threads``): pages are
CPU under the GIL, and more threads only took turns and lengthened the tail. A seconds-long export or import in
one of them would make every other request of the process wait, so long work runs here instead.
"""
from __future__ import annotations

from functools import partial

import anyio
from fastapi import Request

LONG_WORK_THREADS = 2  # exports and imports worked on at once per process; more wait their turn


def long_work_lane(request: Request) -> anyio.CapacityLimiter:
    state = request.app.state
    if getattr(state, "long_work_lane", None) is None:  # made on first use, inside the app's event loop
        state.long_work_lane = anyio.CapacityLimiter(LONG_WORK_THREADS)
    return state.long_work_lane


async def run_long(request: Request, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in the long-work lane of ``request``'s app."""
    return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), limiter=long_work_lane(request))
