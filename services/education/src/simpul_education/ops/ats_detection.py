"""A kader's census detects: an ATS case opens by itself for a child given ``out_of_school``.

When a child aged 7–18 on the status's date (``domain.ats.detects_case``) is given the status
``out_of_school`` (by a census, ``ops.census``, or a single recorded status, ``record_status``
below) and has no open case, a case opens in the same unit of work: ``detected`` on the status
date, its source the status's (``domain.ats.DETECTED_BY``: ``kader_census`` for a census), due
for the desa's verification as any case, ``education.ats.opened.v1`` published. The status is
already the case's ``out_of_school``, so no second one is recorded.

Only a status written here detects: ``ops.ats.open_case`` (which records the child's
``out_of_school`` itself), the Dapodik import and the demo write statuses through
``ops.children.record_status`` and open their own cases, so none gets two; a census item that
repeats the child's status writes nothing and opens nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table, insert
from sqlmodel import col, select

from simpul_education.domain.ats import DETECTED_BY, detects_case
from simpul_education.domain.children import age_years
from simpul_education.models import ATS_OPEN, AtsCase, AtsCaseHistory, Child, ChildStatus
from simpul_education.ops import ats_rows, children
from simpul_education.ops.ats_rows import CaseChild
from simpul_education.schemas.children import StatusIn
from simpul_education.settings import EducationSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.db import bulk_insert
from simpul_platform.uow import UnitOfWork

CASES: Table = AtsCase.__table__  # type: ignore[attr-defined]
STEPS: Table = AtsCaseHistory.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Found:
    """A child a census found out of school (the census writes rows, not ``Child`` objects)."""

    id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    birth_date: date


async def record_status(
    uow: UnitOfWork,
    principal: Principal,
    settings: EducationSettings,
    child: Child,
    body: StatusIn,
    *,
    today: date,
) -> tuple[ChildStatus, str | None]:
    """``ops.children.record_status``, then the case it detects: the status row and the id of
    the case opened (None when it opened none). ``child`` must be locked."""
    row = await children.record_status(uow, principal, child, body, today=today)
    if not detects_case(body.status, age_years(child.birth_date, body.on)):
        return row, None
    opened = await open_detected(
        uow, settings, principal.subject, [child], DETECTED_BY[body.source], body.on
    )
    return row, opened.get(child.id)


async def open_detected(
    uow: UnitOfWork,
    settings: EducationSettings,
    actor: str,
    found: Sequence[CaseChild],
    source: str,
    detected_on: date,
) -> dict[str, str]:
    """A case for each of these children (of school age, just given ``out_of_school``) with no
    open one: the case ids by child id. One read for the open cases, one COPY for the new ones
    and one INSERT for their ``detect`` steps, whatever their number (a census's path). The
    children must be locked (or new), as any opening's are, so no other opening slips in."""
    if not found:
        return {}
    query = select(AtsCase.child_id).where(
        col(AtsCase.child_id).in_([child.id for child in found]),
        col(AtsCase.status).in_(ATS_OPEN),
    )
    already = set((await uow.session.exec(query)).all())
    moment = now()
    cases, steps = [], []
    for child in found:
        if child.id in already:
            continue
        row = ats_rows.case_row(settings, child, source, detected_on, actor, moment)
        cases.append(row)
        codes = {"source": source}
        steps.append(
            ats_rows.history_row(
                row["id"], "detect", None, row["status"], codes, detected_on, actor, moment
            )
        )
        uow.publish(ats_rows.opened_event(row, child), subject=row["id"])
    await bulk_insert(uow.session, CASES, cases)  # COPY on PostgreSQL
    if steps:  # a plain INSERT: COPY cannot take the JSON codes as the driver passes them
        await uow.session.execute(insert(STEPS), steps)
    return {row["child_id"]: row["id"] for row in cases}
