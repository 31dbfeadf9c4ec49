"""The review workflow: records arrive ``pending``; a reviewer accepts, rejects (with a reason) or edits them,
or accepts a suggested fix in one action. Every change goes through ``store.update`` with the actor, so the
audit trail (who, when, before, after) is written in the same transaction as the change.

Who may do what: submitters add records (pending) and edit or raise the sensitivity of their own *pending*
records; reviewers and admins do everything. Records added by reviewers and admins, the demo data and CLI
imports (run by the operator) are accepted directly.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from .auth import Forbidden, NotSignedIn, NotYours, User
from .errors import InvalidValue, NotFound, OccurrencesError
from .i18n import N_, translate
from .logs import log_event
from .records import SUBMITTABLE
from .sensitivity import LEVELS, level_index
from .store import Filters
from .store.access import FULL

# A flag code → how to compute its fix from the record (the checks may also attach an explicit suggestion).
# Each is its own inverse: an import stores a presumed swap or negation corrected (the values as given in
# verbatimLatitude/verbatimLongitude), so on such a record the same fix restores the values as given.
_FIXES = {
    "PRESUMED_SWAPPED_COORDINATE": lambda r: {"decimalLatitude": r["decimalLongitude"],
                                              "decimalLongitude": r["decimalLatitude"]},
    "PRESUMED_NEGATED_LONGITUDE": lambda r: {"decimalLongitude": -r["decimalLongitude"]},
    "PRESUMED_NEGATED_LATITUDE": lambda r: {"decimalLatitude": -r["decimalLatitude"]},
}
# Fixes that need no coordinates: a Viet Nam province named after it was merged → the unit it became.
_NAME_FIXES = {"PROVINCE_MERGED": lambda r: _merged_into(r.get("stateProvince"))}


def _merged_into(name) -> dict | None:
    from .quality.vn_provinces import merged_into

    unit = merged_into(name) if name else None
    return {"stateProvince": unit} if unit else None


def initial_status(user: User) -> str:
    return "accepted" if user.has("reviewer") else "pending"


def require(user: User, role: str) -> None:
    if user.anonymous:
        raise NotSignedIn()
    if not user.has(role):
        raise Forbidden(role=user.role, needed=role)


def submit(store, records: Iterable[Mapping] | Mapping, user: User):
    """Store new records for ``user``: pending for submitters, accepted for reviewers and admins."""
    require(user, "submitter")
    return store.add_many(records, submitted_by=user.name, status=initial_status(user))


def queue(store, filters: Filters | None = None):
    """One page of pending records, precise (for reviewers only: check the role before calling)."""
    return store.query((filters or Filters()).replace(status=["pending"], access=FULL))


def _state_for_change(store, occurrence_id: str, user: User) -> dict:
    require(user, "submitter")
    state = store.state(occurrence_id)
    if state is None:
        raise NotFound(id=occurrence_id)
    if not user.has("reviewer") and (state["submittedBy"] != user.name or state["status"] != "pending"):
        raise NotYours(id=occurrence_id)
    return state


def edit(store, occurrence_id: str, changes: Mapping, user: User) -> dict:
    _state_for_change(store, occurrence_id, user)
    return _update(store, occurrence_id, _fields(changes), user, "edit")


def accept(store, occurrence_id: str, user: User, changes: Mapping | None = None) -> dict:
    """Accept, optionally with corrections, in one audited change."""
    require(user, "reviewer")
    _exists(store, occurrence_id)
    return _update(store, occurrence_id, {**_fields(changes or {}), "status": "accepted"}, user, "accept")


def reject(store, occurrence_id: str, user: User, reason: str) -> dict:
    require(user, "reviewer")
    if not (reason or "").strip():
        raise InvalidValue("reason", reason, reason="say why the record is rejected")
    _exists(store, occurrence_id)
    return _update(store, occurrence_id, {"status": "rejected"}, user, "reject", reason=reason.strip())


def suggestions(record: Mapping) -> dict[str, dict]:
    """Fixes the reviewer can accept in one action, by flag code, for the flags this record carries."""
    out = {}
    for code in record.get("issues") or []:
        fix = _FIXES.get(code)
        if fix and record.get("decimalLatitude") is not None:
            out[code] = fix(record)
        elif code in _NAME_FIXES and (found := _NAME_FIXES[code](record)):
            out[code] = found
    return out


def restores_given_values(record: Mapping, code: str) -> bool:
    """Does the suggestion for ``code`` put back the coordinates as submitted (the stored point being the
    import's automatic correction)? Then the reviewer is offered "restore the values as given"."""
    fix = suggestions(record).get(code)
    given = (record.get("verbatimLatitude"), record.get("verbatimLongitude"))
    if not fix or None in given:
        return False
    from .parse import parse_coordinates

    parsed = parse_coordinates([str(given[0])], [str(given[1])])
    point = {"decimalLatitude": record["decimalLatitude"], "decimalLongitude": record["decimalLongitude"], **fix}
    return (abs(parsed.lat[0] - point["decimalLatitude"]) < 1e-9
            and abs(parsed.lon[0] - point["decimalLongitude"]) < 1e-9)


def suggestion_label(record: Mapping, code: str) -> str:
    """The button text (an English msgid) for the suggestion of ``code`` on ``record``."""
    return N_("Restore the values as given") if restores_given_values(record, code) else N_("Accept with fix")


def accept_suggestion(store, occurrence_id: str, code: str, user: User,
                      suggestion: Mapping | None = None) -> dict:
    """Apply the fix for flag ``code`` (computed, or the flag's own ``suggestion``), drop the flag, accept."""
    require(user, "reviewer")
    record = store.get(occurrence_id, access=FULL)
    if record is None:
        raise NotFound(id=occurrence_id)
    fix = dict(suggestion) if suggestion else suggestions(record).get(code)
    if not fix:
        raise InvalidValue("code", code, reason="this record has no suggested fix for that flag")
    issues = [c for c in record.get("issues") or [] if c != code]
    return _update(store, occurrence_id, {**_fields(fix), "issues": issues, "status": "accepted"}, user,
                   "accept-suggestion", reason=code)


def raise_sensitivity(store, occurrence_id: str, level: str, user: User) -> dict:
    """Make a record more sensitive (submitters: their own pending records; reviewers: any record, and they
    may also lower a record's own level back, never below its species' level)."""
    state = _state_for_change(store, occurrence_id, user)
    try:
        wanted = level_index(level)
    except ValueError as exc:
        raise InvalidValue("sensitivity", level, reason=str(exc)) from None
    if wanted < level_index(state["record_sensitivity"]) and not user.has("reviewer"):
        raise InvalidValue("sensitivity", level, reason="a submitter can only make a record more sensitive")
    return _update(store, occurrence_id, {"sensitivity": LEVELS[wanted]}, user, "sensitivity")


def history(store, occurrence_id: str, user: User) -> list[dict]:
    """The audit trail of a record (it holds precise values: reviewers, or the record's own submitter)."""
    require(user, "submitter")
    state = store.state(occurrence_id)
    if state is None or (not user.has("reviewer") and state["submittedBy"] != user.name):
        raise NotFound(id=occurrence_id)
    return store.history(occurrence_id)


def _update(store, occurrence_id: str, changes: Mapping, user: User, action: str, reason: str | None = None) -> dict:
    """The store's audited update, and one log line: action, id, who, which fields (never values or reasons,
    which may describe where a sensitive animal was)."""
    record = store.update(occurrence_id, changes, actor=user.name, action=action, reason=reason)
    log_event("review", action=action, id=occurrence_id, actor=user.name,
              fields=sorted(k for k in changes if k not in ("status", "issues")), status=record.get("status"))
    return record


def _exists(store, occurrence_id: str) -> None:
    if store.state(occurrence_id) is None:
        raise NotFound(id=occurrence_id)


def _fields(changes: Mapping) -> dict:
    unknown = [k for k in changes if k not in SUBMITTABLE]
    if unknown:
        raise InvalidValue(unknown[0], changes[unknown[0]], reason="not a field that can be edited")
    _check_text(changes)
    return dict(changes)


class CorrectionRefused(OccurrencesError):
    code = "invalid-correction"
    status = 422
    template = N_("The change was not saved: {problem}")

    def __init__(self, flag):
        self.flag = flag
        super().__init__(problem=flag.message("en"))

    def message(self, lang: str = "en") -> str:
        return translate(lang, self.template, problem=self.flag.message(lang))


def _check_text(changes: Mapping) -> None:
    """Corrections pass the same cell checks as imports: no control characters or bidirectional overrides, no
    spreadsheet formulas, no oversized text."""
    import pyarrow as pa

    from .flags import ERROR
    from .ingest.convert import check_cells

    for term, value in changes.items():
        if isinstance(value, str):
            _, issues = check_cells(pa.array([value], pa.large_string()), term)
            for _, problem in issues:
                flag = problem.to_flag(None, value[:80])
                if flag.severity == ERROR:
                    raise CorrectionRefused(flag)


__all__ = ["initial_status", "require", "submit", "queue", "edit", "accept", "reject", "suggestions",
           "restores_given_values", "suggestion_label",
           "accept_suggestion", "raise_sensitivity", "history"]


def changed_fields(entry: Mapping) -> dict[str, list]:
    """``{field: [before, after]}`` for the fields an audit entry changed."""
    before, after = entry.get("before") or {}, entry.get("after") or {}
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k) and k != "submittedAt"}
