"""Registration progress: counts per status and the share registered against a target."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from simpul_registry.domain.lifecycle import Status


@dataclass(frozen=True)
class Progress:
    code: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    registered: int = 0
    target: int | None = None
    share_of_target: float | None = None
    share_of_total: float | None = None


def progress(code: str, counts: Mapping[str, int], target: int | None) -> Progress:
    """Counts per status (every status present, zero or not) and the registered shares."""
    full = {status.value: int(counts.get(status.value, 0)) for status in Status}
    total = sum(full.values())
    registered = full[Status.registered.value]
    return Progress(
        code=code,
        counts=full,
        total=total,
        registered=registered,
        target=target,
        share_of_target=round(registered / target, 4) if target else None,
        share_of_total=round(registered / total, 4) if total else None,
    )
