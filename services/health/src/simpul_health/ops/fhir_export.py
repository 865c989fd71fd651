"""FHIR export of a posyandu day for SATUSEHAT, and its audit trail.

The export is the one place a person's NIK leaves the service, so it is a Dinas Kesehatan
action only (``api.deps.FhirExporter``), within the caller's wilayah, and every export stages
an audit row (``FhirExport``: who, when, which posyandu day, how many patients and resources)
in the caller's transaction: the route commits it before the body goes out. Nothing is
published: a FHIR bundle never travels on Kafka.

A day's records are those kept at the posyandu that day: balita measurements, immunisations,
screenings, and ANC visits of pregnancies registered there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, TypeVar

from fhir.resources.R4B.bundle import Bundle
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.fhir.bundle import DayRecords, collection, day_resources, patients_in
from simpul_health.models import (
    AncVisit,
    FhirExport,
    Immunisation,
    Measurement,
    Pregnancy,
    Screening,
    Target,
)
from simpul_platform.auth import Principal
from simpul_platform.domain import not_in_future
from simpul_platform.events import new_id
from simpul_platform.replica import posyandu_replica, require_known_posyandu
from simpul_platform.wilayah import under

R = TypeVar("R", bound=SQLModel)


async def _posyandu_in_scope(session: AsyncSession, principal: Principal, posyandu_id: str) -> None:
    """A posyandu the replica knows (whatever its status: an inactive one's history can still
    be exported), inside the caller's wilayah (403 otherwise)."""
    posyandu = await require_known_posyandu(session, posyandu_id)
    principal.require_wilayah(posyandu["desa_code"])


async def _rows(session: AsyncSession, model: type[R], *where: Any) -> list[R]:
    return list((await session.execute(select(model).where(*where))).scalars())


async def day_records(session: AsyncSession, posyandu_id: str, day: date) -> DayRecords:
    """Everything the posyandu recorded on ``day``, and the people concerned."""
    m, i, s = Measurement, Immunisation, Screening
    records = DayRecords(
        measurements=await _rows(
            session, m, col(m.posyandu_id) == posyandu_id, col(m.measured_on) == day
        ),
        immunisations=await _rows(
            session, i, col(i.posyandu_id) == posyandu_id, col(i.given_on) == day
        ),
        screenings=await _rows(
            session, s, col(s.posyandu_id) == posyandu_id, col(s.screened_on) == day
        ),
    )
    anc = await session.execute(
        select(AncVisit, col(Pregnancy.target_id))
        .join(Pregnancy, col(AncVisit.pregnancy_id) == col(Pregnancy.id))
        .where(col(Pregnancy.posyandu_id) == posyandu_id, col(AncVisit.visited_on) == day)
    )
    records.anc_visits = [(visit, mother) for visit, mother in anc.all()]
    people = {
        *(x.target_id for x in records.measurements),
        *(x.target_id for x in records.immunisations),
        *(x.target_id for x in records.screenings),
        *(mother for _, mother in records.anc_visits),
    }
    if people:
        found = await _rows(session, Target, col(Target.id).in_(people))
        records.targets = {t.id: t for t in found}
    return records


async def export_day(
    session: AsyncSession, principal: Principal, posyandu_id: str, day: date, today: date
) -> tuple[Bundle, FhirExport]:
    """The posyandu day as a FHIR collection Bundle, with its audit row staged in ``session``
    (the bundle's id is the audit row's, so the two can be matched)."""
    await _posyandu_in_scope(session, principal, posyandu_id)
    not_in_future(day, today, "day")
    resources = day_resources(await day_records(session, posyandu_id, day))
    audit = FhirExport(
        id=new_id(),
        posyandu_id=posyandu_id,
        day=day,
        exported_by=principal.subject,
        exported_at=datetime.now(UTC),
        patients=patients_in(resources),
        resources=len(resources),
    )
    session.add(audit)
    return collection(audit.id, audit.exported_at, resources), audit


async def list_exports(
    session: AsyncSession, principal: Principal, posyandu_id: str | None, limit: int
) -> list[FhirExport]:
    """The exports of posyandu in the caller's wilayah (of one posyandu when named), newest
    first."""
    query = (
        select(FhirExport)
        .join(posyandu_replica, posyandu_replica.c.posyandu_id == col(FhirExport.posyandu_id))
        .where(under(posyandu_replica.c.desa_code, principal.visible_scopes(None)))
    )
    if posyandu_id is not None:
        await _posyandu_in_scope(session, principal, posyandu_id)
        query = query.where(col(FhirExport.posyandu_id) == posyandu_id)
    query = query.order_by(col(FhirExport.exported_at).desc()).limit(limit)
    return list((await session.execute(query)).scalars())
