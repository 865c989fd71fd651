"""Displaced school-age children referred to education: for each child of a DISPLACED household
aged 5–18 on the disaster's date, a ``displaced_child`` row and one ``disaster_displaced``
referral (the child by NIK; its pseudonym on the wire), sent through the platform's referral
operation for many (``request_many``: one statement for the rows, each event through the
outbox). Once per child per disaster: a child the disaster has referred already (an earlier
batch, or another household of this one) adds nothing. A child whose need is still open with
education (another disaster's referral) is linked to that referral rather than refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Table, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.batches import rows as batch_rows
from simpul_platform.events import new_id
from simpul_platform.pseudonym import person_ref
from simpul_platform.referrals import ops as referrals
from simpul_platform.referrals.schemas import ReferralIn
from simpul_platform.uow import UnitOfWork
from simpul_trantib.domain.disaster import school_age
from simpul_trantib.models import Disaster, DisplacedChild
from simpul_trantib.schemas.disaster import HouseholdIn
from simpul_trantib.settings import TrantibSettings

C: Table = DisplacedChild.__table__  # type: ignore[attr-defined]
FIELD = "trantib"
EDUCATION = "education"
REASON = "disaster_displaced"


class Recorded(Protocol):
    """A household the batch recorded: what it gave."""

    given: HouseholdIn


@dataclass
class Child:
    household_id: str
    posyandu_id: str
    nik: str
    ref: str
    birth_date: date
    age: int


async def refer(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    disaster: Disaster,
    items: Sequence[Recorded],
    household_ids: Sequence[str],
    on: date,
) -> dict[str, int]:
    """Refer the new displaced school-age children of the recorded households (``items``,
    beside their new ids); returns how many each household had referred."""
    children = _school_age(settings.pseudonym_secret, disaster, items, household_ids)
    known = await _referred(uow.session, disaster.id, [c.ref for c in children])
    new: list[Child] = []
    for child in children:
        if child.ref not in known:
            known.add(child.ref)
            new.append(child)
    bodies = [_referral(disaster, child, on) for child in new]
    referral_ids = await referrals.request_many(uow, settings, FIELD, bodies, principal)
    rows: list[dict[str, Any]] = []
    referred: dict[str, int] = {}
    for child, referral_id in zip(new, referral_ids, strict=True):
        rows.append(
            {
                "id": new_id(),
                "disaster_id": disaster.id,
                "household_id": child.household_id,
                "nik": child.nik,
                "person_ref": child.ref,
                "birth_date": child.birth_date,
                "referral_id": referral_id,
            }
        )
        referred[child.household_id] = referred.get(child.household_id, 0) + 1
    await batch_rows.insert_rows(uow.session, C, rows)
    return referred


def _school_age(
    secret: str, disaster: Disaster, items: Sequence[Recorded], household_ids: Sequence[str]
) -> list[Child]:
    """The displaced households' children of school age on the disaster's date."""
    found: list[Child] = []
    for item, household_id in zip(items, household_ids, strict=True):
        if not item.given.displaced:
            continue
        for child in item.given.school_age_children:
            age = school_age(child.birth_date, disaster.occurred_on)
            if age is None:
                continue
            found.append(
                Child(
                    household_id=household_id,
                    posyandu_id=item.given.posyandu_id,
                    nik=child.nik,
                    ref=person_ref(secret, child.nik),
                    birth_date=child.birth_date,
                    age=age,
                )
            )
    return found


async def _referred(session: AsyncSession, disaster_id: str, refs: list[str]) -> set[str]:
    """Which of the children ``refs`` the disaster has referred already."""
    if not refs:
        return set()
    query = select(C.c.person_ref).where(C.c.disaster_id == disaster_id, C.c.person_ref.in_(refs))
    return set((await session.execute(query)).scalars())


def _referral(disaster: Disaster, child: Child, on: date) -> ReferralIn:
    return ReferralIn(
        target_field=EDUCATION,
        posyandu_id=child.posyandu_id,
        reason_code=REASON,
        nik=child.nik,
        details={"age_years": child.age, "occurred_on": disaster.occurred_on.isoformat()},
        requested_on=on,
    )
