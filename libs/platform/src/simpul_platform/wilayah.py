"""Wilayah: Kemendagri area codes (provinsi ``64``, kabupaten ``64.02``, kecamatan ``64.02.06``,
desa ``64.02.06.2012``), their patterns, their parents, and the SQL filter "under these scopes".

A scope covers its own code and every code beneath it (``auth.covers`` is the same rule in
Python); ``NATIONWIDE`` covers everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import ColumnElement, Index, and_, false, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.sqltypes import NullType

from simpul_platform.auth import NATIONWIDE

WILAYAH_PATTERN = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
DESA_PATTERN = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
KECAMATAN_PATTERN = r"^\d{2}\.\d{2}\.\d{2}$"

WilayahQuery = Annotated[
    str | None,
    Query(
        pattern=WILAYAH_PATTERN,
        description="Provinsi, kabupaten, kecamatan or desa code; the caller's wilayah if omitted",
        examples=["64.02.06"],
    ),
]
RequiredWilayahQuery = Annotated[
    str,
    Query(
        pattern=WILAYAH_PATTERN,
        description="Provinsi, kabupaten, kecamatan or desa code",
        examples=["64.02"],
    ),
]
DesaQuery = Annotated[
    str | None, Query(pattern=DESA_PATTERN, description="Desa code", examples=["64.02.06.2012"])
]

LEVELS = {1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}


@dataclass(frozen=True)
class WilayahCodes:
    """A desa code with its parents."""

    desa_code: str
    kecamatan_code: str
    kabupaten_code: str
    provinsi_code: str

    def as_dict(self) -> dict[str, str]:
        return {
            "desa_code": self.desa_code,
            "kecamatan_code": self.kecamatan_code,
            "kabupaten_code": self.kabupaten_code,
            "provinsi_code": self.provinsi_code,
        }


def codes(desa_code: str) -> WilayahCodes:
    """``64.02.06.2012`` → its kecamatan ``64.02.06``, kabupaten ``64.02``, provinsi ``64``."""
    parts = desa_code.split(".")
    if len(parts) != 4:
        raise ValueError(f"not a desa code: {desa_code!r}")
    return WilayahCodes(
        desa_code=desa_code,
        kecamatan_code=".".join(parts[:3]),
        kabupaten_code=".".join(parts[:2]),
        provinsi_code=parts[0],
    )


def level(code: str) -> int:
    """1 provinsi, 2 kabupaten, 3 kecamatan, 4 desa."""
    return code.count(".") + 1


def parent(code: str) -> str | None:
    """The code one level up (None for a provinsi)."""
    head, dot, _ = code.rpartition(".")
    return head if dot else None


def under(column: Any, scopes: Sequence[str]) -> ColumnElement[bool]:
    """``column`` (a wilayah code) lies within any of ``scopes``; ``NATIONWIDE`` covers all."""
    if NATIONWIDE in scopes:
        return column.is_not(None)  # type: ignore[no-any-return]
    if not scopes:
        return false()
    return or_(*(_under_one(column, scope) for scope in scopes))


def ancestors(scopes: Sequence[str]) -> list[str]:
    """The wilayah containing any of ``scopes`` (an area over them reaches them)."""
    found: set[str] = set()
    for scope in scopes:
        up = None if scope == NATIONWIDE else parent(scope)
        while up is not None:
            found.add(up)
            up = parent(up)
    return sorted(found)


def overlapping(column: Any, scopes: Sequence[str]) -> ColumnElement[bool]:
    """``column`` (an area's wilayah code) lies within one of ``scopes`` or contains one: the
    areas a caller of those scopes works in (``Principal.overlaps`` for one area)."""
    return or_(under(column, scopes), column.in_(ancestors(scopes)))


def _under_one(column: Any, scope: str) -> ColumnElement[bool]:
    """``column`` is ``scope`` or starts with ``scope + "."``.

    Every such code lies in [scope, scope + "/") in byte order ("/" comes right after "."),
    so that range is added as a redundant condition: an index with varchar_pattern_ops can
    read it under any collation (a LIKE prefix cannot use an ordinary index unless the
    collation is "C", and not at all in a generic plan). The exact test stays beside it.
    """
    return and_(
        BytesAtLeast(column, scope),
        BytesBelow(column, scope + "/"),
        or_(column == scope, column.startswith(scope + ".", autoescape=True)),
    )


class BytesAtLeast(FunctionElement[Any]):
    """``left >= right`` in byte order, whatever the database's collation."""

    type = NullType()  # no "= 1" appended where booleans are integers (SQLite)
    inherit_cache = True
    operator = ">="


class BytesBelow(FunctionElement[Any]):
    """``left < right`` in byte order, whatever the database's collation."""

    type = NullType()  # no "= 1" appended where booleans are integers (SQLite)
    inherit_cache = True
    operator = "<"


@compiles(BytesAtLeast)
@compiles(BytesBelow)
def _bytes_compare(element: Any, compiler: Any, **kw: Any) -> str:
    """Elsewhere (SQLite) text compares bytewise unless a column says otherwise."""
    left, right = (compiler.process(c, **kw) for c in element.clauses)
    return f"{left} {element.operator} {right}"


@compiles(BytesAtLeast, "postgresql")
@compiles(BytesBelow, "postgresql")
def _bytes_compare_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    """PostgreSQL's pattern operators: memcmp order, what varchar_pattern_ops indexes."""
    left, right = (compiler.process(c, **kw) for c in element.clauses)
    return f"{left} ~{element.operator}~ {right}"


def desa_index(name: str) -> Index:
    """The index a table's ``desa_code`` prefix queries (``under``) use: a wilayah code is a
    prefix of every desa code beneath it."""
    return Index(name, "desa_code", postgresql_ops={"desa_code": "varchar_pattern_ops"})
