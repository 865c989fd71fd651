"""Query parameters and checks every view shares."""

from __future__ import annotations

from fastapi import Request

from simpul_gateway.schemas import FieldSection, UpstreamSection
from simpul_gateway.upstream import Answer
from simpul_platform.auth import bearer_token
from simpul_platform.errors import Unauthorized
from simpul_platform.indicators import Period, SpmField, period_from_query


def resolve_period(label: str | None) -> Period:
    return period_from_query(label)


def caller_token(request: Request) -> str:
    token = bearer_token(request)
    if token is None:  # the auth dependency already refused; this keeps the type honest
        raise Unauthorized()
    return token


def section(field: SpmField, answer: Answer) -> FieldSection:
    return FieldSection(field=field, **upstream_section(answer).model_dump())


def upstream_section(answer: Answer) -> UpstreamSection:
    return UpstreamSection(
        status=answer.status, data=answer.data if answer.ok else None, detail=answer.detail
    )
