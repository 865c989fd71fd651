"""Re-key maps: which new reference each old one becomes, as ``kind,old_ref,new_ref`` lines.

A map holds references only, never a NIK or No. KK; still, it links every old reference to its
new one, so it is kept as confidential as the secrets and destroyed when the rotation is done.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from simpul_platform.pseudonym import Kind

HEADER = ("kind", "old_ref", "new_ref")
KINDS: tuple[Kind, ...] = get_args(Kind)
_REF = re.compile(r"[0-9a-f]{64}")
# A reference embedded in a longer text: 64 hex digits not part of a longer run.
_EMBEDDED_REF = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


class MapError(ValueError):
    """A map file that cannot be used as it is; the message names the file and line."""


@dataclass(frozen=True, order=True)
class Pair:
    kind: Kind
    old_ref: str
    new_ref: str


@dataclass
class RefMap:
    """The union of maps: per kind, old → new, and the new side on its own so that a reference
    already re-keyed is recognised (which makes applying twice a no-op)."""

    old_to_new: dict[Kind, dict[str, str]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )
    new_refs: dict[Kind, set[str]] = field(default_factory=lambda: {kind: set() for kind in KINDS})

    def add(self, pair: Pair) -> None:
        known = self.old_to_new[pair.kind].setdefault(pair.old_ref, pair.new_ref)
        if known != pair.new_ref:
            raise MapError(
                f"{pair.kind} reference {pair.old_ref[:12]}… maps to two new references: the "
                "maps were exported with different new secrets"
            )
        self.new_refs[pair.kind].add(pair.new_ref)

    def resolve(self, kind: Kind, ref: str) -> str | None:
        """The reference ``ref`` becomes: its new one, itself when it is new already, or None
        when no map knows it."""
        if ref in self.new_refs[kind]:
            return ref
        return self.old_to_new[kind].get(ref)

    def resolve_any(self, ref: str) -> str | None:
        """As ``resolve`` for a reference of unknown kind (one embedded in a key); a NIK's and
        a No. KK's references never coincide, since the kind is part of the HMAC message."""
        for kind in KINDS:
            resolved = self.resolve(kind, ref)
            if resolved is not None:
                return resolved
        return None

    def __len__(self) -> int:
        return sum(len(pairs) for pairs in self.old_to_new.values())


def rewrite_within(text: str, refs: RefMap) -> tuple[str, list[str]]:
    """``text`` with each embedded reference re-keyed, and the references no map knows (left
    as they are)."""
    unmapped: list[str] = []

    def replace(match: re.Match[str]) -> str:
        resolved = refs.resolve_any(match[0])
        if resolved is None:
            unmapped.append(match[0])
            return match[0]
        return resolved

    return _EMBEDDED_REF.sub(replace, text), unmapped


def write_map(path: Path, pairs: Iterable[Pair]) -> int:
    """Write ``pairs`` (sorted, so two exports of the same rows are the same file), readable
    by its owner only; the number of pairs written."""
    rows = sorted(set(pairs))
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", newline="", encoding="ascii") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows((p.kind, p.old_ref, p.new_ref) for p in rows)
    return len(rows)


def read_maps(paths: Sequence[Path]) -> RefMap:
    """The union of the map files; a malformed line or a conflict is a MapError."""
    refs = RefMap()
    for path in paths:
        for pair in _read_map(path):
            try:
                refs.add(pair)
            except MapError as exc:
                raise MapError(f"{path}: {exc}") from None
    return refs


def _read_map(path: Path) -> list[Pair]:
    with path.open(newline="", encoding="ascii") as source:
        rows = list(csv.reader(source))
    if not rows or tuple(rows[0]) != HEADER:
        raise MapError(f"{path}: line 1 must be the header {','.join(HEADER)}")
    return [_pair(path, number, row) for number, row in enumerate(rows[1:], start=2)]


def _pair(path: Path, number: int, row: list[str]) -> Pair:
    if len(row) != 3:
        raise MapError(f"{path}: line {number} has {len(row)} fields, not 3")
    kind, old_ref, new_ref = row
    if kind not in KINDS:
        raise MapError(f"{path}: line {number}: kind {kind!r} is not one of {', '.join(KINDS)}")
    for name, ref in (("old_ref", old_ref), ("new_ref", new_ref)):
        if not _REF.fullmatch(ref):
            raise MapError(f"{path}: line {number}: {name} is not 64 lowercase hex digits")
    if old_ref == new_ref:
        raise MapError(f"{path}: line {number}: old_ref and new_ref are the same")
    return Pair(kind, old_ref, new_ref)
