"""The registration lifecycle: draft → submitted → verified → registered ⇄ inactive."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    draft = "draft"
    submitted = "submitted"
    verified = "verified"
    registered = "registered"
    inactive = "inactive"


class Action(StrEnum):
    submit = "submit"
    verify = "verify"
    return_ = "return"
    register = "register"
    deactivate = "deactivate"
    reactivate = "reactivate"


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Status
    target: Status
    role: str  # the role that may take it


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.submit, Status.draft, Status.submitted, "dpmd"),
    Transition(Action.verify, Status.submitted, Status.verified, "tp:kecamatan"),
    Transition(Action.return_, Status.submitted, Status.draft, "tp:kecamatan"),
    Transition(Action.register, Status.verified, Status.registered, "dpmd"),
    Transition(Action.deactivate, Status.registered, Status.inactive, "dpmd"),
    Transition(Action.reactivate, Status.inactive, Status.registered, "dpmd"),
)


class TransitionRefused(Exception):
    """The action is not possible from the current status."""

    def __init__(self, action: Action, current: Status) -> None:
        self.action = action
        self.current = current
        self.allowed = allowed_actions(current)
        names = ", ".join(f"{t.action.value} (→ {t.target.value})" for t in self.allowed)
        super().__init__(
            f"Cannot {action.value} a posyandu that is {current.value}; "
            f"allowed: {names or 'nothing'}."
        )


def allowed_actions(current: Status) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == current]


def transition(current: Status, action: Action) -> Transition:
    """The transition ``action`` takes from ``current``, or TransitionRefused."""
    for candidate in TRANSITIONS:
        if candidate.action == action and candidate.source == current:
            return candidate
    raise TransitionRefused(action, current)
