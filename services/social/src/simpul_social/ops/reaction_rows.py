"""The rows the stunting reaction writes (a priority case, a lead, the episode's decision) and
the event a new case announces, built once for the per-record path (``reaction``) and the
batch path (``reaction_batch``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from simpul_platform.events import new_id
from simpul_platform.referrals.automatic import Automatic, automatic
from simpul_social.domain.reaction import Verdict
from simpul_social.events import PriorityCaseOpened, StuntingDetected

REACTION_ACTOR = "system:stunting-reaction"


class CaseHousehold(Protocol):
    """What a priority case takes from its household (a row, or the batch path's facts)."""

    @property
    def id(self) -> str: ...
    @property
    def household_ref(self) -> str: ...
    @property
    def posyandu_id(self) -> str: ...
    @property
    def desa_code(self) -> str: ...
    @property
    def decile(self) -> int | None: ...


def case_row(
    data: StuntingDetected,
    household: CaseHousehold,
    detected_on: date,
    due_on: date,
    moment: datetime,
) -> dict[str, Any]:
    """The priority_case row for a detection in a poor household without bansos."""
    assert household.decile is not None
    return {
        "id": new_id(),
        "stunting_episode_id": data.episode_id,
        "household_id": household.id,
        "household_ref": household.household_ref,
        "child_person_ref": data.person_ref,
        "posyandu_id": household.posyandu_id,
        "desa_code": household.desa_code,
        "decile": household.decile,
        "severity": data.severity,
        "detection_measurement_id": data.measurement_id,
        "detected_on": detected_on,
        "due_on": due_on,
        "status": "open",
        "opened_at": moment,
        "updated_at": moment,
    }


def opened_event(case: dict[str, Any]) -> PriorityCaseOpened:
    """The event announcing a priority case, from its row (``case_row``)."""
    return PriorityCaseOpened(
        case_id=case["id"],
        stunting_episode_id=case["stunting_episode_id"],
        household_ref=case["household_ref"],
        child_person_ref=case["child_person_ref"],
        posyandu_id=case["posyandu_id"],
        desa_code=case["desa_code"],
        decile=case["decile"],
        due_on=case["due_on"],
        severity=case["severity"],
    )


def automatic_referral(case: dict[str, Any], opened_on: date, moment: datetime) -> Automatic:
    """The referral a priority case answers: health's detection, referred to social by social's
    own rule and accepted with the case, so that it is counted with every other referral."""
    return automatic(
        field="social",
        source_field="health",
        reason_code="stunting_detected",
        posyandu_id=case["posyandu_id"],
        desa_code=case["desa_code"],
        person_ref=case["child_person_ref"],
        household_ref=case["household_ref"],
        requested_on=case["detected_on"],
        accepted_on=opened_on,
        due_on=case["due_on"],
        case_ref=case["id"],
        actor=REACTION_ACTOR,
        moment=moment,
    )


def lead_row(
    data: StuntingDetected,
    reason: str,
    household: CaseHousehold | None,
    detected_on: date,
    moment: datetime,
) -> dict[str, Any]:
    """The stunting_lead row: a detection a kader has to follow up (household unknown or
    not assessed)."""
    return {
        "id": new_id(),
        "stunting_episode_id": data.episode_id,
        "reason": reason,
        "household_ref": data.household_ref,
        "child_person_ref": data.person_ref,
        "posyandu_id": household.posyandu_id if household else data.posyandu_id,
        "desa_code": household.desa_code if household else data.desa_code,
        "severity": data.severity,
        "measurement_id": data.measurement_id,
        "detected_on": detected_on,
        "status": "open",
        "household_id": household.id if household else None,
        "created_at": moment,
    }


def reaction_row(
    data: StuntingDetected,
    verdict: Verdict,
    household: CaseHousehold | None,
    detected_on: date,
    event_id: str,
    detections: int,
    moment: datetime,
) -> dict[str, Any]:
    """The stunting_reaction row: an episode's first decision."""
    return {
        "stunting_episode_id": data.episode_id,
        "decision": verdict.decision,
        "reason": verdict.reason,
        "household_ref": data.household_ref,
        "household_id": household.id if household else None,
        "child_person_ref": data.person_ref,
        "posyandu_id": household.posyandu_id if household else data.posyandu_id,
        "desa_code": household.desa_code if household else data.desa_code,
        "decile": household.decile if household else None,
        "severity": data.severity,
        "detected_on": detected_on,
        "detections": detections,
        "last_event_id": event_id,
        "decided_at": moment,
        "updated_at": moment,
    }
