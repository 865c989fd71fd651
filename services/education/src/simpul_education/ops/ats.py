"""ATS cases as Dinas Pendidikan and the kader work them: open one for a child 7–18 out of
school, take each step of the workflow (``domain/ats.py``): each locks the case, takes the step
(409 naming the allowed ones otherwise), keeps it in ``ats_case_history`` and, for the steps
other fields hear of, publishes an event with the child's pseudonyms only. Opening records the
child out of school and enrolment the school, as the child's status in the same unit of work
(``ops.children.record_status``, which detects nothing: no second case, no loop); the referrals
a case works with are ``ops.ats_referrals``, its reads ``ops.ats_reads``, and the rows and
events it writes, shared with ``ops.ats_detection``, ``ops.ats_rows``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.ats import (
    ATS,
    OUT_OF_SCHOOL,
    STATUS_SOURCE,
    AtsAction,
    check_age,
    check_category,
    needs_social_referral,
    records_out_of_school,
)
from simpul_education.domain.ats_reentry import (
    LastLevel,
    check_enrolment,
    check_paket,
    check_reason,
)
from simpul_education.domain.children import age_years
from simpul_education.events import AtsCaseClosed, AtsCaseEnrolled, AtsCaseVerified
from simpul_education.models import AtsCase, AtsCaseHistory, Child, ChildStatus
from simpul_education.ops import children
from simpul_education.ops.access import posyandu_for_write, visible_child
from simpul_education.ops.ats_reads import child_of, last_schooling, open_case_of
from simpul_education.ops.ats_referrals import (
    REFERRAL_OUTCOME,
    check_referral_given,
    link_referral,
    refer_to_social,
)
from simpul_education.ops.ats_rows import about, case_row, history_row, opened_event
from simpul_education.schemas.ats import ClassifyIn, CloseIn, EnrollIn, ReferIn, ResiduIn, VerifyIn
from simpul_education.schemas.children import StatusIn
from simpul_education.settings import EducationSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.referrals.automatic import resolve_linked
from simpul_platform.steps import advance
from simpul_platform.uow import UnitOfWork

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
    ``ats_suspected`` or ``disaster_displaced`` referral about this child (accepting it if
    still requested).

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
    check_referral_given(source, referral_id)
    actor = principal.subject
    row = case_row(settings, child, source, detected_on, actor, now(), referral_id=referral_id)
    case = AtsCase(**row)
    if referral_id is not None:
        await link_referral(uow, principal, child, case)
    _log(uow, case, "detect", None, {"source": source}, detected_on, actor)
    uow.publish(opened_event(row, child, category), subject=case.id)
    # Last, once nothing can refuse the case: an import's row keeps no half-written writes.
    await _record_out_of_school(uow, principal, child, case, today)
    return case


async def _record_out_of_school(
    uow: UnitOfWork, principal: Principal, child: Child, case: AtsCase, today: date
) -> None:
    if not records_out_of_school(child.status, child.status_on, case.detected_on):
        return
    entry = StatusIn(status=OUT_OF_SCHOOL, source=STATUS_SOURCE[case.source], on=case.detected_on)
    await children.record_status(uow, principal, child, entry, today=today)


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


# --- steps --------------------------------------------------------------------------------


async def classify(
    uow: UnitOfWork, principal: Principal, case: AtsCase, body: ClassifyIn, today: date
) -> None:
    """BPB, DO or LTM: BPB only for a child whose statuses show no schooling; DO/LTM keep the
    last jenjang and kelas (the child's latest schooling status when not given)."""
    _may(case, "classify")
    child = await child_of(uow.session, case)
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
    child = await child_of(uow.session, case)
    status = _advance(case, "verify", principal.subject)
    case.reason_code, case.problem_domain, case.verified_on = reason, body.problem_domain, on
    if needs_social_referral(body.problem_domain):
        case.social_referral_id = await refer_to_social(uow, principal, settings, child, on)
    codes = {"reason_code": reason, "problem_domain": body.problem_domain}
    if case.social_referral_id is not None:
        codes["social_referral_id"] = case.social_referral_id
    _log(uow, case, "verify", status, codes, on, principal.subject)
    uow.publish(
        AtsCaseVerified(
            **about(case, child, on),
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
        child = await child_of(uow.session, case)
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
            **about(case, child, body.on),
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
    child = await child_of(uow.session, case)
    case.not_eligible_reason, case.closed_on = reason, on
    _log(uow, case, action, status, {"reason": reason}, on, principal.subject)
    uow.publish(
        AtsCaseClosed(
            **about(case, child, on),
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
    return advance(ATS, case, action, actor)


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


def _jenjang(status: ChildStatus | None) -> str | None:
    return status.status if status is not None else None


def _kelas(status: ChildStatus | None) -> int | None:
    return status.kelas if status is not None else None
