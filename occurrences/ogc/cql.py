"""CQL2 text (``filter-lang=cql2-text``) → a ``Filters.where`` expression.

Parsing is pygeofilter's; this module only walks its AST. Every property must be a queryable
(:data:`QUERYABLES`), every literal is type-checked against the property and later bound as a parameter, so
no client text ever reaches SQL. Supported: AND, OR, NOT, = <> < <= > >=, IS [NOT] NULL (Basic CQL2), plus
IN and BETWEEN; a top-level ``S_INTERSECTS(geometry, BBOX(...) | POLYGON(...))`` narrows by space.
"""
from __future__ import annotations

import datetime as dt

from pygeofilter import ast
from pygeofilter.parsers.cql2_text import parse as parse_cql2_text

from ..errors import InvalidParameter
from ..i18n import N_
from ..records import FIELD_BY_NAME
from ..store.filters import EXPR_COLUMNS

GEOMETRY = "geometry"
QUERYABLES: dict[str, type] = {name: FIELD_BY_NAME[name].type for name in EXPR_COLUMNS}
_COMPARISONS = {ast.Equal: "=", ast.NotEqual: "<>", ast.LessThan: "<", ast.LessEqual: "<=",
                ast.GreaterThan: ">", ast.GreaterEqual: ">="}


class CQLError(Exception):
    """A filter we cannot run; ``reason`` is a translatable msgid."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_filter(text: str) -> tuple[tuple | None, object | None]:
    """Return ``(where_expression, geometry)``; geometry is a shapely polygon from a top-level S_INTERSECTS
    (or None). Raises :class:`InvalidParameter` (parameter ``filter``) for anything else."""
    try:
        node = parse_cql2_text(text)
    except Exception:
        raise _invalid(text, N_("it is not valid CQL2 text; write e.g. countryCode='TH' AND year>=2015")) from None
    try:
        conjuncts = _conjuncts(node)
        spatial = [c for c in conjuncts if isinstance(c, ast.GeometryIntersects)]
        if len(spatial) > 1:
            raise CQLError(N_("use at most one S_INTERSECTS"))
        geometry = _intersects(spatial[0]) if spatial else None
        rest = [_expr(c) for c in conjuncts if not isinstance(c, ast.GeometryIntersects)]
    except CQLError as exc:
        raise _invalid(text, exc.reason) from None
    where = rest[0] if len(rest) == 1 else (("and", rest) if rest else None)
    return where, geometry


def _invalid(text: str, reason: str) -> InvalidParameter:
    return InvalidParameter(name="filter", value=text[:200], reason=reason)


def _conjuncts(node) -> list:
    if isinstance(node, ast.And):
        return _conjuncts(node.lhs) + _conjuncts(node.rhs)
    return [node]


def _expr(node) -> tuple:
    if isinstance(node, ast.And):
        return ("and", [_expr(node.lhs), _expr(node.rhs)])
    if isinstance(node, ast.Or):
        return ("or", [_expr(node.lhs), _expr(node.rhs)])
    if isinstance(node, ast.Not):
        return ("not", _expr(node.sub_node))
    if type(node) in _COMPARISONS:
        op = _COMPARISONS[type(node)]
        if isinstance(node.lhs, ast.Attribute):
            name, value = _property(node.lhs), node.rhs
        elif isinstance(node.rhs, ast.Attribute):  # literal on the left: mirror the operator
            name, value = _property(node.rhs), node.lhs
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        else:
            raise CQLError(N_("compare a queryable property with a value"))
        return ("cmp", op, name, _literal(name, value))
    if isinstance(node, ast.IsNull):
        expr = ("null", _property(node.lhs))
        return ("not", expr) if node.not_ else expr
    if isinstance(node, ast.In):
        name = _property(node.lhs)
        expr = ("in", name, [_literal(name, v) for v in node.sub_nodes])
        return ("not", expr) if node.not_ else expr
    if isinstance(node, ast.Between):
        name = _property(node.lhs)
        expr = ("between", name, _literal(name, node.low), _literal(name, node.high))
        return ("not", expr) if node.not_ else expr
    raise CQLError(N_("only AND, OR, NOT, comparisons (= <> < <= > >=), IS NULL, IN and BETWEEN are supported"))


def _property(node) -> str:
    if not isinstance(node, ast.Attribute):
        raise CQLError(N_("compare a queryable property with a value"))
    if node.name not in QUERYABLES:
        raise CQLError(N_("unknown property; see the collection's queryables"))
    return node.name


def _literal(name: str, value):
    """A literal checked against the property's type (and dates normalised to ISO days)."""
    if name == "eventDate":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise CQLError(N_("compare eventDate with DATE('YYYY-MM-DD') or TIMESTAMP('...Z')"))
    kind = QUERYABLES[name]
    if kind is str and isinstance(value, str):
        return value
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise CQLError(N_("the value does not match the property's type (see queryables)"))


def _intersects(node):
    import shapely
    from shapely.geometry import box, shape

    if not (isinstance(node.lhs, ast.Attribute) and node.lhs.name == GEOMETRY):
        raise CQLError(N_("use S_INTERSECTS(geometry, BBOX(...)) or S_INTERSECTS(geometry, POLYGON(...))"))
    rhs = node.rhs
    try:
        if isinstance(rhs, ast.Function) and rhs.name.lower() == "bbox" and len(rhs.arguments) == 4:
            return box(*map(float, rhs.arguments))
        if hasattr(rhs, "geometry"):
            geom = shape(rhs.geometry)
            if geom.geom_type in ("Polygon", "MultiPolygon") and shapely.is_valid(geom):
                return geom
    except (TypeError, ValueError):
        pass
    raise CQLError(N_("use S_INTERSECTS(geometry, BBOX(...)) or S_INTERSECTS(geometry, POLYGON(...))"))
