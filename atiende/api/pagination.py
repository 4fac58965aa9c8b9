"""Cursor pagination whose cursor is checked before it reaches the database."""

from __future__ import annotations

import binascii
from typing import Any

import pydantic
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import CursorPagination


class Pagination(CursorPagination):
    """Ninja's cursor pagination (`{"next", "previous", "results"}`), except that a cursor
    the server did not issue is a 422 on the `cursor` field instead of a 500.

    Ninja decodes the cursor itself but lets a well-formed cursor with a bad position
    or offset through to pydantic and to the ORM, which then fail with unhandled errors.
    """

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        _check_cursor(self, queryset, pagination.cursor)
        return super().paginate_queryset(queryset, pagination, request, **params)


class KeysFirstPagination(Pagination):
    """For long lists whose rows join other tables: a page is read in two queries, the
    page's keys first (filtered, sorted and cut without joining anything), then the rows
    of those keys with their joins. The database then sorts keys, not thousands of
    joined rows, to keep fifty."""

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        _check_cursor(self, queryset, pagination.cursor)
        return CursorPagination.paginate_queryset(self, _KeysFirst(queryset), pagination,
                                                  request, **params)


class _KeysFirst:
    """The part of a queryset cursor pagination uses (order, filter, one slice), read
    keys first."""

    def __init__(self, queryset: QuerySet) -> None:
        self.queryset = queryset

    def order_by(self, *fields: str) -> _KeysFirst:
        return _KeysFirst(self.queryset.order_by(*fields))

    def filter(self, *args: Any, **kwargs: Any) -> _KeysFirst:
        return _KeysFirst(self.queryset.filter(*args, **kwargs))

    def __getitem__(self, page: slice) -> list:
        keys = list(self.queryset.values_list("pk", flat=True)[page])
        rows = {row.pk: row for row in self.queryset.filter(pk__in=keys)}
        return [rows[key] for key in keys if key in rows]


def _check_cursor(paginator: CursorPagination, queryset: QuerySet, encoded: str | None) -> None:
    if not encoded:
        return
    try:
        cursor = paginator.Cursor.from_encoded_param(encoded)
        if cursor.p is not None:
            field = queryset.model._meta.get_field(paginator._order_attribute)
            field.get_prep_value(field.to_python(cursor.p))
    except (
        NinjaValidationError, pydantic.ValidationError, DjangoValidationError, ValueError,
        TypeError, binascii.Error, UnicodeError,
    ):
        raise NinjaValidationError(
            [{"loc": ("query", "cursor"), "type": "invalid_cursor", "msg": "Invalid cursor"}]
        ) from None
