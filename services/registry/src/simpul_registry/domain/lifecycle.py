"""The registration lifecycle: draft → submitted → verified → registered ⇄ inactive."""

from __future__ import annotations

from enum import StrEnum

from simpul_platform.domain import Step, Workflow

DPMD = "dpmd"
TP_KECAMATAN = "tp:kecamatan"


class Status(StrEnum):
    draft = "draft"
    submitted = "submitted"
    verified = "verified"
    registered = "registered"
    inactive = "inactive"


class Action(StrEnum):
    create = "create"
    submit = "submit"
    verify = "verify"
    return_ = "return"
    register = "register"
    deactivate = "deactivate"
    reactivate = "reactivate"


def _step(action: Action, source: Status | None, target: Status, role: str) -> Step[Status, Action]:
    return Step(action, source, target, frozenset({role}))


LIFECYCLE: Workflow[Status, Action] = Workflow("posyandu", [
    _step(Action.create, None, Status.draft, DPMD),
    _step(Action.submit, Status.draft, Status.submitted, DPMD),
    _step(Action.verify, Status.submitted, Status.verified, TP_KECAMATAN),
    _step(Action.return_, Status.submitted, Status.draft, TP_KECAMATAN),
    _step(Action.register, Status.verified, Status.registered, DPMD),
    _step(Action.deactivate, Status.registered, Status.inactive, DPMD),
    _step(Action.reactivate, Status.inactive, Status.registered, DPMD),
])
