"""Matching a line of Kemendagri's list of registration numbers to a posyandu of its desa.

The list names posyandu as people write them ("POSYANDU  Mawar", "Mawar"): a name matches when
it is equal ignoring case, runs of spaces and a leading "Posyandu". A name stored exactly so
(case and spaces aside) wins over looser matches, so "Posyandu Mawar" finds "Posyandu Mawar"
even beside a posyandu named "Mawar"; two looser matches are ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from simpul_platform.domain import RuleViolation

T = TypeVar("T", bound="Named")
_PREFIX = re.compile(r"^posyandu\b[\s.:-]*")


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def name_key(self) -> str: ...


def exact_key(name: str) -> str:
    """What the registry stores as ``name_key``: lower case, single spaces."""
    return " ".join(name.lower().split())


def loose_key(name: str) -> str:
    """The name without case, extra spaces or a leading "Posyandu"."""
    key = exact_key(name)
    return _PREFIX.sub("", key).strip() or key


def match(name: str, candidates: Sequence[T]) -> T:
    """The one candidate ``name`` designates; RuleViolation ``no_such_posyandu`` or
    ``ambiguous_name`` (naming the candidates) otherwise."""
    exact = [c for c in candidates if c.name_key == exact_key(name)]
    if len(exact) == 1:
        return exact[0]
    loose = [c for c in candidates if loose_key(c.name) == loose_key(name)]
    if len(loose) == 1:
        return loose[0]
    if not loose:
        raise RuleViolation("name", "no_such_posyandu", f"No posyandu named {name!r} in this desa.")
    names = ", ".join(sorted(repr(c.name) for c in loose))
    raise RuleViolation(
        "name", "ambiguous_name", f"{name!r} matches {len(loose)} posyandu of this desa: {names}."
    )
