"""Cross-field referrals (rujukan) by OPD and by kecamatan, desa or posyandu: how many are open,
overdue beyond their due date, rejected and resolved, and which overdue ones wait longest.

Each field answers for the referrals it owns as target (its incoming summary), so the sum of
their answers counts every referral once, under the OPD that owes it. A field that takes no
referrals (no catalogue) or has no service holds none: it is ``not_available`` and the totals
are still complete. One that does not answer leaves them incomplete (``complete`` false).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request

from simpul_gateway.access import CrossFieldReader
from simpul_gateway.schemas import (
    CountName,
    FieldStatus,
    OpenReferral,
    ReferralFieldRow,
    ReferralGroupRow,
    ReferralOverview,
)
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.upstream import Answer, Status
from simpul_gateway.upstreams import upstreams
from simpul_gateway.views.common import caller_token
from simpul_platform.clock import local_today
from simpul_platform.indicators import SPM_FIELDS, SpmField
from simpul_platform.referrals.domain import OPEN
from simpul_platform.referrals.schemas import Group, ReferralBrief, ReferralCounts, ReferralSummary
from simpul_platform.wilayah import RequiredWilayahQuery, level

router = APIRouter(prefix="/v1", tags=["views"])

# Each field sends its own longest overdue and its oldest open up to this many, so the first
# ones of each merge are exactly the longest overdue (oldest open) of all fields together.
OVERDUE_LIMIT = 200
COUNTS: tuple[str, ...] = tuple(ReferralCounts.model_fields)
# Counts of referrals that no longer wait: the overdue and open lists have nothing to show.
CLOSED: frozenset[CountName] = frozenset({"resolved", "rejected", "resolved_on_time"})

StatusQuery = Annotated[
    CountName | None,
    Query(
        description="Narrow the groups to those with any of this count, most first, and show "
        "the overdue and open lists only for open or overdue (resolved and rejected ones wait no "
        "more). "
        "Without it: every group by code, all counts, both lists.",
        examples=["overdue"],
    ),
]
FieldQuery = Annotated[
    SpmField | None, Query(description="Only this target field (OPD)", examples=["social"])
]
GroupQuery = Annotated[
    Group | None,
    Query(
        description="Count per kecamatan, desa or posyandu; kecamatan for a provinsi or "
        "kabupaten, posyandu for a kecamatan or desa",
        examples=["kecamatan"],
    ),
]


@router.get("/referrals", response_model=ReferralOverview, operation_id="getReferrals")
async def referrals(
    request: Request,
    principal: CrossFieldReader,
    wilayah: RequiredWilayahQuery,
    status: StatusQuery = None,
    field: FieldQuery = None,
    group: GroupQuery = None,
) -> ReferralOverview:
    """Referrals per target field (OPD) and per kecamatan, desa or posyandu, with the overdue
    ones across fields, longest overdue first, and the open ones, oldest first."""
    principal.require_wilayah(wilayah)
    chosen = group or default_group(wilayah)
    fields = (field,) if field else SPM_FIELDS
    token, ups = caller_token(request), upstreams(request)
    answers = await asyncio.gather(
        *(ups.fields[f].referral_summary(token, wilayah, chosen, OVERDUE_LIMIT) for f in fields)
    )
    settings: GatewaySettings = request.app.state.settings
    return overview(
        wilayah,
        chosen,
        dict(zip(fields, answers, strict=True)),
        as_of=local_today(settings),
        status=status,
        field=field,
    )


def default_group(wilayah: str) -> Group:
    """Kecamatan above a kecamatan; within one, its posyandu (the drill-down)."""
    return "kecamatan" if level(wilayah) <= 2 else "posyandu"


def overview(
    wilayah: str,
    group: Group,
    answers: dict[SpmField, Answer],
    *,
    as_of: date,
    status: CountName | None = None,
    field: SpmField | None = None,
) -> ReferralOverview:
    """The view from each target field's answer (``data`` a ``ReferralSummary`` when ok)."""
    summaries: dict[SpmField, ReferralSummary] = {f: a.data for f, a in answers.items() if a.ok}

    def href(code: str) -> str:
        return drill_down(group, code, status=status, field=field)

    return ReferralOverview(
        wilayah=wilayah,
        as_of=as_of,
        group=group,
        status=status,
        field=field,
        complete=all(a.ok or a.status is Status.NOT_AVAILABLE for a in answers.values()),
        totals=add_counts(s.totals for s in summaries.values()),
        by_field=[field_row(f, answers[f]) for f in SPM_FIELDS if f in answers],
        by_group=select(groups(summaries, href), status),
        overdue=[] if status in CLOSED else overdue(summaries.values(), OVERDUE_LIMIT),
        oldest_open=[] if status in CLOSED else oldest_open(summaries.values(), OVERDUE_LIMIT),
    )


def field_row(field: SpmField, answer: Answer) -> ReferralFieldRow:
    if not answer.ok:
        return ReferralFieldRow(field=field, status=answer.status, detail=answer.detail)
    summary: ReferralSummary = answer.data
    return ReferralFieldRow(
        field=field,
        status=answer.status,
        detail=answer.detail,
        counts=counts_of(summary.totals),
        by_source_field={k: counts_of(v) for k, v in summary.by_other_field.items()},
    )


def groups(
    summaries: dict[SpmField, ReferralSummary], href: Callable[[str], str]
) -> list[ReferralGroupRow]:
    """One row per group code any field reported, its counts summed over the fields."""
    per_code: dict[str, dict[str, ReferralCounts]] = {}
    for field in (f for f in SPM_FIELDS if f in summaries):
        for row in summaries[field].groups:
            per_code.setdefault(row.code, {})[field] = counts_of(row)
    return [
        ReferralGroupRow(
            code=code, counts=add_counts(by_field.values()), by_field=by_field, href=href(code)
        )
        for code, by_field in per_code.items()
    ]


def select(rows: list[ReferralGroupRow], status: CountName | None) -> list[ReferralGroupRow]:
    """With a status, the groups that have any of it, most first; without, all by code."""
    if status is None:
        return sorted(rows, key=lambda row: row.code)
    kept = [row for row in rows if getattr(row.counts, status) > 0]
    return sorted(kept, key=lambda row: (-getattr(row.counts, status), row.code))


def overdue(summaries: Iterable[ReferralSummary], limit: int) -> list[OpenReferral]:
    """The fields' overdue referrals merged, longest overdue (earliest due) first."""
    briefs = distinct(brief for summary in summaries for brief in summary.overdue)
    return [open_referral(brief) for brief in by_due_date(briefs)[:limit]]


def oldest_open(summaries: Iterable[ReferralSummary], limit: int) -> list[OpenReferral]:
    """The fields' open referrals merged, the earliest requested first, in the services' own
    order (requested date, then id), so the first ``limit`` are the oldest of all fields."""
    briefs = distinct(brief for summary in summaries for brief in summary.oldest_open)
    ordered = sorted(briefs, key=lambda b: (b.requested_on, b.id))
    return [open_referral(brief) for brief in ordered[:limit]]


def open_referrals(answers: dict[SpmField, Answer]) -> list[OpenReferral]:
    """A posyandu's open referrals from every field that answered (``data`` a list of
    ``ReferralBrief``), each once, earliest due first."""
    briefs = distinct(brief for answer in answers.values() if answer.ok for brief in answer.data)
    return [open_referral(b) for b in by_due_date(briefs) if b.status in OPEN]


def statuses(answers: dict[SpmField, Answer]) -> list[FieldStatus]:
    return [
        FieldStatus(field=f, status=answers[f].status, detail=answers[f].detail)
        for f in SPM_FIELDS
        if f in answers
    ]


def distinct(briefs: Iterable[ReferralBrief]) -> list[ReferralBrief]:
    """One row per referral. Where both sides sent theirs, the target's (incoming) row wins:
    the target owns the referral, and the source's copy may lag its latest step."""
    by_id: dict[str, ReferralBrief] = {}
    for brief in briefs:
        kept = by_id.get(brief.id)
        if kept is None or (kept.direction == "outgoing" and brief.direction == "incoming"):
            by_id[brief.id] = brief
    return list(by_id.values())


def by_due_date(briefs: Iterable[ReferralBrief]) -> list[ReferralBrief]:
    return sorted(briefs, key=lambda b: (b.due_on, b.requested_on, b.id))


def open_referral(brief: ReferralBrief) -> OpenReferral:
    # Only OpenReferral's fields pass: what the gateway shows is decided by its own model,
    # never by what a service adds to its brief.
    return OpenReferral.model_validate(brief.model_dump(include=set(OpenReferral.model_fields)))


def counts_of(counts: ReferralCounts) -> ReferralCounts:
    """The counts alone (a ``ReferralGroup`` is counts with a code)."""
    return ReferralCounts.model_validate(counts.model_dump(include=set(COUNTS)))


def add_counts(parts: Iterable[ReferralCounts]) -> ReferralCounts:
    total = dict.fromkeys(COUNTS, 0)
    for part in parts:
        for key in COUNTS:
            total[key] += getattr(part, key)
    return ReferralCounts.model_validate(total)


def drill_down(group: Group, code: str, *, status: CountName | None, field: SpmField | None) -> str:
    """A kecamatan or desa row opens the same view over its posyandu, keeping the filters; a
    posyandu row opens the posyandu's profile, which lists its referrals."""
    if group == "posyandu":
        return f"/v1/posyandu/{quote(code, safe='')}/profile"
    query = {"wilayah": code, "group": "posyandu", "status": status, "field": field}
    return "/v1/referrals?" + urlencode({k: v for k, v in query.items() if v is not None})
