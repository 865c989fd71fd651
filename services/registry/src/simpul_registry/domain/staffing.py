"""Staffing: which pengurus posts a posyandu must fill, and how its gaps add up per wilayah.

A posyandu's board (DOMAIN.md, Permendagri 13/2024) is a ketua, a sekretaris, a bendahara and
one ketua bidang for each SPM field it runs; each field it runs also needs at least one kader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from simpul_registry.domain.fields import Role, SpmField

# The posts every posyandu has, whatever fields it runs.
REQUIRED_PENGURUS: tuple[Role, ...] = (Role.ketua, Role.sekretaris, Role.bendahara)
FIELDS: tuple[str, ...] = tuple(f.value for f in SpmField)


@dataclass(frozen=True)
class PosyanduGaps:
    """What one posyandu lacks today."""

    missing_pengurus: list[str]
    fields_without_ketua_bidang: list[str]
    fields_without_kader: list[str]

    @property
    def empty_posts(self) -> int:
        return len(self.missing_pengurus) + len(self.fields_without_ketua_bidang)

    @property
    def any(self) -> bool:
        return bool(self.empty_posts or self.fields_without_kader)


def gaps(
    runs: Sequence[str],
    pengurus: Mapping[str, int],
    heads: Mapping[str, int],
    kader: Mapping[str, int],
) -> PosyanduGaps:
    """The gaps of a posyandu running ``runs``, given its active holders per post, its active
    ketua bidang per field and its active kader per field."""
    return PosyanduGaps(
        missing_pengurus=[r.value for r in REQUIRED_PENGURUS if not pengurus.get(r.value)],
        fields_without_ketua_bidang=[f for f in FIELDS if f in runs and not heads.get(f)],
        fields_without_kader=[f for f in FIELDS if f in runs and not kader.get(f)],
    )


def _zeros() -> dict[str, int]:
    return dict.fromkeys(FIELDS, 0)


@dataclass
class Tally:
    """Counts for one wilayah (a desa, a kecamatan, the whole): summed from desa rows."""

    posyandu: int = 0
    kader_active: dict[str, int] = field(default_factory=_zeros)
    running: dict[str, int] = field(default_factory=_zeros)
    without_ketua_bidang: dict[str, int] = field(default_factory=_zeros)
    without_kader: dict[str, int] = field(default_factory=_zeros)
    missing_pengurus: dict[str, int] = field(
        default_factory=lambda: {r.value: 0 for r in REQUIRED_PENGURUS}
    )

    def add(self, other: Tally) -> None:
        self.posyandu += other.posyandu
        for mine, theirs in self._parts(other):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value

    def _parts(self, other: Tally) -> list[tuple[dict[str, int], dict[str, int]]]:
        return [
            (self.kader_active, other.kader_active),
            (self.running, other.running),
            (self.without_ketua_bidang, other.without_ketua_bidang),
            (self.without_kader, other.without_kader),
            (self.missing_pengurus, other.missing_pengurus),
        ]

    @property
    def empty_posts(self) -> int:
        """Board posts unfilled: ketua, sekretaris, bendahara, and ketua bidang per field run."""
        return sum(self.missing_pengurus.values()) + sum(self.without_ketua_bidang.values())
