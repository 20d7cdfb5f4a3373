"""Keyset pagination for long lists: no OFFSET and no full-table COUNT per request.

A page of a list ordered by ``(<date field> DESC, id DESC)`` is found from the row next to it:
``?after=<date>_<id>`` gives the rows that come after that row, ``?before=<date>_<id>`` the rows
that come before it. Either way the database walks an index from that point and stops after one
page, so page 2,000 costs what page 1 costs. How many rows match is counted only up to a bound
(``SELECT COUNT(*) FROM (… LIMIT 10001)``): "10,000+" is all a person needs to know beyond that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q, QuerySet

PER_PAGE = 25
COUNT_LIMIT = 10_000
_MAX_ID = 2**63 - 1  # a bigint: anything larger would make the database refuse the query


class InvalidCursor(ValueError):
    """A page link that was typed, truncated or tampered with."""


@dataclass(frozen=True)
class Cursor:
    """The position of one row in the order ``(day DESC, pk DESC)``, written ``2026-11-29_1234``."""

    day: dt.date
    pk: int

    def __str__(self) -> str:
        return f"{self.day.isoformat()}_{self.pk}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        day, sep, pk = text.strip().partition("_")
        if not sep or not pk.isdigit():
            raise InvalidCursor(text)
        try:
            cursor = cls(dt.date.fromisoformat(day), int(pk))
        except ValueError as exc:
            raise InvalidCursor(text) from exc
        if not 0 < cursor.pk <= _MAX_ID:
            raise InvalidCursor(text)
        return cursor


@dataclass
class KeysetPage:
    """One page of rows with the cursors of the pages next to it."""

    object_list: list
    has_next: bool = False
    has_previous: bool = False
    next_cursor: str = ""
    previous_cursor: str = ""
    per_page: int = PER_PAGE

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def is_first(self) -> bool:
        return not self.has_previous


def _cursor_of(row, date_field: str) -> str:
    if isinstance(row, Mapping):  # a page read with .values()
        return str(Cursor(row[date_field], row["pk"]))
    return str(Cursor(getattr(row, date_field), row.pk))


def keyset_paginate(
    queryset: QuerySet,
    *,
    date_field: str,
    after: str | None = None,
    before: str | None = None,
    per_page: int = PER_PAGE,
) -> KeysetPage:
    """The page of ``queryset`` (ordered by ``date_field`` DESC, id DESC) after or before a cursor.

    ``queryset`` may yield model instances or, from ``.values()``, dicts that hold ``pk`` and ``date_field``.

    Raises ``InvalidCursor`` for a malformed cursor, or when both ``after`` and ``before`` are given.
    """
    if after and before:
        raise InvalidCursor("after and before")
    if before:
        cursor = Cursor.parse(before)
        # the rows just above the cursor, nearest first; the `gte` bound lets the index start there
        rows = list(
            queryset.filter(
                Q(**{f"{date_field}__gt": cursor.day}) | Q(**{date_field: cursor.day, "pk__gt": cursor.pk}),
                **{f"{date_field}__gte": cursor.day},
            ).order_by(date_field, "pk")[: per_page + 1]
        )
        has_previous = len(rows) > per_page
        rows = rows[:per_page][::-1]
        has_next = True
    else:
        if after:
            cursor = Cursor.parse(after)
            queryset = queryset.filter(
                Q(**{f"{date_field}__lt": cursor.day}) | Q(**{date_field: cursor.day, "pk__lt": cursor.pk}),
                **{f"{date_field}__lte": cursor.day},
            )
        rows = list(queryset.order_by(f"-{date_field}", "-pk")[: per_page + 1])
        has_next = len(rows) > per_page
        rows = rows[:per_page]
        has_previous = bool(after)
    if not rows:
        # walked off either end (rows removed meanwhile): nothing to go on to from here
        return KeysetPage([], has_previous=bool(after or before), per_page=per_page)
    return KeysetPage(
        rows,
        has_next=has_next,
        has_previous=has_previous,
        next_cursor=_cursor_of(rows[-1], date_field) if has_next else "",
        previous_cursor=_cursor_of(rows[0], date_field) if has_previous else "",
        per_page=per_page,
    )


@dataclass(frozen=True)
class BoundedCount:
    """How many rows match, counted up to a bound: ``value`` is exact unless ``capped``."""

    value: int
    capped: bool
    limit: int


def bounded_count(queryset: QuerySet, limit: int | None = None) -> BoundedCount:
    """``SELECT COUNT(*) FROM (SELECT … LIMIT limit + 1)``: stops reading after ``limit + 1`` rows.

    The inner SELECT is the ORM's; the wrapper is written here, cheaper than the ORM's aggregate over a
    sliced query on a page people open all day.
    """
    limit = limit or COUNT_LIMIT
    inner = queryset.order_by().values_list("pk")[: limit + 1]
    sql, params = inner.query.get_compiler(inner.db).as_sql()
    with connections[inner.db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) bounded", params)  # noqa: S608 (the ORM's SQL)  # nosec B608
        found = cursor.fetchone()[0]
    return BoundedCount(value=min(found, limit), capped=found > limit, limit=limit)
