"""Request-level protections, as one pure ASGI middleware (so streaming responses are untouched):

* **body size**: a request body larger than ``settings.max_upload_bytes`` is refused with 413, from its
  Content-Length before anything is read, or as soon as a chunked body passes the limit;
* **who is asking**: ``Authorization: Bearer <token>`` or the sign-in session cookie is resolved once to a
  :class:`~occurrences.auth.User` in ``request.state.user`` (``request.state.auth`` says how);
* **CSRF token**: every browser gets a random ``csrf`` cookie (SameSite=Strict, HttpOnly); pages put the same
  value in their forms (``request.state.csrf_token``) and :func:`occurrences.api.auth.check_csrf` compares the
  two (double-submit). A cross-site page can neither read nor set the cookie, so it cannot forge a form post.
* **response headers** (:func:`response_headers`): a Content-Security-Policy with no inline script and
  ``frame-ancestors 'none'``; ``Cache-Control: private`` (unless the route chose its own) and
  ``Vary: Authorization, Cookie``, because what a response holds depends on who asked.
"""
from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie

from starlette.exceptions import HTTPException

from ..auth import SESSION, TooManyAttempts, authenticate
from ..errors import PayloadTooLarge
from ..i18n import negotiate
from .limiter import AttemptLimiter, client_key

SESSION_COOKIE = "session"
CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SecurityMiddleware:
    def __init__(self, app, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_bytes:
            return await self._too_large(scope, headers, send)
        cookies = _cookies(headers.get("cookie", ""))
        state = scope.setdefault("state", {})
        self._identify(scope, state, headers, cookies)
        new_csrf = None
        state["csrf_token"] = cookies.get(CSRF_COOKIE) or ""
        if len(state["csrf_token"]) < 20:
            new_csrf = state["csrf_token"] = secrets.token_urlsafe(32)
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                extra = []
                if new_csrf:
                    cookie = f"{CSRF_COOKIE}={new_csrf}; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")
                    extra.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": response_headers([*message.get("headers", []), *extra],
                                                                  scope.get("path", ""))}
            await send(message)

        return await self.app(scope, self._limited(receive), send_with_cookie)

    def _identify(self, scope, state, headers, cookies) -> None:
        from ..auth import ANONYMOUS

        store = scope["app"].state.store
        state["user"], state["auth"] = ANONYMOUS, None
        authorization = headers.get("authorization", "")
        if authorization[:7].lower() == "bearer ":
            user = authenticate(store, authorization[7:].strip())
            state["user"], state["auth"] = (user, "bearer") if user else (ANONYMOUS, self._failed(scope, store))
        elif cookies.get(SESSION_COOKIE):
            user = authenticate(store, cookies[SESSION_COOKIE], SESSION)
            if user:
                state["user"], state["auth"] = user, "session"

    @staticmethod
    def _failed(scope, state_store) -> str:
        """A wrong Bearer token counts as a failed sign-in of the client's address (see .limiter)."""
        state = scope["state"]
        try:
            AttemptLimiter(state_store).fail(client_key(scope, scope["app"].state.settings.trusted_proxies))
        except TooManyAttempts as exc:
            state["retry_after"] = exc.params["seconds"]
            return "limited"
        return "invalid"

    def _limited(self, receive):
        seen = 0
        limit = self.max_body_bytes

        async def wrapped():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413)
            return message

        return wrapped

    async def _too_large(self, scope, headers, send) -> None:
        query = dict(p.split("=", 1) for p in scope.get("query_string", b"").decode("latin-1").split("&") if "=" in p)
        lang = negotiate(query.get("lang"), _cookies(headers.get("cookie", "")).get("lang"),
                         headers.get("accept-language"))
        body = json.dumps(PayloadTooLarge(limit=self.max_body_bytes).to_dict(lang), ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": response_headers([(b"content-type", b"application/json"),
                                                 (b"content-length", str(len(body)).encode()),
                                                 (b"connection", b"close")], scope.get("path", ""))})
        await send({"type": "http.response.body", "body": body})


# Scripts only from this server's own files (no inline script, no eval, no CDN); MapLibre runs its workers from
# blob: URLs and draws with data:/blob: images. Inline style attributes stay allowed (legend swatches).
CSP = ("default-src 'self'; script-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; "
       "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's own API documentation pages load Swagger UI / ReDoc with an inline script: they keep only the
# framing rule. They show no records.
DOCS_CSP = "frame-ancestors 'none'"
_DOCS = ("/docs", "/redoc")
ROLE_VARY = ("Authorization", "Cookie")


def response_headers(headers: list[tuple[bytes, bytes]], path: str) -> list[tuple[bytes, bytes]]:
    """``headers`` with the security headers every response carries (those a route set itself win, except
    Vary, which is merged)."""
    names = {k.lower() for k, _v in headers}
    out = [(k, v) for k, v in headers if k.lower() != b"vary"]
    vary = [p.strip() for k, v in headers if k.lower() == b"vary" for p in v.decode("latin-1").split(",")]
    vary += [h for h in ROLE_VARY if h.lower() not in {p.lower() for p in vary}]
    out.append((b"vary", ", ".join(p for p in vary if p).encode("latin-1")))
    defaults = {b"cache-control": b"private",
                b"content-security-policy": (DOCS_CSP if path.startswith(_DOCS) else CSP).encode(),
                b"x-frame-options": b"DENY", b"x-content-type-options": b"nosniff",
                b"referrer-policy": b"same-origin"}
    out += [(k, v) for k, v in defaults.items() if k not in names]
    return out


def _cookies(header: str) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:
        return {}
    return {k: m.value for k, m in jar.items()}
