"""Who is asking, for every endpoint: dependencies, the sign-in/sign-out pages and ``GET /me``.

Endpoints that write declare ``user: Annotated[User, Depends(require_role("submitter"))]`` (or reviewer/admin):
that refuses anonymous (401) and lower roles (403), and checks the CSRF token when the user came in with the
browser's session cookie (API clients sending ``Authorization: Bearer`` are not exposed to CSRF). Read endpoints
need nothing: ``request_filters`` sets ``Filters.access`` from the user, and the store applies it.
"""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .. import auth as A
from ..auth import ANONYMOUS, CsrfFailed, TooManyAttempts, User
from ..errors import OccurrencesError
from ..i18n import N_
from ..review import require
from .deps import get_store
from .limiter import AttemptLimiter, client_key
from .security import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class InvalidToken(OccurrencesError):
    code = "invalid-token"
    status = 401
    template = N_("The token is not valid or has been revoked. Ask an admin for a new one.")


def current_user(request: Request) -> User:
    """The signed-in user (anonymous readers get ``ANONYMOUS``); a wrong or revoked Bearer token is an error."""
    state = request.scope.get("state", {})
    if state.get("auth") == "invalid":
        raise InvalidToken()
    if state.get("auth") == "limited":  # a wrong Bearer token from an address over the limit
        raise TooManyAttempts(seconds=state["retry_after"])
    return state.get("user") or ANONYMOUS


def request_access(request: Request) -> str:
    """``Filters.access`` / ``store.get(..., access=)`` value for this request."""
    return current_user(request).access


def require_role(role: str):
    """Dependency factory: the current user, who must hold ``role``; CSRF-checked for browser sessions."""

    async def dependency(request: Request) -> User:
        user = current_user(request)
        require(user, role)
        if request.method not in SAFE_METHODS and request.scope["state"].get("auth") == "session":
            await check_csrf(request)
        return user

    dependency.__name__ = f"require_{role}"
    return dependency


async def check_csrf(request: Request) -> None:
    """The form field (or X-CSRF-Token header) must equal the ``csrf`` cookie (double-submit)."""
    expected = request.cookies.get(CSRF_COOKIE, "")
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        given = str((await request.form()).get(CSRF_FIELD, ""))
    if len(expected) < 20 or not hmac.compare_digest(expected.encode(), given.encode()):
        raise CsrfFailed()


def _limiter(request: Request) -> AttemptLimiter:
    return AttemptLimiter(request.app.state.store)


router = APIRouter(tags=["auth"])
pages = APIRouter(include_in_schema=False)


@router.get("/me", summary="Who the request is authenticated as")
def me(user: Annotated[User, Depends(current_user)]):
    return {"name": user.name or None, "role": user.role}


@pages.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "/"):
    from ..web import render

    return render(request, "signin.html", next=_safe_next(next), error=None)


@pages.post("/signin", response_class=HTMLResponse)
async def signin(request: Request, store=Depends(get_store), token: Annotated[str, Form()] = "",
                 next: Annotated[str, Form()] = "/"):
    from ..web import render

    await check_csrf(request)
    started = A.start_session(store, token.strip())
    if started is None:  # counted per client address; a right token is never refused (see .limiter)
        _limiter(request).fail(client_key(request.scope, request.app.state.settings.trusted_proxies))
        return render(request, "signin.html", status_code=401, next=_safe_next(next),
                      error=N_("That token is not valid. Check it, or ask an admin for a new one."))
    _user, session = started
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, session, max_age=int(A.SESSION_HOURS * 3600), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    return response


@pages.post("/signout")
async def signout(request: Request, store=Depends(get_store)):
    await check_csrf(request)
    if request.cookies.get(SESSION_COOKIE):
        A.end_session(store, request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _safe_next(target: str) -> str:
    """Only same-site paths: ``/review`` yes, ``//evil.example`` or ``https://…`` no."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


__all__ = ["current_user", "request_access", "require_role", "check_csrf", "router", "pages", "InvalidToken"]
