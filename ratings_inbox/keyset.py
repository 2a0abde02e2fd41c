"""Key-set pagination over any ordering, ties included (INB-3, API.md "cursor").

A page boundary is the tuple of the ordering's values on the last (or first) row, so
the next page is one index range scan from there however deep it is; OFFSET is never
used. The tie-break columns are part of every ordering, so no two rows share a key.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import TupleGreaterThan, TupleLessThan


@dataclass(frozen=True)
class Column:
    name: str
    descending: bool

    def order_expression(self, reverse: bool = False):
        descending = self.descending != reverse
        return F(self.name).desc() if descending else F(self.name).asc()


# A row-value comparison led by a boolean gets a row estimate of almost nothing from
# PostgreSQL (measured: 3 rows for 275,000), which then sorts the whole merchant; the
# nested form keeps the read-state index (docs/bench/latest.md, "deep -is_read").
TWO_VALUED = {"is_read"}
# Columns with a handful of values, so each value is a large group of rows (paginate).
FEW_VALUED = {"is_read", "score"}


def after(columns: list[Column], values: list, *, reverse: bool = False) -> Q:
    """Rows strictly after `values` in the ordering (strictly before it when reverse).

    When every column runs the same way, this is one row-value comparison,
    `(score, created_at, id) < (9, t, 42)`, which PostgreSQL uses whole as the bound of
    the index range scan, so a deep page starts where the last one ended. The nested
    OR form (used when the directions differ) bounds the scan on the first column only
    and filters the rest, which for a large first-column group (all the 10s, all the
    read ratings) reads every row of that group above the cursor.
    """
    first = columns[0]
    directions = {column.descending != reverse for column in columns}
    if len(directions) == 1 and len(columns) > 1 and first.name not in TWO_VALUED:
        lookup = TupleLessThan if directions.pop() else TupleGreaterThan
        bound = "lte" if first.descending != reverse else "gte"
        return Q(**{f"{first.name}__{bound}": values[0]}) & Q(
            lookup(tuple(F(c.name) for c in columns), list(values))
        )
    condition = Q()
    for position in range(len(columns) - 1, -1, -1):
        column = columns[position]
        descending = column.descending != reverse
        lookup = "lt" if descending else "gt"
        step = Q(**{f"{column.name}__{lookup}": values[position]})
        if position < len(columns) - 1:
            step |= Q(**{column.name: values[position]}) & condition
        condition = step
    bound = "lte" if first.descending != reverse else "gte"
    return Q(**{f"{first.name}__{bound}": values[0]}) & condition


def _encode_value(value):
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    return value


class InvalidCursor(ValueError):
    pass


# The longest cursor the API issues is a 200-character name key escaped to JSON, in base64.
MAX_CURSOR_LENGTH = 2000
_BIGINT = 2**63


def _decode_value(value):
    """A value as encode_cursor wrote it: an aware time, a bool, a 64-bit integer or a string
    without NUL (PostgreSQL refuses NUL in text). Anything else cannot come from the API, and
    would fail in the query rather than here (SEC-7)."""
    if isinstance(value, dict) and set(value) == {"t"} and isinstance(value["t"], str):
        moment = dt.datetime.fromisoformat(value["t"])
        if moment.tzinfo is None:
            raise InvalidCursor("naive time")
        return moment
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and -_BIGINT <= value < _BIGINT:
        return value
    if isinstance(value, str) and "\x00" not in value:
        value.encode()  # a lone surrogate ("\ud800") raises UnicodeEncodeError, a ValueError
        return value
    raise InvalidCursor("bad cursor value")


def encode_cursor(ordering: str, values: list, *, reverse: bool = False) -> str:
    payload = {"o": ordering, "v": [_encode_value(v) for v in values], "r": reverse}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: str, columns: list[Column]) -> tuple[list, bool]:
    """(values, reverse) of a cursor issued for this ordering; InvalidCursor otherwise."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("cursor too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        values = [_decode_value(v) for v in payload["v"]]
        reverse = bool(payload.get("r", False))
        if payload["o"] != ordering or len(values) != len(columns):
            raise InvalidCursor("cursor was issued for another ordering")
        for column, value in zip(columns, values, strict=True):
            if column.name in {"created_at", "last_activity_at", "due_order"} and not isinstance(value, dt.datetime):
                raise InvalidCursor("bad cursor value")
            if column.name in {"id", "score"} and (not isinstance(value, int) or isinstance(value, bool)):
                raise InvalidCursor("bad cursor value")
            if column.name == "is_read" and not isinstance(value, bool):
                raise InvalidCursor("bad cursor value")
            if column.name == "customer_name_key" and not isinstance(value, str):
                raise InvalidCursor("bad cursor value")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:  # RecursionError: "[[[[…"
        raise InvalidCursor(str(exc)) from exc
    return values, reverse


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def _split_after(columns: list[Column], values: list, reverse: bool) -> tuple[Q, Q] | None:
    """The rest of the cursor's first-column group, then the groups beyond it, as two
    conditions that are each one index range; None when after() is one range already.

    after() needs one row comparison, so when the first column runs the other way from the
    rest (score ascending, newest first within a score) or is the two-valued read state, it
    can only bound the scan on the first column: a page deep in a large group (a tenth of the
    ratings share a score; most are read) filtered every row of that group above it. Here the
    first condition is `score = v AND (created_at, id) < (t, 42)`,
    the second `score > v`.
    """
    first, rest = columns[0], columns[1:]
    one_range_already = first.name not in TWO_VALUED and len({c.descending for c in columns}) == 1
    # Only where groups are large: with a nearly unique first column (dates, names) the page
    # almost always crosses groups, and two queries cost more than filtering a few equal rows.
    if first.name not in FEW_VALUED or one_range_already or not rest or len({c.descending for c in rest}) != 1:
        return None
    if len(rest) == 1:
        within = Q(**{f"{rest[0].name}__{'lt' if rest[0].descending != reverse else 'gt'}": values[1]})
    else:
        lookup = TupleLessThan if rest[0].descending != reverse else TupleGreaterThan
        within = Q(lookup(tuple(F(c.name) for c in rest), list(values[1:])))
    same = Q(**{first.name: values[0]}) & within
    beyond = Q(**{f"{first.name}__{'lt' if first.descending != reverse else 'gt'}": values[0]})
    return same, beyond


def paginate(queryset: QuerySet, *, ordering: str, columns: list[Column], cursor: str | None,
             size: int) -> Page:
    """One page of `queryset` in `ordering`, with the cursors of its neighbours."""
    values, reverse = decode_cursor(cursor, ordering, columns) if cursor else (None, False)
    order = [c.order_expression(reverse) for c in columns]
    split = _split_after(columns, values, reverse) if cursor else None
    if split is not None:
        # A second query only when the page crosses from one group into the other.
        same, beyond = split
        rows = list(queryset.filter(same).order_by(*order)[: size + 1])
        if len(rows) <= size:
            rows += list(queryset.filter(beyond).order_by(*order)[: size + 1 - len(rows)])
    else:
        if cursor:
            queryset = queryset.filter(after(columns, values, reverse=reverse))
        rows = list(queryset.order_by(*order)[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if reverse:
        rows.reverse()

    def key(row):
        return [getattr(row, c.name) for c in columns]

    if not rows:
        return Page(rows, None, None)
    if reverse:
        next_cursor = encode_cursor(ordering, key(rows[-1]))
        previous_cursor = encode_cursor(ordering, key(rows[0]), reverse=True) if has_more else None
    else:
        next_cursor = encode_cursor(ordering, key(rows[-1])) if has_more else None
        previous_cursor = encode_cursor(ordering, key(rows[0]), reverse=True) if cursor else None
    return Page(rows, next_cursor, previous_cursor)
