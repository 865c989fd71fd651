"""PPKS cases (Pemerlu Pelayanan Kesejahteraan Sosial) for the SPM sosial indicators.

Permensos 9/2018 (SPM bidang sosial, daerah kabupaten/kota): rehabilitasi sosial dasar di luar
panti for neglected persons with disabilities, neglected children, neglected elderly, and
homeless people and beggars. A case goes identified → assessed → served (rehabilitation outside
institutions) → closed; it may also be closed before service (moved away, died, not PPKS).
"""

from __future__ import annotations

from typing import Literal

PpksCategory = Literal[
    "disabilitas_telantar", "anak_telantar", "lansia_telantar", "gelandangan_pengemis"
]
PPKS_CATEGORIES: tuple[PpksCategory, ...] = (
    "disabilitas_telantar",
    "anak_telantar",
    "lansia_telantar",
    "gelandangan_pengemis",
)
CATEGORY_NAMES: dict[str, str] = {
    "disabilitas_telantar": "Neglected persons with disabilities",
    "anak_telantar": "Neglected children",
    "lansia_telantar": "Neglected elderly",
    "gelandangan_pengemis": "Homeless people and beggars",
}
PpksStatus = Literal["identified", "assessed", "served", "closed"]
PpksAction = Literal["assess", "serve", "close"]
CloseOutcome = Literal[
    "rehabilitated", "referred_to_institution", "moved_away", "died", "not_ppks", "refused"
]
# Outcomes that need the case to have been served first.
SERVED_OUTCOMES: frozenset[str] = frozenset({"rehabilitated"})

TRANSITIONS: dict[tuple[PpksStatus, PpksAction], PpksStatus] = {
    ("identified", "assess"): "assessed",
    ("assessed", "serve"): "served",
    ("identified", "close"): "closed",
    ("assessed", "close"): "closed",
    ("served", "close"): "closed",
}


class CaseTransitionRefused(ValueError):
    def __init__(self, status: str, action: str, allowed: list[str]) -> None:
        super().__init__(f"cannot {action} a PPKS case that is {status}")
        self.status = status
        self.action = action
        self.allowed = allowed


def allowed_actions(status: PpksStatus) -> list[str]:
    return [action for (source, action) in TRANSITIONS if source == status]


def next_status(status: PpksStatus, action: PpksAction) -> PpksStatus:
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise CaseTransitionRefused(status, action, allowed_actions(status))
    return target


def outcome_allowed(status: PpksStatus, outcome: str) -> bool:
    """'rehabilitated' only after service; the other outcomes at any open stage."""
    return status == "served" or outcome not in SERVED_OUTCOMES
