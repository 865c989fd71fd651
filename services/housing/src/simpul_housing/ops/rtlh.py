"""RTLH cases as Dinas Perkim and the housing kader work them (``domain/rtlh.py``): open one
for a house (one open case per house; from a referral, the house its household lives in),
then one operation per step. Each locks the case (the route does), takes the step (409 naming
the allowed ones otherwise), keeps it in ``rtlh_case_history`` and announces it. Surveys are
recorded through ``ops.assessments.record_assessment``; the aid is ``ops.rtlh_aid``, the
referrals ``ops.rtlh_referrals``, the reads ``ops.rtlh_reads``.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.rtlh import (
    RTLH,
    PriorityWeights,
    check_land,
    check_proposal_year,
    is_rtlh,
    priority,
)
from simpul_housing.models import Assessment, House, HouseholdDecile, HouseHousehold, RtlhCase
from simpul_housing.ops import stunting_followup
from simpul_housing.ops.access import posyandu_for_write, visible_house
from simpul_housing.ops.assessments import record_assessment
from simpul_housing.ops.houses import house_of, households
from simpul_housing.ops.rtlh_aid import already_aided, previous_aid
from simpul_housing.ops.rtlh_reads import open_case_of
from simpul_housing.ops.rtlh_referrals import (
    check_referral_given,
    end_case,
    incoming,
    link,
    no_house,
    resolve_linked,
)
from simpul_housing.ops.rtlh_rows import last_step_on, may, not_before_last, step_date, transition
from simpul_housing.schemas.rtlh import (
    HandleIn,
    PrioritiseIn,
    ProposeIn,
    RtlhOpenIn,
    StartConstructionIn,
    SurveyStepIn,
    VerifyIn,
)
from simpul_housing.settings import HousingSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork

# --- opening ------------------------------------------------------------------------------


async def open_case(
    uow: UnitOfWork, principal: Principal, body: RtlhOpenIn, today: date
) -> tuple[RtlhCase, bool]:
    """A case for a house with no open one (409 naming the open one otherwise), for one of
    its households. From a referral: the house the referral's household lives in (422
    ``house_unknown`` when housing knows none); a house with an open case gets the referral
    linked instead. Returns the case and whether it was opened (False: linked)."""
    reported_on = body.reported_on or today
    not_in_future(reported_on, today, "body.reported_on", "The report date")
    check_referral_given(body.source, body.referral_id, body.house_id)
    row = None
    if body.referral_id is not None:
        if body.household_id is not None:
            raise RuleViolation(
                "body.household_id", "not_applicable", "A referral names its own household."
            )
        row = await incoming(uow, principal, body.referral_id)
        house = await _referred_house(uow.session, principal, row, body.house_id)
        household_ref = str(row["household_ref"])
    else:
        assert body.house_id is not None  # check_referral_given
        house = await visible_house(uow.session, principal, body.house_id, lock=True)
        household_ref = await _household(uow.session, house, body.household_id)
    await posyandu_for_write(uow.session, house.posyandu_id, principal, field="body.house_id")
    existing = await open_case_of(uow.session, house.id)
    if existing is not None:
        if row is None:
            raise _second_open(house.id, existing.id)
        await link(uow, principal, row, existing, reported_on)
        return existing, False
    actor, moment = principal.subject, now()
    case = RtlhCase(
        id=new_id(),
        house_id=house.id,
        household_ref=household_ref,
        posyandu_id=house.posyandu_id,
        desa_code=house.desa_code,
        status=RTLH.next(None, "report"),
        source=body.source,
        referral_id=body.referral_id,
        reported_on=reported_on,
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(case)
    await uow.session.flush()  # the case before its history (their foreign key)
    transition(
        uow, case, "report", reported_on, actor, codes={"source": body.source}, note=body.note
    )
    if row is not None:
        await link(uow, principal, row, case, reported_on)
    living = [h.household_ref for h in await households(uow.session, house.id)]
    await stunting_followup.hand_to_case(uow.session, living, case.id)
    return case, True


async def _referred_house(
    session: AsyncSession, principal: Principal, row: RowMapping, house_id: str | None
) -> House:
    found = await house_of(session, str(row["household_ref"]))
    if found is None:
        raise no_house(row)
    if house_id is not None and house_id != found.id:
        raise RuleViolation(
            "body.house_id",
            "referral_mismatch",
            f"The referral's household lives in house {found.id}, not {house_id}.",
        )
    return await visible_house(session, principal, found.id, lock=True)


async def _household(session: AsyncSession, house: House, household_id: str | None) -> str:
    living = list(await households(session, house.id))
    if household_id is not None:
        chosen: HouseHousehold | None = next((h for h in living if h.id == household_id), None)
        if chosen is None:
            raise RuleViolation(
                "body.household_id", "not_living_here", "No such household lives in this house."
            )
        return chosen.household_ref
    if not living:
        raise RuleViolation(
            "body.house_id", "no_household", "Record the household living in the house first."
        )
    return living[0].household_ref


def _second_open(house_id: str, open_id: str) -> Conflict:
    return Conflict(
        f"House {house_id} already has an open RTLH case, {open_id}.", open_case_id=open_id
    )


async def commit_opening(uow: UnitOfWork, house_id: str | None) -> None:
    """Commit; a concurrent request that opened the house's case first (the database's
    one-open-case index refused this one) is the same 409 naming its case."""
    try:
        await uow.commit()
    except IntegrityError as exc:
        await uow.rollback()
        existing = await open_case_of(uow.session, house_id) if house_id else None
        if existing is not None:
            raise _second_open(existing.house_id, existing.id) from exc
        raise Conflict("The RTLH case was opened concurrently; read it again.") from exc


# --- steps --------------------------------------------------------------------------------


async def survey(
    uow: UnitOfWork,
    principal: Principal,
    settings: HousingSettings,
    case: RtlhCase,
    body: SurveyStepIn,
    today: date,
) -> None:
    """Link the survey the case goes on; one livable under Perkim's rule set ends the case at
    once as ``not_rtlh`` (the referral it came from resolved ``surveyed_rlh``)."""
    may(case, "survey")
    house = await _house(uow.session, principal, case)
    row = await _survey_of(uow, principal, settings, house, body, today)
    oldest = case.reported_on - timedelta(days=settings.rtlh_survey_valid_days)
    if row.surveyed_on < oldest:
        raise RuleViolation(
            "body.assessment_id",
            "survey_too_old",
            f"A survey of {row.surveyed_on} is too old for a case reported on "
            f"{case.reported_on}: record a new one.",
        )
    on = max(row.surveyed_on, case.reported_on)
    case.assessment_id = row.id
    codes = {
        "assessment_id": row.id,
        "rtlh_pupr": row.rtlh_pupr,
        "rtlh_rutilahu": row.rtlh_rutilahu,
    }
    transition(uow, case, "survey", on, principal.subject, codes=codes)
    if not is_rtlh(settings.rtlh_rule_set, row.rtlh_pupr, row.rtlh_rutilahu):
        await end_case(uow, principal, case, "not_rtlh", on, None)


async def _survey_of(
    uow: UnitOfWork,
    principal: Principal,
    settings: HousingSettings,
    house: House,
    body: SurveyStepIn,
    today: date,
) -> Assessment:
    if body.survey is not None and body.assessment_id is not None:
        raise RuleViolation(
            "body.assessment_id", "survey_or_assessment", "Give a survey or an assessment id."
        )
    if body.survey is not None:
        if body.survey.kind == "after_works":
            raise RuleViolation(
                "body.survey.kind",
                "not_after_works",
                "The after-works survey is the handle step's.",
            )
        return await record_assessment(
            uow, principal, house, body.survey, settings=settings, today=today, field="body.survey"
        )
    chosen = body.assessment_id or house.latest_assessment_id
    if chosen is None:
        raise RuleViolation(
            "body.survey",
            "survey_required",
            f"House {house.id} was never surveyed: give the survey.",
        )
    row = await uow.session.get(Assessment, chosen)
    if row is None or row.house_id != house.id:
        raise RuleViolation(
            "body.assessment_id", "unknown_assessment", "No survey of this house with this id."
        )
    return row


async def verify(
    uow: UnitOfWork,
    principal: Principal,
    settings: HousingSettings,
    case: RtlhCase,
    body: VerifyIn,
    today: date,
) -> None:
    """sts_verifikasi = Y. A household or house aided within ``aid_repeat_years`` is not
    verified: a 409 naming the aid (the case is then rejected as ``already_aided``)."""
    may(case, "verify")
    on = await step_date(uow.session, case, body.verified_on, today, "body.verified_on")
    blocking = await previous_aid(uow.session, settings, case, on.year)
    if blocking is not None:
        hint = "Reject the case with the reason already_aided."
        raise already_aided(blocking, settings.aid_repeat_years, field="case", hint=hint)
    case.verified_on = on
    transition(
        uow, case, "verify", on, principal.subject, codes={"sts_verifikasi": "Y"}, note=body.note
    )


async def prioritise(
    uow: UnitOfWork,
    principal: Principal,
    settings: HousingSettings,
    case: RtlhCase,
    body: PrioritiseIn,
    today: date,
) -> None:
    """Jenis kawasan (the linked survey's when not given) and the household's DTSEN decile
    (social's, by pseudonym; unknown is allowed) give the priority, weights from settings."""
    may(case, "prioritise")
    on = await step_date(uow.session, case, body.prioritised_on, today, "body.prioritised_on")
    kawasan = body.kawasan
    if kawasan is None:
        linked = await uow.session.get(Assessment, case.assessment_id)
        kawasan = list(linked.kawasan) if linked is not None else []  # type: ignore[arg-type]
    living = [h.household_ref for h in await households(uow.session, case.house_id)]
    if await stunting_followup.stunted(uow.session, living):  # FIELDS.md §5: tagged STUNTING
        kawasan = [*kawasan, "stunting"]
    known = await uow.session.get(HouseholdDecile, case.household_ref)
    decile = known.decile if known is not None else None
    weights = PriorityWeights(
        kawasan=settings.rtlh_kawasan_weights,
        decile=settings.rtlh_decile_points,
        unknown_decile=settings.rtlh_unknown_decile_points,
    )
    case.kawasan, case.decile = sorted(set(kawasan)), decile
    case.priority, case.prioritised_on = priority(kawasan, decile, weights), on
    codes = {"kawasan": case.kawasan, "decile": decile, "priority": case.priority}
    transition(uow, case, "prioritise", on, principal.subject, codes=codes)


async def propose(
    uow: UnitOfWork,
    principal: Principal,
    settings: HousingSettings,
    case: RtlhCase,
    body: ProposeIn,
    today: date,
) -> None:
    """The usulan; a house on illegal or state land is not proposed (relocation or rental)."""
    may(case, "propose")
    on = await step_date(uow.session, case, body.proposed_on, today, "body.proposed_on")
    house = await _house(uow.session, principal, case)
    check_land(house.land_status, settings.rtlh_refused_land)
    check_proposal_year(body.proposal_year, on)
    case.funding_source, case.proposal_year = body.funding_source, body.proposal_year
    codes = {"funding_source": body.funding_source, "proposal_year": body.proposal_year}
    transition(uow, case, "propose", on, principal.subject, codes=codes)


async def start_construction(
    uow: UnitOfWork, principal: Principal, case: RtlhCase, body: StartConstructionIn, today: date
) -> None:
    """Works began, with the TFL and the recipient group (kept in the step)."""
    may(case, "start_construction")
    on = await step_date(uow.session, case, body.started_on, today, "body.started_on")
    case.construction_started_on = on
    codes = {"tfl": body.tfl, "recipient_group": body.recipient_group}
    transition(uow, case, "start_construction", on, principal.subject, codes=codes)


async def handle(
    uow: UnitOfWork,
    principal: Principal,
    settings: HousingSettings,
    case: RtlhCase,
    body: HandleIn,
    today: date,
) -> None:
    """The after-works survey (recorded as ``after_works``); livable under Perkim's rule set,
    the house is RLH and the case ends (its referral resolved ``rehabilitated``)."""
    may(case, "handle")
    field = "body.survey.surveyed_on"
    not_before_last(body.survey.surveyed_on, await last_step_on(uow.session, case.id), field)
    house = await _house(uow.session, principal, case)
    after = body.survey.model_copy(update={"kind": "after_works"})
    row = await record_assessment(
        uow, principal, house, after, settings=settings, today=today, field="body.survey"
    )
    on = row.surveyed_on
    case.after_assessment_id, case.handled_on = row.id, on
    codes = {
        "assessment_id": row.id,
        "rtlh_pupr": row.rtlh_pupr,
        "rtlh_rutilahu": row.rtlh_rutilahu,
    }
    transition(uow, case, "handle", on, principal.subject, codes=codes)
    if is_rtlh(settings.rtlh_rule_set, row.rtlh_pupr, row.rtlh_rutilahu):
        return  # works to finish: a further after-works survey follows
    case.rlh_on = case.closed_on = on
    transition(uow, case, "mark_rlh", on, principal.subject, codes={"assessment_id": row.id})
    await resolve_linked(uow, case, "rlh", on, principal.subject)


async def _house(session: AsyncSession, principal: Principal, case: RtlhCase) -> House:
    """The case's house, locked (its surveys and classification change with the case)."""
    try:
        return await visible_house(session, principal, case.house_id, lock=True)
    except NotFound as exc:  # pragma: no cover - the house is in the case's desa
        raise NotFound(f"No RTLH case {case.id} in your wilayah.") from exc
