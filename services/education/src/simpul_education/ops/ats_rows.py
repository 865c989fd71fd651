"""The rows and events an ATS case's detection and steps write, shared by the workflow
(``ops.ats``) and the detection that opens cases by itself (``ops.ats_detection``, which also
writes them as a census's COPY rows): a detected case's row, a step's history row, the
``education.ats.opened.v1`` event, and what every ATS event says of its case and child (ids,
pseudonyms, place, age). ``CaseChild`` is what they read of the child: a ``Child`` row, or a
census's new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from simpul_education.domain.ats import ATS
from simpul_education.domain.children import age_months
from simpul_education.events import AtsCaseOpened
from simpul_education.models import AtsCase
from simpul_education.settings import EducationSettings
from simpul_platform.events import new_id
from simpul_platform.steps import step_row
from simpul_platform.workdays import due_after


class CaseChild(Protocol):
    """What opening a case reads of its child: a ``Child`` row, or a census's new one."""

    @property
    def id(self) -> str: ...
    @property
    def person_ref(self) -> str: ...
    @property
    def household_ref(self) -> str | None: ...
    @property
    def posyandu_id(self) -> str: ...
    @property
    def desa_code(self) -> str: ...
    @property
    def birth_date(self) -> date: ...


def case_row(
    settings: EducationSettings,
    child: CaseChild,
    source: str,
    detected_on: date,
    actor: str,
    moment: datetime,
    *,
    referral_id: str | None = None,
) -> dict[str, Any]:
    """A detected case's row at the child's posyandu, due for the desa's verification N
    working days after its detection (an ``AtsCase`` here, a COPY's row for a census)."""
    return {
        "id": new_id(),
        "child_id": child.id,
        "posyandu_id": child.posyandu_id,
        "desa_code": child.desa_code,
        "status": ATS.next(None, "detect"),
        "source": source,
        "referral_id": referral_id,
        "detected_on": detected_on,
        "verify_due_on": due_after(settings, detected_on, settings.ats_verify_due_working_days),
        "created_by": actor,
        "created_at": moment,
        "updated_by": actor,
        "updated_at": moment,
    }


def history_row(
    case_id: str,
    action: str,
    previous: str | None,
    status: str,
    codes: Mapping[str, Any],
    on: date,
    actor: str,
    moment: datetime,
) -> dict[str, Any]:
    """A step's history row (codes without their empty values)."""
    return step_row("case_id", case_id, action, previous, status, codes, on, actor, moment)


def opened_event(
    row: Mapping[str, Any], child: CaseChild, category: str | None = None
) -> AtsCaseOpened:
    """``education.ats.opened.v1`` for a case's row (``case_row``) and its child."""
    return AtsCaseOpened(
        case_id=row["id"],
        child_id=child.id,
        person_ref=child.person_ref,
        household_ref=child.household_ref,
        posyandu_id=row["posyandu_id"],
        desa_code=row["desa_code"],
        age_months=age_months(child.birth_date, row["detected_on"]),
        category=category,
        source=row["source"],
        referral_id=row["referral_id"],
        detected_on=row["detected_on"],
        verify_due_on=row["verify_due_on"],
    )


def about(case: AtsCase, child: CaseChild, on: date) -> dict[str, Any]:
    """What every ATS event says of its case and child: ids, pseudonyms, place, age."""
    return {
        "case_id": case.id,
        "child_id": child.id,
        "person_ref": child.person_ref,
        "household_ref": child.household_ref,
        "posyandu_id": case.posyandu_id,
        "desa_code": case.desa_code,
        "age_months": age_months(child.birth_date, on),
    }
