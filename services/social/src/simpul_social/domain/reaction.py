"""The first cross-sector reaction: what Dinas Sosial does when health detects stunting.

Per stunting episode: the child's household known here, with a DTSEN decile within the
priority band (1–4) and no bansos in the current period → a priority case (keluarga berisiko
stunting), due a number of working days out. Otherwise the decision is recorded, so DPMD can
see why no case was opened; an unknown household, or one never assessed, becomes a lead for a
kader to find.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

Decision = Literal["case_opened", "not_priority_decile", "receiving_bansos", "unmatched"]
LeadReason = Literal["household_unknown", "decile_unknown"]


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str
    lead_reason: LeadReason | None = None


def decide(
    *,
    household_known: bool,
    decile: int | None,
    receiving_programs: Collection[str],
    max_priority_decile: int = 4,
) -> Verdict:
    """The decision for one stunting detection (pure: the caller gathers the facts)."""
    if not household_known:
        return Verdict(
            "unmatched", "The child's household is not registered here.", "household_unknown"
        )
    if decile is None:
        return Verdict("unmatched", "The household has no DTSEN decile yet.", "decile_unknown")
    if decile > max_priority_decile:
        return Verdict(
            "not_priority_decile",
            f"Decile {decile} is outside the priority deciles 1–{max_priority_decile}.",
        )
    if receiving_programs:
        programs = ", ".join(sorted(receiving_programs))
        return Verdict("receiving_bansos", f"Already receiving bansos this period: {programs}.")
    return Verdict(
        "case_opened",
        f"Decile {decile} and no bansos this period: keluarga berisiko stunting.",
    )
