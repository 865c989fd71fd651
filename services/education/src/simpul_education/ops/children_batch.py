"""Many children registered with their statuses in one transaction (a kader's census of a
posyandu, as the demo loads it): ``create_child`` and ``record_status``'s rules, rows and
events, with one read of the NIKs already known, the posyandu once each and one kept-count
invalidation per posyandu."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.engine import RowMapping
from sqlmodel import col, select

from simpul_education.domain.children import Identity, check_identity
from simpul_education.models import Child
from simpul_education.ops.access import posyandu_for_write
from simpul_education.ops.children import check_status, stage_child, stage_status
from simpul_education.ops.tallies import invalidate
from simpul_education.schemas.children import ChildIn, StatusIn
from simpul_platform.auth import Principal
from simpul_platform.errors import Conflict, ProblemError
from simpul_platform.uow import UnitOfWork

Plan = tuple[ChildIn, Sequence[StatusIn]]  # a child and its statuses, oldest first


async def register_children(
    uow: UnitOfWork, principal: Principal, plans: Sequence[Plan], *, secret: str, today: date
) -> list[Child | ProblemError]:
    """Stage each child with its statuses; a child ``create_child`` would refuse (its NIK,
    its posyandu, a NIK already known) is answered with that refusal and nothing of it is
    staged. A status ``record_status`` would refuse refuses the whole call."""
    niks = {body.nik for body, _ in plans}
    found = await uow.session.exec(select(Child.nik, Child.id).where(col(Child.nik).in_(niks)))
    known: dict[str, str | None] = dict(found.all())
    places: dict[str, RowMapping] = {}
    accepted: list[tuple[Plan, list[str | None]]] = []
    results: list[Child | ProblemError | None] = []
    for body, statuses in plans:
        try:
            await _check_child(uow, principal, body, known, places, today)
        except ProblemError as refusal:
            results.append(refusal)
            continue
        known[body.nik] = None  # staged in this call
        accepted.append(((body, statuses), _jenjang(body, statuses, today)))
        results.append(None)
    await _invalidate(uow, [plan for plan, _ in accepted])
    staged = iter(
        _stage(uow, principal, plan, jenjang, places, secret, today) for plan, jenjang in accepted
    )
    return [result if result is not None else next(staged) for result in results]


async def _check_child(
    uow: UnitOfWork,
    principal: Principal,
    body: ChildIn,
    known: dict[str, str | None],
    places: dict[str, RowMapping],
    today: date,
) -> None:
    check_identity(Identity(body.nik, body.sex, body.birth_date), today)
    if body.posyandu_id not in places:
        places[body.posyandu_id] = await posyandu_for_write(
            uow.session, body.posyandu_id, principal
        )
    if body.nik in known:
        existing = known[body.nik]
        if existing is None:
            raise Conflict("This NIK is already in this census.")
        raise Conflict(
            f"This NIK is already known as child {existing}.", existing_child_id=existing
        )


def _jenjang(body: ChildIn, statuses: Sequence[StatusIn], today: date) -> list[str | None]:
    """Each status checked against the one before it, as ``record_status`` checks it."""
    last_on: date | None = None
    jenjang = []
    for status in statuses:
        jenjang.append(check_status(status, body.birth_date, last_on, today))
        last_on = status.on
    return jenjang


async def _invalidate(uow: UnitOfWork, plans: list[Plan]) -> None:
    """A child counts from its birth, a status from its day: each posyandu's earliest."""
    since: dict[str, date] = {}
    for body, statuses in plans:
        earliest = min([body.birth_date, *(s.on for s in statuses)])
        since[body.posyandu_id] = min(earliest, since.get(body.posyandu_id, earliest))
    for posyandu_id, day in sorted(since.items()):
        await invalidate(uow.session, posyandu_id, day)


def _stage(
    uow: UnitOfWork,
    principal: Principal,
    plan: Plan,
    jenjang: list[str | None],
    places: dict[str, RowMapping],
    secret: str,
    today: date,
) -> Child:
    body, statuses = plan
    child = stage_child(uow, principal, body, places[body.posyandu_id], secret=secret, today=today)
    for status, level in zip(statuses, jenjang, strict=True):
        stage_status(uow, principal, child, status, level)
    return child
