"""The demo's ODGJ berat, terduga TBC and risiko HIV records, so that SPM kesehatan no. 10–12
have realistic figures: at about one active posyandu in four, a person with a severe mental
disorder served monthly (most visits to standard), one or two presumptive TB cases (most
examined by TCM), and the pregnant women tested for HIV (the ANC's triple elimination), with
the TB patients found. Written through the service layer (rules, kept counts), one
transaction per posyandu."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from simpul_health.demo_more import DemoPeople
from simpul_health.ops import hiv, kept, mental_health, tb
from simpul_health.ops.access import with_targets
from simpul_health.schemas.hiv import HivAtRiskIn, HivTestIn
from simpul_health.schemas.mental_health import MentalHealthCaseIn, MentalHealthServiceIn
from simpul_health.schemas.tb import TbExaminationIn, TbPresumptiveIn
from simpul_health.settings import HealthSettings
from simpul_platform import replica
from simpul_platform.auth import Principal
from simpul_platform.db import Database
from simpul_platform.devstack.population import DemoAdult
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork

SHARE_OF_POSYANDU = 0.25  # ≈ 0.2 s a posyandu (every write recounts its periods)
DIAGNOSES = ("F20.0", "F20.0", "F20.0", "F20.3", "F25.0", "F31.2", "F32.3")
SYMPTOMS = ("fever", "night_sweats", "weight_loss", "appetite_loss", "haemoptysis")


async def load_programmes(
    db: Database,
    settings: HealthSettings,
    principal: Principal,
    people: DemoPeople,
    today: date,
    rng: random.Random,
) -> int:
    """The three programmes' records at a share of the active posyandu; records made."""
    made = 0
    outbox = Outbox(settings)
    for pid, _ in people.active:
        if rng.random() >= SHARE_OF_POSYANDU:
            continue
        adults = people.adults_at(pid)
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            await with_targets(session, [a.target["id"] for a in adults])
            async with kept.deferred(session), replica.cached(session):  # once, not per record
                made += await _posyandu(uow, principal, adults, today, rng)
            await uow.commit()
    return made


async def _posyandu(
    uow: UnitOfWork, principal: Principal, adults: list[DemoAdult], today: date, rng: random.Random
) -> int:
    others = [a for a in adults if a.pregnancy is None]
    rng.shuffle(others)
    made = 0
    if others:
        made += await _odgj(uow, principal, others[0].target, today, rng)
    tb_patients = []
    for adult in others[1 : 1 + rng.choice((1, 1, 2))]:
        made_here, detected_on = await _presumptive(uow, principal, adult.target, today, rng)
        made += made_here
        if detected_on is not None:
            tb_patients.append((adult.target, detected_on))
    for adult in adults:
        if adult.pregnancy is not None:
            on = adult.pregnancy["registered_on"]
            made += await _at_risk(uow, principal, adult.target, "pregnant", on, today, rng)
    for target, on in tb_patients:
        made += await _at_risk(uow, principal, target, "tb_patient", on, today, rng)
    return made


async def _odgj(
    uow: UnitOfWork, principal: Principal, target: dict[str, Any], today: date, rng: random.Random
) -> int:
    """A case registered 2–8 months ago, served about monthly since (a visit missed now and
    then, most of them to standard)."""
    registered = today - timedelta(days=rng.randint(60, 240))
    body = MentalHealthCaseIn(
        target_id=target["id"],
        diagnosis=rng.choice(DIAGNOSES),
        registered_on=registered,
        restrained=rng.random() < 0.1,
    )
    case = await mental_health.register(uow, principal, body, today)
    made, day = 1, registered + timedelta(days=rng.randint(0, 10))
    while day <= today:
        if rng.random() < 0.9:
            visit = MentalHealthServiceIn(
                served_on=day,
                mental_status_exam=rng.random() < 0.95,
                adherence_education=rng.random() < 0.88,
                medication_given=rng.random() < 0.9,
                home_visit=rng.random() < 0.3,
            )
            await mental_health.record_service(uow, principal, case.id, visit, today)
            made += 1
        day += timedelta(days=rng.randint(27, 35))
    return made


async def _presumptive(
    uow: UnitOfWork, principal: Principal, target: dict[str, Any], today: date, rng: random.Random
) -> tuple[int, date | None]:
    """A presumptive case of the last 11 months: most examined by TCM within two weeks (about
    one in eight with TB found), some by x-ray only, some not yet. The day TB was found."""
    identified = today - timedelta(days=rng.randint(3, 330))
    symptoms = ["cough_2_weeks", *rng.sample(SYMPTOMS, rng.randint(0, 2))]
    if rng.random() < 0.2:
        symptoms.append("household_contact")
    body = TbPresumptiveIn(target_id=target["id"], identified_on=identified, symptoms=symptoms)
    p = await tb.register(uow, principal, body, today)
    examined = min(today, identified + timedelta(days=rng.randint(1, 14)))
    roll = rng.random()
    if roll < 0.8:
        result = "mtb_detected" if rng.random() < 0.12 else "mtb_not_detected"
        exam = TbExaminationIn(examined_on=examined, examination="tcm", result=result)
    elif roll < 0.9:
        exam = TbExaminationIn(examined_on=examined, examination="xray", result="normal")
    else:
        return 1, None
    await tb.examine(uow, principal, p.id, exam, today)
    return 2, examined if exam.result == "mtb_detected" else None


async def _at_risk(
    uow: UnitOfWork,
    principal: Principal,
    target: dict[str, Any],
    group: str,
    identified: date,
    today: date,
    rng: random.Random,
) -> int:
    """A person at risk, tested (rapid, the national algorithm) in most cases."""
    if identified > today:
        return 0
    body = HivAtRiskIn(target_id=target["id"], risk_group=group, identified_on=identified)
    h = await hiv.register(uow, principal, body, today)
    if rng.random() >= 0.85:
        return 1
    tested = min(today, identified + timedelta(days=rng.randint(0, 14)))
    result = "reactive" if rng.random() < 0.005 else "non_reactive"
    await hiv.record_test(
        uow, principal, h.id, HivTestIn(tested_on=tested, test="rapid", result=result), today
    )
    return 2
