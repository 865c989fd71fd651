"""PPKS cases (Pemerlu Pelayanan Kesejahteraan Sosial) for the SPM sosial indicators.

Permensos 9/2018 (SPM bidang sosial, daerah kabupaten/kota): rehabilitasi sosial dasar di luar
panti for neglected persons with disabilities, neglected children, neglected elderly, and
homeless people and beggars. A case goes identified → assessed → served (rehabilitation outside
institutions) → closed; it may also be closed before service (moved away, died, not PPKS).
"""

from __future__ import annotations

from typing import Literal

from simpul_platform.domain import RuleViolation, Step, Workflow

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
PpksAction = Literal["identify", "assess", "serve", "close"]
CloseOutcome = Literal[
    "rehabilitated", "referred_to_institution", "moved_away", "died", "not_ppks", "refused"
]
# Outcomes that need the case to have been served first.
SERVED_OUTCOMES: frozenset[str] = frozenset({"rehabilitated"})

PPKS: Workflow[PpksStatus, PpksAction] = Workflow(
    "PPKS case",
    [
        Step("identify", None, "identified"),
        Step("assess", "identified", "assessed"),
        Step("serve", "assessed", "served"),
        Step("close", "identified", "closed"),
        Step("close", "assessed", "closed"),
        Step("close", "served", "closed"),
    ],
)


def check_outcome(status: PpksStatus, outcome: str, field: str = "body.outcome") -> None:
    """'rehabilitated' only after service; the other outcomes at any open stage."""
    if status != "served" and outcome in SERVED_OUTCOMES:
        raise RuleViolation(field, "not_served", f"'{outcome}' needs the case to have been served.")
