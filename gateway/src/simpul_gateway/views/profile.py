"""One posyandu's whole picture: identity, registration, staffing, every field, open cases and
open referrals between fields."""

from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request

from simpul_gateway.access import CrossFieldReader
from simpul_gateway.registry_client import posyandu_days
from simpul_gateway.schemas import CrossFieldCase, FieldSection, PosyanduProfile
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.upstream import Answer, Status
from simpul_gateway.upstreams import Upstreams, upstreams
from simpul_gateway.views.common import (
    caller_token,
    resolve_period,
    section,
    upstream_section,
)
from simpul_gateway.views.referrals import open_referrals, statuses
from simpul_platform.clock import local_today
from simpul_platform.errors import NotFound, ProblemError
from simpul_platform.indicators import SPM_FIELDS, OptionalPeriodQuery

router = APIRouter(prefix="/v1", tags=["views"])
# Registry ids are UUIDs; anything else cannot name a posyandu and must not reach an
# upstream URL (a "?", "/" or control character would change or break the upstream request).
POSYANDU_ID = {
    "min_length": 1,
    "max_length": 36,
    "pattern": r"^[0-9A-Za-z-]+$",
    "examples": ["3f1c2a9e-1111-4c7e-9a55-000000000001"],
}
PosyanduIdPath = Annotated[str, Path(**POSYANDU_ID)]


class UpstreamUnavailable(ProblemError):
    status = 503
    slug = "upstream-unavailable"
    title = "A service this view cannot do without did not answer"


@router.get(
    "/posyandu/{posyandu_id}/profile",
    response_model=PosyanduProfile,
    operation_id="getPosyanduProfile",
)
async def posyandu_profile(
    posyandu_id: PosyanduIdPath,
    request: Request,
    principal: CrossFieldReader,
    period: OptionalPeriodQuery = None,
) -> PosyanduProfile:
    """One posyandu across all six fields, with open cross-field cases and referrals and their
    due dates."""
    chosen = resolve_period(period)
    token, ups = caller_token(request), upstreams(request)
    segment = quote(posyandu_id, safe="")
    settings: GatewaySettings = request.app.state.settings
    # One gather: the view waits for its slowest service once, not once per kind of call.
    answers, days = await asyncio.gather(
        asyncio.gather(
            ups.registry.get(f"/v1/posyandu/{segment}", token),
            ups.registry.get(f"/v1/posyandu/{segment}/staffing", token),
            *(ups.fields[field].summary(token, posyandu_id, chosen.label) for field in SPM_FIELDS),
            *(ups.fields[field].referrals_of_posyandu(token, posyandu_id) for field in SPM_FIELDS),
        ),
        posyandu_days(ups.registry, token, posyandu_id, local_today(settings)),
    )
    identity, staffing, *per_field = answers
    require_identity(identity, posyandu_id)
    principal.require_wilayah(identity.data["desa_code"], hide=True)
    summaries, referrals = per_field[: len(SPM_FIELDS)], per_field[len(SPM_FIELDS) :]
    sections = [section(field, answer) for field, answer in zip(SPM_FIELDS, summaries, strict=True)]
    referral_answers = dict(zip(SPM_FIELDS, referrals, strict=True))
    return PosyanduProfile(
        posyandu=identity.data,
        staffing=upstream_section(staffing),
        fields=sections,
        open_cases=_open_cases(ups, sections),
        referrals=open_referrals(referral_answers),
        referrals_status=statuses(referral_answers),
        period=chosen.label,
        days=days,
    )


def require_identity(identity: Answer, posyandu_id: str) -> None:
    """The registry's answer for a posyandu, or 404 (not found, or outside the caller's
    wilayah: the registry hides it) or 503 (the registry did not answer)."""
    if identity.status in (Status.NOT_FOUND, Status.FORBIDDEN):
        raise NotFound(f"No posyandu {posyandu_id} in your wilayah.")
    if not identity.ok:
        raise UpstreamUnavailable(f"The registry did not answer: {identity.detail}")


def _open_cases(ups: Upstreams, sections: list[FieldSection]) -> list[CrossFieldCase]:
    cases = [
        case
        for part in sections
        if part.status is Status.OK and isinstance(part.data, dict)
        for case in ups.fields[part.field].open_cases(part.data)
    ]
    return sorted(cases, key=lambda c: (c.due_on is None, c.due_on))
