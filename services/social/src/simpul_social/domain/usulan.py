"""The usulan (proposal) workflow for putting a household forward as poor.

A kader proposes a household; the village verifies it in a musyawarah desa (or turns it down);
Dinas Sosial validates a verified proposal or rejects it with a reason. Validated and rejected
are final; a household may be proposed again after a rejection.
"""

from __future__ import annotations

from typing import Literal

UsulanStatus = Literal["proposed", "verified", "validated", "rejected"]
UsulanAction = Literal["propose", "verify", "validate", "reject"]

TRANSITIONS: dict[tuple[UsulanStatus | None, UsulanAction], UsulanStatus] = {
    (None, "propose"): "proposed",
    ("proposed", "verify"): "verified",
    ("proposed", "reject"): "rejected",  # turned down by the musyawarah desa
    ("verified", "validate"): "validated",
    ("verified", "reject"): "rejected",  # rejected by Dinas Sosial
}
OPEN_STATUSES: tuple[UsulanStatus, ...] = ("proposed", "verified")


class TransitionRefused(ValueError):
    """An action that the current status does not allow."""

    def __init__(self, status: str | None, action: str, allowed: list[str]) -> None:
        super().__init__(f"cannot {action} an usulan that is {status}")
        self.status = status
        self.action = action
        self.allowed = allowed


def allowed_actions(status: UsulanStatus | None) -> list[str]:
    return [action for (source, action) in TRANSITIONS if source == status]


def next_status(status: UsulanStatus | None, action: UsulanAction) -> UsulanStatus:
    """The status after ``action``, or TransitionRefused."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise TransitionRefused(status, action, allowed_actions(status))
    return target
