"""Users, roles and tokens: the library side of authentication (the web side is ``occurrences.api.auth``).

Roles, each including the rights of the ones before it: ``reader`` (anyone, also anonymous), ``submitter``
(adds records and edits their own pending ones), ``reviewer`` (accepts, rejects and edits any record; sees
precise coordinates of sensitive records), ``admin`` (everything, including users).

Tokens are 32 random bytes (``secrets.token_urlsafe``), shown once; only their SHA-256 is stored, so the
database never holds a usable credential. Sign-in sessions are the same kind of token with an expiry.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .errors import InvalidValue, OccurrencesError
from .i18n import N_
from .store.access import FULL, PUBLIC, own_access
from .store.owners import OPERATOR_OWNER, folded, is_reserved

ROLES: tuple[str, ...] = (N_("reader"), N_("submitter"), N_("reviewer"), N_("admin"))
API_TOKEN, SESSION = "api", "session"
SESSION_HOURS = 12
_NAME = re.compile(r"^[\w.@-]{1,64}$")


class NotSignedIn(OccurrencesError):
    code = "not-signed-in"
    status = 401
    template = N_("Sign in first: send Authorization: Bearer <token>, or sign in at /signin.")


class Forbidden(OccurrencesError):
    code = "forbidden"
    status = 403
    template = N_("Your role ({role}) may not do this; it needs the {needed} role.")


class NotYours(OccurrencesError):
    code = "forbidden"
    status = 403
    template = N_("You can change only your own pending records; occurrence {id} is not one of them.")


class CsrfFailed(OccurrencesError):
    code = "csrf-failed"
    status = 403
    template = N_("The form has expired or did not come from this site. Reload the page and submit again.")


class TooManyAttempts(OccurrencesError):
    code = "too-many-attempts"
    status = 429
    template = N_("Too many sign-in attempts. Wait {seconds} seconds and try again.")


class ReservedName(InvalidValue):
    template = N_("The name {value!r} is reserved for the system (cli, admin, anonymous and the like). "
                  "Choose a name of a person.")

    def __init__(self, name: str):
        super().__init__("name", name)


class NameTaken(InvalidValue):
    template = N_("The name {value!r} is already taken (or differs from the user {existing!r} only in case, "
                  "width or punctuation). Choose another name.")

    def __init__(self, name: str, existing: str):
        super().__init__("name", name, existing=existing)


class NoSuchAccount(InvalidValue):
    template = N_("There is no active user {value!r}. Records belong to user accounts: create it with "
                  "'occurrences user add', or leave the option out (the records then belong to the operator).")

    def __init__(self, name: str):
        super().__init__("submittedBy", name)


@dataclass(frozen=True)
class User:
    name: str
    role: str = "reader"

    @property
    def anonymous(self) -> bool:
        return self.name == ""

    def has(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def access(self) -> str:
        """``Filters.access`` for this user: what they may see of records (see occurrences.store.access)."""
        if self.has("reviewer"):
            return FULL
        if self.has("submitter"):
            return own_access(self.name)
        return PUBLIC


ANONYMOUS = User("", "reader")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(store, name: str, role: str) -> str:
    """Create a user and return their first API token (shown once, stored hashed). Names are a person's:
    not reserved for the system, and not the same as an existing name up to case, width or punctuation."""
    if not _NAME.match(name or ""):
        raise InvalidValue("name", name, reason="use 1-64 letters, digits, dots, @, _ or -")
    if role not in ROLES:
        raise InvalidValue("role", role, reason="use one of: " + ", ".join(ROLES))
    if is_reserved(name):
        raise ReservedName(name)
    existing = next((u["name"] for u in store.users() if folded(u["name"]) == folded(name)), None)
    if existing is not None:
        raise NameTaken(name, existing)
    store.add_user(name, role)
    return issue_token(store, name)


def record_owner(store, name: str | None) -> str:
    """Who records imported by the operator belong to: an active account named ``name``, or (no name) the
    operator's label owner, which no account can be (occurrences.store.owners)."""
    if not name:
        return OPERATOR_OWNER
    if not any(u["name"] == name and u["active"] for u in store.users()):
        raise NoSuchAccount(name)
    return name


def issue_token(store, name: str, kind: str = API_TOKEN, hours: float | None = None) -> str:
    token = new_token()
    expires = None
    if hours is not None:
        expires = (datetime.now(timezone.utc) + timedelta(hours=hours)).replace(microsecond=0)
        expires = expires.isoformat().replace("+00:00", "Z")
    store.add_credential(hash_token(token), name, kind, expires)
    return token


def authenticate(store, token: str | None, kind: str | None = None) -> User | None:
    """The active user this token belongs to (of ``kind`` if given), or None."""
    if not token or len(token) > 256:
        return None
    digest = hash_token(token)
    row = store.user_for_credential(digest)
    # The lookup is by digest; compare again in constant time so no code path depends on partial matches.
    if row is None or not hmac.compare_digest(row["hash"], digest) or (kind and row["kind"] != kind):
        return None
    return User(row["name"], row["role"])


def start_session(store, token: str) -> tuple[User, str] | None:
    """Sign in with an API token: returns the user and a new session token (expires after SESSION_HOURS)."""
    user = authenticate(store, token, API_TOKEN)
    if user is None:
        return None
    return user, issue_token(store, user.name, SESSION, SESSION_HOURS)


def end_session(store, session_token: str) -> None:
    store.delete_credential(hash_token(session_token))


def revoke(store, name: str) -> bool:
    """Deactivate a user: every token and session of theirs stops working at once."""
    return store.set_user_active(name, False)


__all__ = ["ROLES", "User", "ANONYMOUS", "add_user", "record_owner", "ReservedName", "NameTaken", "NoSuchAccount", "issue_token", "authenticate", "start_session",
           "end_session", "revoke", "hash_token", "NotSignedIn", "Forbidden", "NotYours", "CsrfFailed",
           "TooManyAttempts"]
