"""The demo's RTLH cases, its disaster and its relocation programme, once its houses are there
(``simpul_housing.demo`` loads the houses and surveys, then calls ``load_cases``).

- **RTLH** (here): a share of the houses whose latest survey is RTLH under PUPR (more in lokus
  desa) is reported after the kader's survey and taken along the pipeline towards a planned
  end (``RTLH_ROUND``): every status from reported to RLH (an after-works survey found it
  livable), and rejections as not MBR or already aided (a resurvey learns of earlier aid). A
  house on land aid may not be built on (``rtlh_refused_land``) is rejected as
  ``land_illegal``. Every round of the plan holds every end, and at least one round is
  planned, so a small demo shows them all; the ends furthest along go to the houses surveyed
  longest ago. The aid is the funding source's programme at a typical amount.
- **Disaster** and **relocation** (``demo_programmes``): a banjir in one kecamatan some weeks
  ago, its damaged houses in every class and state, fixed by an SK Bupati for this year; a
  riverbank relocation programme of this year there, its households in every state.

Everything goes through the service's own operations (rules, history, outbox events), one
transaction per posyandu for RTLH and one per programme, by the demo's Dinas Perkim principal.
The seeds are fixed and the houses taken in (posyandu, No. KK) order, so the demo's output does
not change; steps are dated in order, none after today.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from itertools import groupby

from sqlmodel import col

from simpul_housing.demo import PRINCIPAL, SEED, Quality, survey_body
from simpul_housing.demo_programmes import (
    Candidate,
    candidates,
    disaster,
    relocation,
    rounds,
)
from simpul_housing.domain.rtlh import FundingSource, RejectReason
from simpul_housing.models import House, RtlhCase
from simpul_housing.ops import rtlh, rtlh_aid
from simpul_housing.schemas.rtlh import (
    AssignIn,
    HandleIn,
    PrioritiseIn,
    ProposeIn,
    RejectIn,
    RtlhOpenIn,
    StartConstructionIn,
    SurveyStepIn,
    VerifyIn,
)
from simpul_housing.settings import HousingSettings
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork

CASES_SEED = SEED + 152
# The share of RTLH houses reported as cases: poverty loci first.
LOKUS_CASE_SHARE = 0.07
OTHER_CASE_SHARE = 0.03
# Where a case on legal land ends up; each round of these, shuffled, reaches every end once.
RTLH_ROUND: tuple[str, ...] = (
    "reported",
    "surveyed",
    "verified",
    "prioritised",
    "proposed",
    "assigned",
    "in_construction",
    "in_construction",
    "handled",
    "rlh",
    "rlh",
    "rlh",
    "not_mbr",
    "already_aided",
)
# The status a case has after the first k steps of ``PATH``.
REACHED: tuple[str, ...] = (
    "reported",
    "surveyed",
    "verified",
    "prioritised",
    "proposed",
    "assigned",
    "in_construction",
    "handled",
)
# How far along each end is, in steps.
DEPTH = {
    **{status: k for k, status in enumerate(REACHED)},
    "rlh": len(REACHED) - 1,
    "not_mbr": 2,
    "already_aided": 2,
}
PATH: tuple[str, ...] = (
    "survey",
    "verify",
    "prioritise",
    "propose",
    "assign",
    "start_construction",
    "handle",
)
# Days between a step and the one before it: the budget and the works take longest.
GAPS: dict[str, tuple[int, int]] = {
    "survey": (2, 14),
    "verify": (5, 20),
    "prioritise": (3, 15),
    "propose": (7, 30),
    "assign": (20, 60),
    "start_construction": (10, 30),
    "handle": (40, 80),
    "reject": (5, 20),
}
FUNDING: dict[FundingSource, int] = {"apbn_bsps": 45, "apbd_kabupaten": 30, "baznas": 12, "csr": 13}
PROGRAM = {"apbn_bsps": "bsps", "apbd_kabupaten": "apbd", "baznas": "baznas", "csr": "csr"}
# Typical aid per programme in juta rupiah: BSPS PK Rp20 juta (PB Rp35 juta), Kukar's APBD
# rehabilitation, BAZNAS's and a company's CSR house.
AMOUNTS_JUTA: dict[str, tuple[float, ...]] = {
    "bsps": (20, 20, 20, 35),
    "apbd": (25, 30, 35, 40, 50),
    "baznas": (10, 15, 20, 25),
    "csr": (15, 25, 30, 40),
}
SOURCES = ("kader", "kader", "kader", "desa", "opd")
REJECTIONS: dict[str, tuple[RejectReason, str]] = {
    "land_illegal": ("land_illegal", "Rumah berdiri di atas tanah yang bukan hak penghuni."),
    "already_aided": ("already_aided", "Pernah menerima bantuan perumahan."),
    "not_mbr": ("not_mbr", "Penghasilan rumah tangga di atas batas MBR."),
}


async def load_cases(db: Database, settings: HousingSettings, lokus: set[str]) -> dict[str, int]:
    """RTLH cases, then the disaster and the relocation programme (on houses without a case)."""
    counts = Counter(await rtlh_cases(db, settings, lokus))
    counts.update(await disaster(db, settings))
    counts.update(await relocation(db, settings))
    return dict(counts)


# --- RTLH ---------------------------------------------------------------------------------


async def rtlh_cases(db: Database, settings: HousingSettings, lokus: set[str]) -> dict[str, int]:
    """Cases for a share of the RTLH houses, each taken to its planned end; one transaction
    per posyandu."""
    today, outbox, rng = local_today(settings), Outbox(settings), random.Random(CASES_SEED)
    async with db.sessions() as session:
        houses = await candidates(session, col(House.rtlh_pupr).is_(True))
    plans = plan_cases(houses, lokus, settings.rtlh_refused_land, rng)
    counts: Counter[str] = Counter()
    for _, group in groupby(plans, key=lambda p: p[0].posyandu_id):
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            for house, end in group:
                case, surveys = await _case(uow, settings, house, end, today, rng)
                counts.update(["rtlh_cases", f"rtlh_{case.status}"])
                if case.rejection_reason is not None:
                    counts[f"rtlh_rejected_{case.rejection_reason}"] += 1
                counts["case_surveys"] += surveys
            await uow.commit()
    return dict(counts)


def plan_cases(
    houses: list[Candidate], lokus: set[str], refused_land: list[str], rng: random.Random
) -> list[tuple[Candidate, str]]:
    """The houses reported and the end each case is taken to, in the houses' order: a share
    of them (more in lokus desa), at least one round of ``RTLH_ROUND`` on legal land and one
    house on refused land when there is one. The ends furthest along go to the houses
    surveyed longest ago: their cases had the time."""
    drawn = [rng.random() < (LOKUS_CASE_SHARE if h.desa_code in lokus else OTHER_CASE_SHARE)
             for h in houses]  # fmt: skip
    legal = [i for i, h in enumerate(houses) if h.land_status not in refused_land]
    refused = [i for i, h in enumerate(houses) if h.land_status in refused_land]
    short = len(RTLH_ROUND) - sum(drawn[i] for i in legal)
    for i in [i for i in legal if not drawn[i]][: max(short, 0)]:
        drawn[i] = True
    if refused and not any(drawn[i] for i in refused):
        drawn[refused[0]] = True
    reported = [i for i in legal if drawn[i]]
    ends = sorted(rounds(RTLH_ROUND, len(reported), rng), key=DEPTH.__getitem__, reverse=True)
    oldest_first = sorted(reported, key=lambda i: (houses[i].assessed_on or date.min, i))
    planned = dict(zip(oldest_first, ends, strict=True))
    return [(h, planned.get(i, "land_illegal")) for i, h in enumerate(houses) if drawn[i]]


def steps_to(end: str, rng: random.Random) -> list[str]:
    """The steps after the report that take a case to ``end``."""
    if end == "rlh":
        return list(PATH)  # the after-works survey found it livable
    if end in REACHED:
        return list(PATH[: REACHED.index(end)])
    if end == "already_aided":
        return ["survey", "reject"]  # a verification would refuse it
    if end == "land_illegal":
        return ["survey", "verify", "reject"]
    return [*PATH[: rng.randint(1, 3)], "reject"]  # not MBR: found at any check


async def _case(
    uow: UnitOfWork,
    settings: HousingSettings,
    house: Candidate,
    end: str,
    today: date,
    rng: random.Random,
) -> tuple[RtlhCase, int]:
    """One house's case, reported so that its steps (spaced by ``GAPS``) end by today, and
    the number of surveys its steps recorded."""
    steps = steps_to(end, rng)
    gaps = [rng.randint(*GAPS[step]) for step in steps]
    surveyed = house.assessed_on or today
    day = min(today - timedelta(days=sum(gaps)), surveyed + timedelta(days=rng.randint(0, 45)))
    source = rng.choice(SOURCES)
    body = RtlhOpenIn(house_id=house.house_id, source=source, reported_on=day)
    case, _ = await rtlh.open_case(uow, PRINCIPAL, body, today)
    surveys = 0
    for step, gap in zip(steps, gaps, strict=True):
        day = min(today, day + timedelta(days=gap))
        if step == "survey":
            day = max(day, surveyed)  # a case reported before the kader's survey goes on it
        surveys += await _step(uow, settings, case, house, step, end, day, today, rng)
    return case, surveys


async def _step(
    uow: UnitOfWork,
    settings: HousingSettings,
    case: RtlhCase,
    house: Candidate,
    step: str,
    end: str,
    day: date,
    today: date,
    rng: random.Random,
) -> int:
    """Take one step of the case on ``day`` with plausible codes; the surveys it recorded."""
    args = (uow, PRINCIPAL, settings, case)
    if step == "survey":
        body = _survey_step(settings, case, house, end, day, rng)
        await rtlh.survey(*args, body, today)
        return 0 if body.survey is None else 1
    if step == "handle":
        grade: Quality = "good" if end == "rlh" else "fair"  # fair: works not finished
        after = survey_body(house.occupants, grade, day, rng)
        await rtlh.handle(*args, HandleIn(survey=after), today)
        return 1
    if step == "verify":
        await rtlh.verify(*args, VerifyIn(verified_on=day, note="Sesuai hasil survei."), today)
    elif step == "prioritise":
        kawasan = ["kemiskinan_ekstrim"] if rng.random() < 0.4 else []
        await rtlh.prioritise(*args, PrioritiseIn(kawasan=kawasan, prioritised_on=day), today)
    elif step == "propose":
        funding = rng.choices(list(FUNDING), weights=list(FUNDING.values()))[0]
        proposal = ProposeIn(funding_source=funding, proposal_year=day.year, proposed_on=day)
        await rtlh.propose(*args, proposal, today)
    elif step == "assign":
        await rtlh_aid.assign(*args, _aid(settings, case, day, rng), today)
    elif step == "start_construction":
        works = StartConstructionIn(
            started_on=day,
            tfl=f"TFL {rng.randint(1, 40):02d}",
            recipient_group=f"KPB {house.desa_code[-4:]}-{rng.randint(1, 9)}",
        )
        await rtlh.start_construction(uow, PRINCIPAL, case, works, today)
    else:
        reason, note = REJECTIONS[end]
        await rtlh_aid.reject(*args, RejectIn(reason=reason, rejected_on=day, note=note), today)
    return 0


def _survey_step(
    settings: HousingSettings,
    case: RtlhCase,
    house: Candidate,
    end: str,
    day: date,
    rng: random.Random,
) -> SurveyStepIn:
    """The kader's survey of the house (the latest) when recent enough; otherwise, and when
    the case ends already aided (the resurvey learns of the earlier aid), a resurvey on the
    day."""
    oldest = case.reported_on - timedelta(days=settings.rtlh_survey_valid_days)
    if end != "already_aided" and house.assessed_on and oldest <= house.assessed_on <= day:
        return SurveyStepIn()  # the house's latest survey
    fresh = survey_body(house.occupants, "poor", day, rng)
    aided = day.year - rng.randint(2, 6) if end == "already_aided" else None
    return SurveyStepIn(
        survey=fresh.model_copy(update={"kind": "resurvey", "previous_aid_year": aided})
    )


def _aid(settings: HousingSettings, case: RtlhCase, day: date, rng: random.Random) -> AssignIn:
    """The programme the proposal's funding source gives, a typical amount inside the
    configured range, the proposal's fiscal year."""
    program = PROGRAM[case.funding_source or "apbn_bsps"]
    low, high = settings.aid_amount_range[program]
    amount = min(high, max(low, int(rng.choice(AMOUNTS_JUTA[program]) * 1_000_000)))
    year = case.proposal_year or day.year
    return AssignIn(program=program, amount=amount, year=year, assigned_on=day)
