"""The ``public-works.housing-surveys`` consumer's handler: housing's survey of a house
(``housing.house.assessed.v1``) records the drinking-water source, its distance to a faeces
point and the latrine, the same facts a PU kader would ask; each household living in the house
gets them as a survey of source ``housing``, so a family is not surveyed twice for them.

- The household is found by its pseudonym, or recorded by pseudonym alone (no No. KK yet; a
  kader's later survey by KK finds it, the KK's pseudonym being the same ``household_ref``).
- The survey's ``source_ref`` is the assessment's id, unique per household: a replay of the
  event changes nothing.
- Housing's codes are mapped onto public works' (``MAPPED``); a code with no equivalent goes
  to the closest conservative one (``water_source``'s unknown → ``lainnya``, an unprotected
  source; a bathroom or toilet type naming no toilet on either side → no toilet at all; an
  unknown disposal → ``tidak_tahu``, judged as discharged openly).
- What housing does not ask (on the premises, 24-hour availability, fetch time, litres, quality,
  E. coli, septic emptying) is unknown (NULL) and the ladder judges it conservatively
  (``domain.ladder``: e.g. ``improved_facts_partial``, ``quantity_unknown``).
- The house's occupants are shared evenly among its households (housing counts the house; the
  split is unknown, an even one keeps the population surveyed right).
- The latest survey by date is the household's, whatever its source; of one date a kader's
  wins over housing's (the kader asked every question), and of two of housing's the later.
- Announced as ``public_works.household.wash_assessed.v1`` (source ``housing``), as a kader's
  survey is, and followed up like one (``ops.survey_followup``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import local_day, now
from simpul_platform.consumer import Received
from simpul_platform.events import Envelope, new_id
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork
from simpul_public_works.domain.ladder import Survey, ladder
from simpul_public_works.events import HouseAssessed
from simpul_public_works.models import Household, WashSurvey
from simpul_public_works.ops.survey_effects import RecordedSurvey, after_surveys
from simpul_public_works.ops.surveys import _assessed, is_kelurahan, thresholds
from simpul_public_works.ops.surveys import recorded as as_recorded
from simpul_public_works.settings import PublicWorksSettings

SOURCE = "housing"
ACTOR = "system:housing-surveys"
_SAME = ("sumur_bor", "sumur_terlindung", "sumur_tidak_terlindung", "mata_air_terlindung")
MAPPED: dict[str, dict[str, str]] = {
    "water_source": {
        "perpipaan": "ledeng",
        "kemasan": "kemasan",  # judged by the washing source, which housing does not ask
        "mata_air_tidak_terlindung": "mata_air_tidak_terlindung",
        "air_hujan": "air_hujan",
        "air_permukaan": "air_permukaan",
        "lainnya": "lainnya",
        **{code: code for code in _SAME},
    },
    "toilet_facility": {c: c for c in ("sendiri", "bersama", "mck_komunal", "mck_umum")},
    "toilet_type": {c: c for c in ("leher_angsa", "plengsengan", "cemplung_cubluk")},
    "faeces_disposal": {
        "tangki_septik": "tangki_septik",
        "ipal": "ipal",
        "kolam_sawah_sungai_danau_laut": "kolam_sawah_sungai_danau_laut",
        "lubang_tanah": "lubang_tanah",
        "pantai_kebun": "pantai_tanah_lapang_kebun",
    },
}
# The closest conservative code for one housing sends that public works has no equivalent of.
FALLBACK = {
    "water_source": "lainnya",
    "toilet_facility": "tidak_ada",
    "toilet_type": "cemplung_cubluk",
    "faeces_disposal": "tidak_tahu",
}


def mapped(data: HouseAssessed) -> dict[str, str]:
    """Housing's water and sanitation codes as public works' (see the module)."""
    given = {
        "water_source": data.water_source,
        "toilet_facility": data.bathroom,
        "toilet_type": data.toilet_type,
        "faeces_disposal": data.faeces_disposal,
    }
    codes = {name: MAPPED[name].get(code, FALLBACK[name]) for name, code in given.items()}
    if "tidak_ada" in (data.bathroom, data.toilet_type):  # no toilet on either side: none
        codes["toilet_facility"] = codes["toilet_type"] = "tidak_ada"
    return codes


def shares(occupants: int, households: int) -> list[int]:
    """The house's occupants shared evenly among its households, each at least one."""
    base, extra = divmod(occupants, households)
    return [max(1, base + (1 if i < extra else 0)) for i in range(households)]


def partial_survey(data: HouseAssessed, desa_code: str) -> Survey:
    """Housing's facts as a survey the ladder judges, what housing does not ask unknown."""
    return Survey(
        **mapped(data),
        washing_source=None,
        distance_to_waste_m=data.water_to_faeces_m,
        on_premises=None,
        fetch_minutes=None,
        available_24h=None,
        litres_per_person_day=None,
        quality=None,
        e_coli=None,
        septic_emptied_on=None,
        surveyed_on=data.surveyed_on,
        kelurahan=is_kelurahan(desa_code),
    )


class HandlerWork(UnitOfWork):
    """A unit of work inside a consumer's transaction: the runner commits it, so its events
    are written to the outbox by ``stage`` (in the same transaction) instead of ``commit``."""

    async def stage(self) -> None:
        await self.outbox.add_many(self.session, self._events)
        self._events = []


class HousingSurveys:
    """The handler of the ``public-works.housing-surveys`` consumer (consumers.py)."""

    def __init__(self, settings: PublicWorksSettings) -> None:
        self.settings = settings
        self.outbox = Outbox(settings)

    async def on_assessed(
        self, session: AsyncSession, data: HouseAssessed, event: Envelope
    ) -> None:
        await self._apply(session, [Received(data, event)])

    async def on_assessed_batch(
        self, session: AsyncSession, run: Sequence[Received[HouseAssessed]]
    ) -> None:
        """A consumer chunk's run of surveys, as if one after another: in parts where no
        household is named twice (a household's second survey sees its first one's effects),
        each part's households and replays read in one statement each."""
        for part in _parts(run):
            await self._apply(session, part)

    async def _apply(self, session: AsyncSession, part: Sequence[Received[HouseAssessed]]) -> None:
        """Record the part's surveys (no household twice in it) and their effects."""
        uow = HandlerWork(session, self.outbox)
        # A house no household was found living in: no one to record it for.
        named = [(data, event, sorted(set(data.household_refs))) for data, event in part]
        named = [(data, event, refs) for data, event, refs in named if refs]
        if not named:
            return
        households = await households_by_ref(session, [(data, refs) for data, _, refs in named])
        done = await recorded(
            session,
            [household.id for household in households.values()],
            [data.assessment_id for data, _, _ in named],
        )
        surveyed: dict[date, list[RecordedSurvey]] = defaultdict(list)
        for data, event, refs in named:
            for ref, occupants in zip(refs, shares(data.occupants, len(refs)), strict=True):
                household = households[ref]
                if (household.id, data.assessment_id) not in done:
                    row = await self._record(uow, household, data, occupants)
                    latest = household.latest_survey_id == row.id
                    day = local_day(self.settings, event.time)
                    surveyed[day].append(as_recorded(row, household, latest=latest))
        for day in sorted(surveyed):  # households differ: each is answered as on its own
            await after_surveys(uow, surveyed[day], day)
        await uow.stage()

    async def _record(
        self, uow: UnitOfWork, household: Household, data: HouseAssessed, occupants: int
    ) -> WashSurvey:
        survey = partial_survey(data, household.desa_code)
        found = ladder(survey, thresholds(self.settings))
        moment = now()
        row = WashSurvey(
            id=new_id(),
            household_id=household.id,
            source=SOURCE,
            source_ref=data.assessment_id,
            occupants=occupants,
            water_level=found.water,
            water_rule=found.water_rule,
            sanitation_level=found.sanitation,
            sanitation_rule=found.sanitation_rule,
            basic_water=found.basic_water,
            basic_water_failed=found.basic_water_rules,
            wastewater_service=found.wastewater_service,
            recorded_by=ACTOR,
            recorded_at=moment,
            **{k: v for k, v in vars(survey).items() if k != "kelurahan"},
        )
        if await _latest_wins(uow.session, household, data):
            household.latest_survey_id, household.surveyed_on = row.id, data.surveyed_on
            household.occupants = occupants
            household.water_level, household.sanitation_level = found.water, found.sanitation
            household.basic_water = found.basic_water
            household.wastewater_service = found.wastewater_service
            household.updated_by, household.updated_at = ACTOR, moment
        uow.session.add_all([household, row])
        uow.publish(_assessed(row, household), subject=household.id)
        return row


async def _latest_wins(session: AsyncSession, household: Household, data: HouseAssessed) -> bool:
    """Whether housing's survey becomes the household's latest: a later date, or the same date
    as a latest that is housing's too (a kader's of that date stays)."""
    if household.surveyed_on is None or data.surveyed_on > household.surveyed_on:
        return True
    if data.surveyed_on < household.surveyed_on or household.latest_survey_id is None:
        return False
    latest = await session.get(WashSurvey, household.latest_survey_id)
    return latest is not None and latest.source == SOURCE


def _parts(run: Sequence[Received[HouseAssessed]]) -> list[list[Received[HouseAssessed]]]:
    """The run cut before each survey naming a household an earlier one in its part names."""
    parts: list[list[Received[HouseAssessed]]] = []
    named: set[str] = set()
    for received in run:
        refs = set(received.view.household_refs)
        if not parts or refs & named:
            parts.append([])
            named = set()
        parts[-1].append(received)
        named |= refs
    return parts


async def households_by_ref(
    session: AsyncSession, houses: Sequence[tuple[HouseAssessed, list[str]]]
) -> dict[str, Household]:
    """The households the houses name, by pseudonym, locked; one not known yet recorded by
    pseudonym alone at the posyandu of the first house naming it."""
    refs = sorted({ref for _, named in houses for ref in named})
    query = (
        select(Household)
        .where(col(Household.household_ref).in_(refs))
        .order_by(col(Household.household_ref))
        .with_for_update()
    )
    found = {h.household_ref: h for h in (await session.exec(query)).all()}
    moment = now()
    for data, named in houses:
        for ref in named:
            if ref not in found:
                found[ref] = Household(
                    id=new_id(),
                    kk=None,
                    household_ref=ref,
                    posyandu_id=data.posyandu_id,
                    desa_code=data.desa_code,
                    created_by=ACTOR,
                    created_at=moment,
                    updated_by=ACTOR,
                    updated_at=moment,
                )
                session.add(found[ref])
    await session.flush()  # the households before their surveys (their foreign key)
    return found


async def recorded(
    session: AsyncSession, household_ids: list[str], assessment_ids: list[str]
) -> set[tuple[str, str]]:
    """(household, assessment) of the households' surveys from these assessments (replays)."""
    query = select(col(WashSurvey.household_id), col(WashSurvey.source_ref)).where(
        col(WashSurvey.household_id).in_(household_ids),
        col(WashSurvey.source_ref).in_(sorted(set(assessment_ids))),
    )
    return {(str(household), str(ref)) for household, ref in (await session.exec(query)).all()}
