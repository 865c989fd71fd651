"""One typed client per field service: what the gateway reads from it.

Every field service answers ``/v1/indicators`` (a list of ``IndicatorValue``) and
``/v1/summary``; a field with a referral catalogue also answers the referral routes. A field
adds what only it knows (health: stunting per desa; education: PAUD participation and children
out of school per desa, and the open ATS cases; social: poverty per desa, the open priority
cases and an emergency's disaster protection cases; housing: RTLH per desa and an emergency's
disaster houses; public works: households without basic water or sanitation per desa; trantib:
fires that missed the response time and the emergencies with their households). A new field is
one subclass here and its URL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar
from urllib.parse import quote

from pydantic import BaseModel, TypeAdapter, ValidationError

from simpul_gateway.emergencies import (
    HOUSING_CASES,
    PROTECTION_CASES,
    TrantibEmergencies,
)
from simpul_gateway.schemas import CrossFieldCase
from simpul_gateway.upstream import Answer, Status, Upstream
from simpul_platform.indicators import SpmField
from simpul_platform.referrals.catalogue import CATALOGUES
from simpul_platform.referrals.schemas import Group, ReferralBrief, ReferralSummary

_BRIEFS = TypeAdapter(list[ReferralBrief])
# The most emergency ids one by-source call names (a URL stays well under servers' limits).
BY_SOURCE_CHUNK = 200


class EducationDesa(BaseModel):
    """One desa's row of education's ``/v1/summary/by-desa``, as the gateway reads it (other
    keys are ignored). Percents are null where their denominator is zero."""

    desa_code: str
    children: int
    children_5_6: int
    paud_5_6: int
    paud_5_6_percent: float | None
    children_7_15: int
    dasar_7_15: int
    dasar_7_15_percent: float | None
    children_7_18: int
    out_of_school_7_18: int
    out_of_school_percent: float | None
    ats_open: int


_EDUCATION_DESA = TypeAdapter(list[EducationDesa])


class AtsOpenCase(BaseModel):
    """One open ATS case of education's posyandu ``/v1/summary`` (``ats_cases.open_cases``):
    the case, never the child. ``due_on`` is its verification due date while it waits for it."""

    case_id: str
    status: str
    due_on: date | None = None
    overdue: bool = False


_ATS_OPEN_CASES = TypeAdapter(list[AtsOpenCase])


def _education_rows(data: Any) -> list[dict[str, Any]]:
    return [row.model_dump() for row in _EDUCATION_DESA.validate_python(data)]


class FieldClient:
    field: ClassVar[SpmField]

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream

    async def indicators(
        self, token: str, wilayah: str, period: str, posyandu_id: str | None = None
    ) -> Answer:
        """The field's ``IndicatorValue`` rows of a wilayah, or of one posyandu (every field
        contract takes ``posyandu_id``; the posyandu's desa is then the scope, so the wilayah
        is not sent)."""
        place = {"wilayah": wilayah} if posyandu_id is None else {"posyandu_id": posyandu_id}
        return await self.upstream.get("/v1/indicators", token, {**place, "period": period})

    async def summary(self, token: str, posyandu_id: str, period: str) -> Answer:
        return await self.upstream.get(
            "/v1/summary", token, {"posyandu_id": posyandu_id, "period": period}
        )

    def open_cases(self, summary: dict[str, Any]) -> list[CrossFieldCase]:
        """Cross-field cases this field has open in a summary (none by default)."""
        return []

    @property
    def has_referrals(self) -> bool:
        """A field takes referrals once the platform has its catalogue: without one, no
        source may refer to it, so it holds none and is not asked."""
        return self.field in CATALOGUES

    async def referral_summary(self, token: str, wilayah: str, group: Group, limit: int) -> Answer:
        """The referrals this field owns as target in ``wilayah``, counted in total, per
        source field and per group, with its ``limit`` longest overdue: a ``ReferralSummary``."""
        if not self.has_referrals:
            return self._no_referrals()
        answer = await self.upstream.get(
            "/v1/referrals/summary",
            token,
            {"direction": "incoming", "wilayah": wilayah, "group": group, "limit": limit},
        )
        return self._read(answer, ReferralSummary.model_validate, "referrals")

    async def referrals_of_posyandu(self, token: str, posyandu_id: str) -> Answer:
        """The posyandu's open referrals this field holds, as target (incoming, its own) or as
        source (outgoing, its copy): a list of ``ReferralBrief``."""
        if not self.has_referrals:
            return self._no_referrals()
        answer = await self.upstream.get(
            f"/v1/referrals/posyandu/{quote(posyandu_id, safe='')}", token
        )
        return self._read(answer, _BRIEFS.validate_python, "referrals")

    def _no_referrals(self) -> Answer:
        return Answer(Status.NOT_AVAILABLE, detail=f"{self.field} takes no referrals yet")

    def _read(self, answer: Answer, parse: Callable[[Any], Any], what: str) -> Answer:
        """The answer's data as the platform's models. A body that does not fit is the
        service's fault, shown as its field being unavailable, not as the view failing."""
        if not answer.ok:
            return answer
        try:
            return Answer(Status.OK, data=parse(answer.data))
        except ValidationError as exc:
            return Answer(
                Status.UNAVAILABLE,
                detail=f"{self.field} answered {what} in a shape the gateway cannot read "
                f"({exc.error_count()} errors)",
            )

    async def _by_source(
        self, path: str, token: str, wilayah: str, ids: list[str], parse: Callable[[Any], Any]
    ) -> Answer:
        """Rows another field keeps per emergency (``source_event_id``), asked in chunks of
        ``BY_SOURCE_CHUNK`` ids at once; any chunk unanswered is the whole answer missing
        (a partial list would read as households without a case)."""
        if not self.upstream.exists:
            return await self.upstream.get(path, token)  # not deployed: not_available
        if not ids:
            return Answer(Status.OK, data=[], detail="no emergency with households to ask about")
        chunks = [ids[i : i + BY_SOURCE_CHUNK] for i in range(0, len(ids), BY_SOURCE_CHUNK)]
        answers = await asyncio.gather(
            *(
                self.upstream.get(path, token, {"source_event_id": chunk, "wilayah": wilayah})
                for chunk in chunks
            )
        )
        failed = next((answer for answer in answers if not answer.ok), None)
        if failed is not None:
            return failed
        rows = [row for answer in answers for row in (answer.data or [])]
        return self._read(Answer(Status.OK, data=rows), parse, "its cases by emergency")


class HealthClient(FieldClient):
    field = "health"

    async def stunting_by_desa(self, token: str, wilayah: str, period: str) -> Answer:
        return await self.upstream.get(
            "/v1/stunting/by-desa", token, {"wilayah": wilayah, "period": period}
        )


class EducationClient(FieldClient):
    field = "education"

    async def by_desa(self, token: str, wilayah: str, period: str) -> Answer:
        """Per desa: children 5–6 and those in PAUD, 7–15 in basic education, 7–18 out of
        school, and the open ATS cases (counts and percents, statuses as of the period's end):
        a list of ``EducationDesa`` rows as dicts."""
        answer = await self.upstream.get(
            "/v1/summary/by-desa", token, {"wilayah": wilayah, "period": period}
        )
        return self._read(answer, _education_rows, "its rows per desa")

    def open_cases(self, summary: dict[str, Any]) -> list[CrossFieldCase]:
        """The posyandu's open ATS cases (education lists its longest waiting), each due by
        its verification date until verified."""
        part = summary.get("ats_cases")  # absent from an education without ATS cases
        listed = part.get("open_cases", []) if isinstance(part, dict) else []
        try:
            cases = _ATS_OPEN_CASES.validate_python(listed)
        except ValidationError:
            # Another shape lists no case rather than failing the profile; the education
            # section still shows what was answered.
            return []
        return [
            CrossFieldCase(
                field="education",
                case_id=case.case_id,
                kind="ats_case",
                status=case.status,
                due_on=case.due_on,
                overdue=case.overdue,
            )
            for case in cases
        ]


class SocialClient(FieldClient):
    field = "social"

    async def poverty_by_desa(self, token: str, wilayah: str, period: str) -> Answer:
        return await self.upstream.get(
            "/v1/summary/by-desa", token, {"wilayah": wilayah, "period": period}
        )

    def open_cases(self, summary: dict[str, Any]) -> list[CrossFieldCase]:
        return [
            CrossFieldCase(
                field="social",
                case_id=case["case_id"],
                kind="priority_case",
                status="open",
                due_on=case["due_on"],
                overdue=case["overdue"],
            )
            for case in summary.get("priority_cases", {}).get("open_cases", [])
        ]

    async def disaster_protection(self, token: str, wilayah: str, ids: list[str]) -> Answer:
        """Social's disaster protection cases of these emergencies' households: a list of
        ``ProtectionCase``."""
        return await self._by_source(
            "/v1/disaster-protection/by-source",
            token,
            wilayah,
            ids,
            PROTECTION_CASES.validate_python,
        )


class HousingDesa(BaseModel):
    """One desa's row of housing's ``/v1/summary/by-desa``, as the gateway reads it (other keys
    are ignored). Percents are of the houses surveyed, null where none was."""

    desa_code: str
    houses: int
    surveyed: int
    rtlh_pupr: int
    rtlh_pupr_percent: float | None
    rtlh_rutilahu: int
    rtlh_rutilahu_percent: float | None
    rtlh_handled: int
    disaster_units_planned: int
    disaster_units_completed: int


_HOUSING_DESA = TypeAdapter(list[HousingDesa])


def _housing_rows(data: Any) -> list[dict[str, Any]]:
    return [row.model_dump() for row in _HOUSING_DESA.validate_python(data)]


class HousingClient(FieldClient):
    field = "housing"

    async def by_desa(self, token: str, wilayah: str, period: str) -> Answer:
        """Per desa: houses, surveyed, RTLH under each rule set (counts and percents of the
        surveyed, by the latest survey by the period's end), RTLH handled in the year and
        disaster units: a list of ``HousingDesa`` rows as dicts."""
        answer = await self.upstream.get(
            "/v1/summary/by-desa", token, {"wilayah": wilayah, "period": period}
        )
        return self._read(answer, _housing_rows, "its rows per desa")

    async def disaster_houses(self, token: str, wilayah: str, ids: list[str]) -> Answer:
        """Housing's disaster houses opened from these emergencies' damaged households: a
        list of ``HousingCase``."""
        return await self._by_source(
            "/v1/disaster-houses/by-source", token, wilayah, ids, HOUSING_CASES.validate_python
        )


class PublicWorksDesa(BaseModel):
    """One desa's row of public works' ``/v1/summary/by-desa``, as the gateway reads it (other
    keys are ignored): households by their latest WASH survey by the period's end."""

    desa_code: str
    households_surveyed: int
    population_surveyed: int
    households_without_basic_water: int
    households_babs: int
    households_without_layak_sanitation: int
    issues_open: int
    issues_overdue: int


_PUBLIC_WORKS_DESA = TypeAdapter(list[PublicWorksDesa])

# Public works' indicator codes in its /v1/indicators (SPM pekerjaan umum and the field's own):
# the one place the gateway names them.
PU_BASIC_WATER = "public_works.basic_water"  # population with basic daily drinking water
PU_WASTEWATER = "public_works.wastewater"  # population with domestic wastewater service
PU_SURVEY_COVERAGE = "public_works.survey_coverage"  # households surveyed ÷ households known
PU_BABS = "public_works.babs"  # households practising open defecation
PU_SAFE_WATER = "public_works.safe_water"  # households on the ladder's top rung (aman)
PU_SANITATION_LAYAK = "public_works.sanitation_layak"  # households with layak sanitation
PU_ISSUES_OVERDUE = "public_works.issues_overdue"  # village infrastructure issues overdue
PU_ISSUES_DONE = "public_works.issues_done"  # issues done this year
PUBLIC_WORKS_INDICATORS = (
    PU_BASIC_WATER,
    PU_WASTEWATER,
    PU_SURVEY_COVERAGE,
    PU_BABS,
    PU_SAFE_WATER,
    PU_SANITATION_LAYAK,
    PU_ISSUES_OVERDUE,
    PU_ISSUES_DONE,
)


def _public_works_rows(data: Any) -> list[dict[str, Any]]:
    # The rows alone, as the other fields answer, or inside an envelope naming the wilayah.
    rows = data.get("rows") if isinstance(data, dict) else data
    return [row.model_dump() for row in _PUBLIC_WORKS_DESA.validate_python(rows)]


class PublicWorksClient(FieldClient):
    field = "public_works"

    async def by_desa(self, token: str, wilayah: str, period: str) -> Answer:
        """Per desa: households and people surveyed, households without basic daily drinking
        water, practising open defecation (BABS) and without layak sanitation (by their latest
        survey by the period's end), and infrastructure issues open and overdue: a list of
        ``PublicWorksDesa`` rows as dicts."""
        answer = await self.upstream.get(
            "/v1/summary/by-desa", token, {"wilayah": wilayah, "period": period}
        )
        return self._read(answer, _public_works_rows, "its rows per desa")


class TrantibClient(FieldClient):
    field = "trantib"

    async def by_desa(self, token: str, wilayah: str, period: str) -> Answer:
        """Trantib's rows per desa of the field contract, as it answers them."""
        return await self.upstream.get(
            "/v1/summary/by-desa", token, {"wilayah": wilayah, "period": period}
        )

    async def emergencies(self, token: str, wilayah: str, period: str) -> Answer:
        """Fires that missed the response time and the emergencies with their households:
        a ``TrantibEmergencies``."""
        answer = await self.upstream.get(
            "/v1/emergencies", token, {"wilayah": wilayah, "period": period}
        )
        return self._read(answer, TrantibEmergencies.model_validate, "its emergencies")


CLIENTS: dict[SpmField, type[FieldClient]] = {
    "health": HealthClient,
    "education": EducationClient,
    "social": SocialClient,
    "housing": HousingClient,
    "public_works": PublicWorksClient,
    "trantib": TrantibClient,
}
