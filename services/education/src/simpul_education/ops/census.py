"""A kader's census of one posyandu's children, up to 1,000 in one transaction.

Every item is checked on its own with the rules of the single routes (``check_identity``,
``check_entry``, ``check_status_date``); one statement locks and one reads the children already
known by the items' NIKs; then one COPY (INSERT off PostgreSQL) per table for the new
children and statuses, one UPDATE per new status for the known children whose status changed,
and the events go out with the caller's commit of the unit of work. An item that breaks a rule
gets an error result and writes nothing; the others are written.

What a census does with an item:

- an unknown NIK: the child is registered at the posyandu with the item's status (``created``:
  ChildRegistered and ChildStatusChanged, as the two single routes would announce them);
- a child known at this posyandu whose current status the item repeats (same status and
  kelas, same unit where named): ``unchanged``, nothing written. A census sent again is
  therefore all ``unchanged``;
- a child known at this posyandu with another status: the status is recorded as of the
  census date and kept in the history (``status_recorded``, ChildStatusChanged); a census
  dated before the child's current status is an error (``before_last_status``);
- a child known at another posyandu: an error ``other_posyandu`` naming it. A census does not
  move children: the posyandu a child belongs to decides who may see and write them, and a
  kader's list is no proof the child left the other one. A known child's name and No. KK are
  not edited by a census either.

A census detects ATS cases (``ops.ats_detection``): a child aged 7–18 on the census date whose
item writes the status ``out_of_school`` (``created`` or ``status_recorded``) and who has no
open case gets one (source ``kader_census``, detected on the census date), named by the item's
``ats_case_id``. They are opened after the COPYs, in the same transaction, with one read for
the few children concerned; a census sent again writes no status, so it opens nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.ats import detects_case
from simpul_education.domain.census import same_as_current
from simpul_education.domain.children import Identity, age_years, check_identity
from simpul_education.domain.status import StatusEntry, check_entry, check_status_date
from simpul_education.events import (
    ChildRegistered,
    ChildStatusChanged,
    registered_data,
    status_changed_data,
)
from simpul_education.models import ATS_OPEN, AtsCase, Child, ChildStatus
from simpul_education.ops import tallies
from simpul_education.ops.access import posyandu_for_write
from simpul_education.ops.ats_detection import Found, open_detected
from simpul_education.schemas.census import CensusIn, CensusItem, CensusItemResult, CensusOut
from simpul_education.settings import EducationSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.db import bulk_insert
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict, FieldError, validation_errors
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.uow import UnitOfWork

SOURCE = "kader_census"
CONCURRENT = (
    "Another request registered one of these children at the same moment; send the census "
    "again (children already written are then unchanged)."
)
C: Table = Child.__table__  # type: ignore[attr-defined]
S: Table = ChildStatus.__table__  # type: ignore[attr-defined]


@dataclass
class _Batch:
    """What one census stages: rows for the COPYs and the UPDATE, and its results."""

    uow: UnitOfWork
    posyandu_id: str
    desa_code: str
    on: date
    today: date
    secret: str
    actor: str
    moment: datetime
    children: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # new status → child ids
    results: list[CensusItemResult] = field(default_factory=list)
    # The items that gave a child of school age ``out_of_school``: each may open an ATS case.
    detected: list[tuple[CensusItemResult, Found]] = field(default_factory=list)


async def take_census(
    uow: UnitOfWork,
    principal: Principal,
    body: CensusIn,
    *,
    settings: EducationSettings,
    today: date,
) -> CensusOut:
    """Stage a census at a posyandu the caller may write to; the caller commits. Results in
    item order. ``settings``: the pseudonyms' secret, the ATS cases' due dates; ``today`` is
    the deployment's date."""
    not_in_future(body.on, today, "body.on", "The census date")
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    batch = _Batch(
        uow,
        body.posyandu_id,
        posyandu["desa_code"],
        body.on,
        today,
        settings.pseudonym_secret,
        principal.subject,
        now(),
    )
    items = _checked(batch, body.items)
    known = await _known(uow.session, [item.nik for _, item, _ in items])
    for index, item, jenjang in items:
        _take_one(batch, index, item, jenjang, known.get(item.nik))
    try:
        await bulk_insert(uow.session, C, batch.children)  # COPY on PostgreSQL
        await bulk_insert(uow.session, S, batch.statuses)
        await _update_current(uow.session, batch)
    except IntegrityError as exc:  # a NIK registered by a concurrent request meanwhile
        raise Conflict(CONCURRENT) from exc
    await _open_cases(batch, settings)
    await _name_open_cases(batch)
    earliest = _earliest(batch)
    if earliest is not None:
        await tallies.invalidate(uow.session, body.posyandu_id, earliest)
    return _answer(batch)


async def _open_cases(batch: _Batch, settings: EducationSettings) -> None:
    """The ATS cases the census detects (known children locked by ``_known``, new ones new)."""
    found = [child for _, child in batch.detected]
    opened = await open_detected(batch.uow, settings, batch.actor, found, SOURCE, batch.on)
    for result, child in batch.detected:
        result.ats_case_id = opened.get(child.id)


async def _name_open_cases(batch: _Batch) -> None:
    """Each item's child's open ATS case, whoever opened it (one indexed read)."""
    ids = [r.child_id for r in batch.results if r.child_id is not None]
    if not ids:
        return
    query = select(col(AtsCase.child_id), col(AtsCase.id)).where(
        col(AtsCase.child_id).in_(ids), col(AtsCase.status).in_(ATS_OPEN)
    )
    rows = (await batch.uow.session.execute(query)).all()
    open_case = {child_id: case_id for child_id, case_id in rows}
    for result in batch.results:
        if result.child_id is not None:
            result.open_ats_case_id = open_case.get(result.child_id)


def _earliest(batch: _Batch) -> date | None:
    """The first day whose counts this census changes; None when it wrote nothing."""
    if not batch.statuses:
        return None
    births: list[date] = [row["birth_date"] for row in batch.children]
    return min([batch.on, *births])


def _checked(
    batch: _Batch, raw: Sequence[dict[str, Any]]
) -> list[tuple[int, CensusItem, str | None]]:
    """Items that keep the schema and the rules a census can judge without the database,
    with their jenjang; the others get their error result. A NIK twice in one census is an
    error from its second item on."""
    good: list[tuple[int, CensusItem, str | None]] = []
    first: dict[str, int] = {}
    for index, data in enumerate(raw):
        where = f"body.items[{index}]"
        try:
            item = CensusItem.model_validate(data)
        except ValidationError as exc:
            batch.results.append(_error(index, _schema_errors(exc, index)))
            continue
        try:
            check_identity(Identity(item.nik, item.sex, item.birth_date), batch.today, where)
            entry = StatusEntry(item.status, item.kelas, item.unit_name, item.npsn)
            jenjang = check_entry(entry, where)
            check_status_date(batch.on, batch.today, item.birth_date, None)
        except RuleViolation as rule:
            batch.results.append(_rule_error(index, rule))
            continue
        if item.nik in first:
            batch.results.append(
                _rule_error(
                    index,
                    RuleViolation(
                        f"{where}.nik",
                        "duplicate_in_census",
                        f"This NIK is item {first[item.nik]} of this census already.",
                    ),
                )
            )
            continue
        first[item.nik] = index
        good.append((index, item, jenjang))
    return good


def _schema_errors(exc: ValidationError, index: int) -> list[FieldError]:
    prefixed = [{**e, "loc": ("body", "items", index, *e["loc"])} for e in exc.errors()]
    return validation_errors(prefixed)


async def _known(session: AsyncSession, niks: list[str]) -> dict[str, RowMapping]:
    """The children already known by these NIKs, with their current status's entry, locked
    until commit (two censuses of the same children then decide one after the other)."""
    if not niks:
        return {}
    # Its own statement, in id order, before the read: a concurrent census waits here, and
    # under READ COMMITTED the read below then sees what it committed. NO KEY: the foreign-key
    # checks of status rows take KEY SHARE and go on.
    lock = select(C.c.id).where(C.c.nik.in_(niks)).order_by(C.c.id)
    await session.execute(lock.with_for_update(key_share=True))
    query = (
        select(
            C.c.id,
            C.c.nik,
            C.c.person_ref,
            C.c.household_ref,
            C.c.birth_date,
            C.c.posyandu_id,
            C.c.desa_code,
            C.c.status,
            C.c.status_on,
            S.c.kelas,
            S.c.unit_name,
            S.c.npsn,
        )
        .select_from(C.outerjoin(S, (S.c.child_id == C.c.id) & (S.c.on == C.c.status_on)))
        .where(C.c.nik.in_(niks))
        .order_by(S.c.recorded_at, S.c.id)
    )
    # The current status is the last recorded on the child's status date: the last row wins.
    return {row["nik"]: row for row in (await session.execute(query)).mappings()}


def _take_one(
    batch: _Batch, index: int, item: CensusItem, jenjang: str | None, known: RowMapping | None
) -> None:
    given = StatusEntry(item.status, item.kelas, item.unit_name, item.npsn)
    if known is None:
        child = _new_child(batch, item)
        _record_status(batch, child, item, jenjang, None)
        result = CensusItemResult(index=index, result="created", child_id=child["id"])
        _written(batch, result, child, item.status)
        return
    if known["posyandu_id"] != batch.posyandu_id:
        rule = RuleViolation(
            f"body.items[{index}].nik",
            "other_posyandu",
            f"This child is known at posyandu {known['posyandu_id']}; a census records only "
            "its own posyandu's children.",
        )
        batch.results.append(_rule_error(index, rule))
        return
    current = None
    if known["status"] is not None:
        current = StatusEntry(known["status"], known["kelas"], known["unit_name"], known["npsn"])
    if same_as_current(current, given):
        batch.results.append(
            CensusItemResult(index=index, result="unchanged", child_id=known["id"])
        )
        return
    try:
        check_status_date(batch.on, batch.today, known["birth_date"], known["status_on"])
    except RuleViolation as rule:
        batch.results.append(_rule_error(index, rule))
        return
    _record_status(batch, known, item, jenjang, known["status"])
    batch.changed.setdefault(item.status, []).append(known["id"])
    result = CensusItemResult(index=index, result="status_recorded", child_id=known["id"])
    _written(batch, result, known, item.status)


def _written(
    batch: _Batch, result: CensusItemResult, child: RowMapping | dict[str, Any], status: str
) -> None:
    """An item that wrote a status: its result, and the child if the status detects a case."""
    batch.results.append(result)
    if detects_case(status, age_years(child["birth_date"], batch.on)):
        found = Found(
            child["id"],
            child["person_ref"],
            child["household_ref"],
            child["posyandu_id"],
            child["desa_code"],
            child["birth_date"],
        )
        batch.detected.append((result, found))


async def _update_current(session: AsyncSession, batch: _Batch) -> None:
    """Make the recorded statuses the known children's current ones: one UPDATE per status
    (a handful), as every other column is the census's own (its date, actor and moment)."""
    for status, ids in batch.changed.items():
        await session.execute(
            update(C)
            .where(C.c.id.in_(ids))
            .values(
                status=status,
                status_on=batch.on,
                updated_by=batch.actor,
                updated_at=batch.moment,
            )
        )


def _new_child(batch: _Batch, item: CensusItem) -> dict[str, Any]:
    """The child row (NIK and KK stay here; their keyed pseudonyms go on the row and the
    events), with ChildRegistered as ``create_child`` announces it."""
    row: dict[str, Any] = {
        "id": new_id(),
        "nik": item.nik,
        "kk": item.kk,
        "person_ref": person_ref(batch.secret, item.nik),
        "household_ref": household_ref(batch.secret, item.kk),
        "name": item.name,
        "sex": item.sex,
        "birth_date": item.birth_date,
        "posyandu_id": batch.posyandu_id,
        "desa_code": batch.desa_code,
        "status": item.status,
        "status_on": batch.on,
        "created_by": batch.actor,
        "created_at": batch.moment,
        "updated_by": batch.actor,
        "updated_at": batch.moment,
    }
    batch.children.append(row)
    batch.uow.publish_data(ChildRegistered, registered_data(row, batch.today), subject=row["id"])
    return row


def _record_status(
    batch: _Batch,
    child: RowMapping | dict[str, Any],
    item: CensusItem,
    jenjang: str | None,
    previous: str | None,
) -> None:
    """The history row, with ChildStatusChanged as ``record_status`` announces it."""
    row: dict[str, Any] = {
        "id": new_id(),
        "child_id": child["id"],
        "status": item.status,
        "jenjang": jenjang,
        "kelas": item.kelas,
        "unit_name": item.unit_name,
        "npsn": item.npsn,
        "source": SOURCE,
        "on": batch.on,
        "recorded_by": batch.actor,
        "recorded_at": batch.moment,
    }
    batch.statuses.append(row)
    data = status_changed_data(child, row, previous)
    batch.uow.publish_data(ChildStatusChanged, data, subject=str(child["id"]))


def _rule_error(index: int, rule: RuleViolation) -> CensusItemResult:
    return _error(index, [FieldError(field=rule.field, rule=rule.rule, message=rule.message)])


def _error(index: int, errors: list[FieldError]) -> CensusItemResult:
    return CensusItemResult(index=index, result="error", errors=errors)


def _answer(batch: _Batch) -> CensusOut:
    results = sorted(batch.results, key=lambda r: r.index)
    count = {
        kind: sum(r.result == kind for r in results)
        for kind in ("created", "status_recorded", "unchanged", "error")
    }
    return CensusOut(
        posyandu_id=batch.posyandu_id,
        on=batch.on,
        created=count["created"],
        status_recorded=count["status_recorded"],
        unchanged=count["unchanged"],
        errors=count["error"],
        ats_cases_opened=sum(r.ats_case_id is not None for r in results),
        results=results,
    )
