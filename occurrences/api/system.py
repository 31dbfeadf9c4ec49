"""/health and the landing document."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from .. import __version__
from ..store import Filters, Store
from .deps import get_store

router = APIRouter(tags=["system"])


@router.get("/health", summary="Liveness and record count")
def health(store: Annotated[Store, Depends(get_store)]):
    return {"status": "ok", "version": __version__, "records": store.count(Filters())}
