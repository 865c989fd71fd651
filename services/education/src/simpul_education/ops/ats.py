"""ATS cases as Dinas Pendidikan and the kader work them: open one for a child 7–18 out of
school, take each step of the workflow (``domain/ats.py``), read them.

Each step locks the case, takes the workflow's step (409 naming the allowed ones otherwise),
keeps it in ``ats_case_history`` and, for the steps other fields hear of, publishes an event
with the child's pseudonyms only. Verifying an economic problem sends social a referral in the
same transaction; opening records the child out of school and enrolment records the school
(both as the child's education status, in the same unit of work); a case opened for a
referral resolves it when it ends.

A case also opens by itself when a child 7–18 with none open is given ``out_of_school`` by a
census or a recorded status (``ops.ats_detection``, with ``case_row``, ``history_row`` and
``opened_event`` below). ``open_case`` records its ``out_of_school`` through
``ops.children.record_status``, which detects nothing: no second case, no loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.ats import (
    ATS,
    OUT_OF_SCHOOL,
    STATUS_SOURCE,
    UNVERIFIED,
    AtsAction,
    check_age,
    check_category,
    needs_social_referral,
    records_out_of_school,
)
from simpul_education.domain.ats import is_overdue as overdue
from simpul_education.domain.ats_reentry import (
    LastLevel,
    check_enrolment,
    check_paket,
    check_reason,
)
from simpul_education.domain.children import age_months, age_years
from simpul_education.events import AtsCaseClosed, AtsCaseEnrolled, AtsCaseOpened, AtsCaseVerified
from simpul_education.models import ATS_OPEN, AtsCase, AtsCaseHistory, Child, ChildStatus
from simpul_education.ops import children
from simpul_education.ops.access import posyandu_for_write, visible_child
from simpul_education.schemas.ats import (
    AtsCaseOut,
    ClassifyIn,
    CloseIn,
    EnrollIn,
    ReferIn,
    ResiduIn,
    VerifyIn,
)
from simpul_education.schemas.children import StatusIn
from simpul_education.settings import EducationSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import new_id
from simpul_platform.referrals import ops as referrals
from simpul_platform.referrals.automatic import resolve_linked
from simpul_platform.referrals.rows import Step, locked, take
from simpul_platform.referrals.schemas import ReferralIn
from simpul_platform.referrals.tables import referral
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_platform.workdays import due_after

# Statuses that mean the child was at school (or its kesetaraan): BPB no longer fits. PAUD is
# not school (BPB: belum pernah bersekolah, Regsosek 412 code 1).
SCHOOLING = ("sd", "smp", "sma", "smk", "paket_a", "paket_b", "paket_c")
ATS_REFERRAL_REASON = "ats_suspected"
# How an ATS case's end resolves the referral it was opened for (education's outcome codes).
REFERRAL_OUTCOME = {
    "ppdb": "enrolled_school",
    "spnf_pkbm": "enrolled_kesetaraan",
    "over_age": "not_eligible",
    "pesantren": "not_eligible",
    "deceased": "not_eligible",
    "moved": "moved",
    "residu": "not_found",
}


# --- reading ------------------------------------------------------------------------------


def is_overdue(case: AtsCase, today: date) -> bool:
    """Not verified (nor ended) by its verification due date."""
    return overdue(case.status, case.verify_due_on, today)


async def to_out(session: AsyncSession, case: AtsCase, today: date) -> AtsCaseOut:
    child = await session.get(Child, case.child_id)
    assert child is not None  # a foreign key
    return _out(case, child.person_ref, today)


def _out(case: AtsCase, person_ref: str, today: date) -> AtsCaseOut:
    return AtsCaseOut.model_validate(
        {
            **case.model_dump(),
            "person_ref": person_ref,
            "overdue": is_overdue(case, today),
            "allowed_actions": ATS.allowed_actions(case.status),  # type: ignore[arg-type]
        }
    )


async def history(session: AsyncSession, case_id: str) -> Sequence[AtsCaseHistory]:
    query = (
        select(AtsCaseHistory)
        .where(AtsCaseHistory.case_id == case_id)
        .order_by(col(AtsCaseHistory.id))
    )
    return list((await session.exec(query)).all())


async def visible_case(
    session: AsyncSession, principal: Principal, case_id: str, *, lock: bool = False
) -> AtsCase:
    """A case the caller may see; 404 otherwise (as for its child)."""
    case = await session.get(AtsCase, case_id, with_for_update=lock or None)
    if case is None or not principal.can_see(case.desa_code):
        raise NotFound(f"No ATS case {case_id} in your wilayah.")
    return case


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    status: str | None,
    overdue_on: date | None,
    limit: int,
    offset: int,
    today: date,
) -> list[AtsCaseOut]:
    """Cases in the caller's scope by detection date; ``overdue_on``: only those not verified
    by their due date before that day."""
    query = (
        select(AtsCase, col(Child.person_ref))
        .join(Child, col(Child.id) == col(AtsCase.child_id))
        .where(under(col(AtsCase.desa_code), principal.visible_scopes(wilayah)))
    )
    if posyandu_id is not None:
        query = query.where(AtsCase.posyandu_id == posyandu_id)
    if status is not None:
        query = query.where(AtsCase.status == status)
    if overdue_on is not None:
        query = query.where(
            col(AtsCase.status).in_(UNVERIFIED),
            col(AtsCase.verify_due_on) < overdue_on,
        )
    query = query.order_by(col(AtsCase.detected_on), col(AtsCase.id)).offset(offset).limit(limit)
    return [_out(case, ref, today) for case, ref in (await session.exec(query)).all()]


# --- opening ------------------------------------------------------------------------------


async def open_case_for(
    uow: UnitOfWork,
    principal: Principal,
    settings: EducationSettings,
    child_id: str,
    *,
    source: str,
    detected_on: date,
    today: date,
    referral_id: str | None = None,
) -> AtsCase:
    """Open a case for a child the caller may write for (see ``open_case``)."""
    child = await visible_child(uow.session, principal, child_id, lock=True)
    return await open_case(
        uow,
        principal,
        settings,
        child,
        source=source,
        detected_on=detected_on,
        today=today,
        referral_id=referral_id,
    )


async def open_case(
    uow: UnitOfWork,
    principal: Principal,
    settings: EducationSettings,
    child: Child,
    *,
    source: str,
    detected_on: date,
    today: date,
    referral_id: str | None = None,
    category: str | None = None,
) -> AtsCase:
    """A case for a child 7–18 (on the detection day) with no open one, at the child's
    posyandu, due for verification N working days later; a referral's source links the
    ``ats_suspected`` referral about this child (accepting it if still requested).

    The case says the child is out of school: unless the child's current status already is
    ``out_of_school`` (no second row), it is recorded as of the detection date, from the
    detection's source (``domain.ats.STATUS_SOURCE``), in the same unit of work. When the
    detection date is before the current status's date, the status is left alone: the
    history stays in date order, and the later status is newer news than this detection.
    ``child`` must be locked (or new) so no other status slips in between."""
    not_in_future(detected_on, today, "body.detected_on", "The detection date")
    check_age(age_years(child.birth_date, detected_on))
    await posyandu_for_write(uow.session, child.posyandu_id, principal, field="body.child_id")
    await refuse_second_open(uow.session, child.id)
    _check_referral_given(source, referral_id)
    actor = principal.subject
    row = case_row(settings, child, source, detected_on, actor, now(), referral_id=referral_id)
    case = AtsCase(**row)
    if referral_id is not None:
        await _link_referral(uow, principal, child, case)
    _log(uow, case, "detect", None, {"source": source}, detected_on, actor)
    uow.publish(opened_event(row, child, category), subject=case.id)
    # Last, once nothing can refuse the case: an import's row keeps no half-written writes.
    await _record_out_of_school(uow, principal, child, case, today)
    return case


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


async def _record_out_of_school(
    uow: UnitOfWork, principal: Principal, child: Child, case: AtsCase, today: date
) -> None:
    if not records_out_of_school(child.status, child.status_on, case.detected_on):
        return
    entry = StatusIn(status=OUT_OF_SCHOOL, source=STATUS_SOURCE[case.source], on=case.detected_on)
    await children.record_status(uow, principal, child, entry, today=today)


async def open_case_of(session: AsyncSession, child_id: str) -> str | None:
    query = select(AtsCase.id).where(
        AtsCase.child_id == child_id, col(AtsCase.status).in_(ATS_OPEN)
    )
    return (await session.exec(query)).first()


async def refuse_second_open(session: AsyncSession, child_id: str) -> None:
    """One open case per child: a second is a 409 naming the open one."""
    open_id = await open_case_of(session, child_id)
    if open_id is not None:
        raise Conflict(
            f"Child {child_id} already has an open ATS case, {open_id}.", open_case_id=open_id
        )


async def commit_opening(uow: UnitOfWork, child_id: str) -> None:
    """Commit; a concurrent request that opened the child's case first (the database's
    one-open-case index refused this one) is the same 409 naming its case."""
    try:
        await uow.commit()
    except IntegrityError as exc:
        await uow.rollback()
        await refuse_second_open(uow.session, child_id)
        raise Conflict("The ATS case was opened concurrently; read it again.") from exc


def _check_referral_given(source: str, referral_id: str | None) -> None:
    if source == "referral" and referral_id is None:
        raise RuleViolation(
            "body.referral_id", "referral_id_required", "A case from a referral names it."
        )
    if source != "referral" and referral_id is not None:
        raise RuleViolation(
            "body.referral_id",
            "referral_id_not_applicable",
            "Only a case whose source is a referral names one.",
        )


async def _link_referral(
    uow: UnitOfWork, principal: Principal, child: Child, case: AtsCase
) -> None:
    """The incoming ``ats_suspected`` referral about this child becomes this case's: accepted
    with it as the case (if still requested), or given it (if accepted without a case)."""
    assert case.referral_id is not None
    row = await locked(uow.session, case.referral_id, "incoming")
    field = "body.referral_id"
    if row is None or not principal.can_see(row["desa_code"]):
        raise RuleViolation(field, "unknown_referral", "No incoming referral with this id.")
    if row["reason_code"] != ATS_REFERRAL_REASON or row["person_ref"] != child.person_ref:
        raise RuleViolation(
            field, "referral_mismatch", f"Not an {ATS_REFERRAL_REASON} referral about this child."
        )
    if row["status"] not in ("requested", "accepted") or row["case_ref"] is not None:
        raise Conflict(
            f"Referral {row['id']} is {row['status']}"
            + (f" with case {row['case_ref']}." if row["case_ref"] else "."),
            current_status=row["status"],
        )
    if row["status"] == "requested":
        on = max(case.detected_on, row["requested_on"])
        await take(uow, "education", row, Step("accept", principal.subject, on), case.id)
    else:
        await uow.session.execute(
            update(referral)
            .where(referral.c.id == row["id"])
            .values(case_ref=case.id, updated_at=now())
        )


# --- steps --------------------------------------------------------------------------------


async def classify(
    uow: UnitOfWork, principal: Principal, case: AtsCase, body: ClassifyIn, today: date
) -> None:
    """BPB, DO or LTM: BPB only for a child whose statuses show no schooling; DO/LTM keep the
    last jenjang and kelas (the child's latest schooling status when not given)."""
    _may(case, "classify")
    child = await _child(uow.session, case)
    on = _step_date(body.classified_on, today, case.detected_on, "body.classified_on")
    await classify_as(uow, principal, case, child, body, on)


async def classify_as(
    uow: UnitOfWork,
    principal: Principal,
    case: AtsCase,
    child: Child,
    body: ClassifyIn,
    on: date,
) -> None:
    status = _advance(case, "classify", principal.subject)
    schooling = await last_schooling(uow.session, child.id)
    check_category(body.category, ever_enrolled=schooling is not None)
    if body.category == "bpb" and (body.last_jenjang or body.last_kelas):
        which = "last_jenjang" if body.last_jenjang else "last_kelas"
        raise RuleViolation(
            f"body.{which}", "not_applicable", "BPB: the child never reached a jenjang."
        )
    case.category, case.classified_on = body.category, on
    if body.category != "bpb":
        given = body.last_jenjang is not None
        case.last_jenjang = body.last_jenjang if given else _jenjang(schooling)
        case.last_kelas = body.last_kelas if given else _kelas(schooling)
    codes = {"category": body.category, "last_jenjang": case.last_jenjang}
    _log(uow, case, "classify", status, codes, on, principal.subject)


async def verify(
    uow: UnitOfWork,
    principal: Principal,
    settings: EducationSettings,
    case: AtsCase,
    body: VerifyIn,
    today: date,
) -> None:
    """The desa's verification; an economic problem also refers the household to social
    (bansos) in the same transaction, once: an open referral for the same need is reused."""
    _may(case, "verify")
    on = _step_date(body.verified_on, today, case.classified_on, "body.verified_on")
    reason = check_reason(body.reason_code, settings.ats_verify_reasons)
    child = await _child(uow.session, case)
    status = _advance(case, "verify", principal.subject)
    case.reason_code, case.problem_domain, case.verified_on = reason, body.problem_domain, on
    if needs_social_referral(body.problem_domain):
        case.social_referral_id = await _refer_to_social(uow, principal, settings, child, on)
    codes = {"reason_code": reason, "problem_domain": body.problem_domain}
    if case.social_referral_id is not None:
        codes["social_referral_id"] = case.social_referral_id
    _log(uow, case, "verify", status, codes, on, principal.subject)
    uow.publish(
        AtsCaseVerified(
            **_about(case, child, on),
            category=case.category,
            reason_code=reason,
            problem_domain=body.problem_domain,
            verified_on=on,
            verify_due_on=case.verify_due_on,
            on_time=on <= case.verify_due_on,
            social_referral_id=case.social_referral_id,
        ),
        subject=case.id,
    )


SOCIAL_REASON = "bansos_need"


async def _refer_to_social(
    uow: UnitOfWork,
    principal: Principal,
    settings: EducationSettings,
    child: Child,
    on: date,
) -> str:
    """A ``bansos_need`` referral about the child's household, through the platform's module
    (the KK stays here; the event carries its pseudonym)."""
    body = ReferralIn(
        target_field="social",
        posyandu_id=child.posyandu_id,
        reason_code=SOCIAL_REASON,
        no_kk=child.kk,  # bansos is the household's need: one referral per household
        details={"program": settings.ats_social_program},
        requested_on=on,
    )
    try:
        return await referrals.request(uow, settings, "education", body, principal)
    except Conflict as open_one:
        # The household's need is already with social (a sibling's case, a kader's referral).
        existing = open_one.extra.get("open_referral_id")
        if existing is None:
            raise
        return str(existing)


async def refer(
    uow: UnitOfWork,
    principal: Principal,
    settings: EducationSettings,
    case: AtsCase,
    body: ReferIn,
    today: date,
) -> None:
    """Re-entry through PPDB, or SPNF/PKBM with the Paket that fits the last level and age."""
    _may(case, "refer")
    on = _step_date(body.referred_on, today, case.verified_on, "body.referred_on")
    status = _advance(case, "refer", principal.subject)
    paket = None
    if body.path == "spnf_pkbm":
        child = await _child(uow.session, case)
        level = LastLevel(case.category or "bpb", case.last_jenjang)
        age = age_years(child.birth_date, on)
        paket = check_paket(level, age, body.paket, settings.ats_paket_min_age)
    elif body.paket is not None:
        raise RuleViolation("body.paket", "not_applicable", "PPDB is formal school: no Paket.")
    case.re_entry_path, case.paket, case.referred_on = body.path, paket, on
    codes = {"path": body.path, "paket": paket}
    _log(uow, case, "refer", status, codes, on, principal.subject)


async def enroll(
    uow: UnitOfWork, principal: Principal, case: AtsCase, body: EnrollIn, today: date
) -> None:
    """Back in education: the case ends enrolled, the child's status is recorded in the same
    unit of work, and the referral the case was opened for (if any) is resolved."""
    _may(case, "enroll")
    _step_date(body.on, today, case.referred_on, "body.on")
    status = _advance(case, "enroll", principal.subject)
    assert case.re_entry_path is not None  # referred before
    check_enrolment(case.re_entry_path, case.paket, body.status)
    child = await visible_child(uow.session, principal, case.child_id, lock=True)
    entry = StatusIn(
        status=body.status,
        kelas=body.kelas,
        unit_name=body.unit_name,
        npsn=body.npsn,
        source=body.source,
        on=body.on,
    )
    await children.record_status(uow, principal, child, entry, today=today)
    case.enrolled_status, case.unit_name, case.npsn = body.status, body.unit_name, body.npsn
    case.enrolled_on = body.on
    codes = {"status": body.status, "npsn": body.npsn}
    _log(uow, case, "enroll", status, codes, body.on, principal.subject)
    uow.publish(
        AtsCaseEnrolled(
            **_about(case, child, body.on),
            category=case.category,
            re_entry_path=case.re_entry_path,
            status=body.status,
            kelas=body.kelas,
            npsn=body.npsn,
            detected_on=case.detected_on,
            enrolled_on=body.on,
        ),
        subject=case.id,
    )
    outcome = REFERRAL_OUTCOME[case.re_entry_path]
    await resolve_linked(uow, "education", case.id, outcome, body.on, principal.subject)


async def close(
    uow: UnitOfWork, principal: Principal, case: AtsCase, body: CloseIn, today: date
) -> None:
    """Not eligible: over 18, in a pesantren, moved, deceased."""
    _may(case, "close")
    on = _step_date(body.closed_on, today, _last_step_on(case), "body.closed_on")
    await _end(uow, principal, case, "close", on, body.reason)


async def mark_residu(
    uow: UnitOfWork, principal: Principal, case: AtsCase, body: ResiduIn, today: date
) -> None:
    """The child cannot be located."""
    _may(case, "mark_residu")
    on = _step_date(body.on, today, _last_step_on(case), "body.on")
    await _end(uow, principal, case, "mark_residu", on, None)


async def _end(
    uow: UnitOfWork,
    principal: Principal,
    case: AtsCase,
    action: AtsAction,
    on: date,
    reason: str | None,
) -> None:
    status = _advance(case, action, principal.subject)
    child = await _child(uow.session, case)
    case.not_eligible_reason, case.closed_on = reason, on
    _log(uow, case, action, status, {"reason": reason}, on, principal.subject)
    uow.publish(
        AtsCaseClosed(
            **_about(case, child, on),
            category=case.category,
            outcome="residu" if reason is None else "not_eligible",
            not_eligible_reason=reason,
            previous_status=status,
            detected_on=case.detected_on,
            closed_on=on,
        ),
        subject=case.id,
    )
    outcome = REFERRAL_OUTCOME[reason or "residu"]
    await resolve_linked(uow, "education", case.id, outcome, on, principal.subject)


# --- shared -------------------------------------------------------------------------------


def _may(case: AtsCase, action: AtsAction) -> None:
    """A wrong step is refused before its body is judged: the 409 names the allowed ones."""
    ATS.step(case.status, action)  # type: ignore[arg-type]


def _advance(case: AtsCase, action: AtsAction, actor: str) -> str:
    """Take ``action`` (the workflow's 409 naming the allowed steps otherwise); returns the
    status left."""
    previous = case.status
    case.status = ATS.next(previous, action)  # type: ignore[arg-type]
    case.updated_by, case.updated_at = actor, now()
    return previous


def _log(
    uow: UnitOfWork,
    case: AtsCase,
    action: str,
    previous: str | None,
    codes: dict[str, Any],
    on: date,
    actor: str,
) -> None:
    uow.session.add(case)
    row = history_row(case.id, action, previous, case.status, codes, on, actor, now())
    uow.session.add(AtsCaseHistory(**row))


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
    return {
        "case_id": case_id,
        "action": action,
        "from_status": previous,
        "to_status": status,
        "codes": {k: v for k, v in codes.items() if v is not None},
        "step_on": on,
        "actor": actor,
        "at": moment,
    }


def _step_date(given: date | None, today: date, previous: date | None, field: str) -> date:
    """A step's date: today when omitted, not in the future, not before the step it follows."""
    on = given or today
    not_in_future(on, today, field)
    if previous is not None and on < previous:
        raise RuleViolation(field, "before_previous_step", f"Not before {previous}.")
    return on


def _last_step_on(case: AtsCase) -> date:
    steps = (case.detected_on, case.classified_on, case.verified_on, case.referred_on)
    return max(d for d in steps if d is not None)


def _about(case: AtsCase, child: CaseChild, on: date) -> dict[str, Any]:
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


async def _child(session: AsyncSession, case: AtsCase) -> Child:
    child = await session.get(Child, case.child_id)
    assert child is not None  # a foreign key
    return child


async def last_schooling(session: AsyncSession, child_id: str) -> ChildStatus | None:
    """The child's latest schooling status (formal or kesetaraan), if any."""
    query = (
        select(ChildStatus)
        .where(ChildStatus.child_id == child_id, col(ChildStatus.status).in_(SCHOOLING))
        .order_by(
            col(ChildStatus.on).desc(), col(ChildStatus.recorded_at).desc(), col(ChildStatus.id)
        )
        .limit(1)
    )
    return (await session.exec(query)).first()


def _jenjang(status: ChildStatus | None) -> str | None:
    return status.status if status is not None else None


def _kelas(status: ChildStatus | None) -> int | None:
    return status.kelas if status is not None else None
