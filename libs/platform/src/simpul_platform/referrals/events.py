"""Referral events, the same shape from every field (DESIGN.md, "Referrals").

The source publishes ``<source>.referral.requested.v1`` on its own topic, naming the target;
the target publishes ``<target>.referral.accepted|rejected|resolved.v1`` on its own. An event
type names its field, so each field has its own classes of one shape, made here once per field
(``published_by``) with the consumer's views beside them (``requested_views``,
``answer_views``). Subjects travel as ``person_ref`` / ``household_ref``; notes, NIK and No. KK
never do, and details are codes, dates and numbers from the target's catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import Field, StrictInt, StringConstraints

from simpul_platform.events import EventPayload, TolerantPayload
from simpul_platform.referrals.catalogue import CATALOGUES

_REF = Annotated[str, StringConstraints(min_length=1, max_length=64)]
_CODE = Annotated[str, StringConstraints(min_length=1, max_length=40)]
_DESA = Annotated[str, StringConstraints(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")]


def field_topic(field: str) -> str:
    """A field service's topic: ``simpul.<field>.v1`` (``public_works`` as ``public-works``)."""
    return f"simpul.{field.replace('_', '-')}.v1"


class ReferralRequested(EventPayload):
    """A field referred a person or household of a posyandu to another field."""

    referral_id: str
    source_field: str
    target_field: str
    posyandu_id: str
    desa_code: str
    reason_code: str
    details: dict[str, str | int]
    person_ref: str | None
    household_ref: str | None
    requested_on: date
    due_on: date = Field(description="the source's reckoning; the target's answers carry its own")


class ReferralAnswered(EventPayload):
    """The target field took a step on a referral it owns."""

    referral_id: str
    source_field: str
    target_field: str
    posyandu_id: str
    desa_code: str
    reason_code: str
    automatic: bool
    status: str
    step_on: date
    requested_on: date
    due_on: date
    case_ref: str | None = None
    rejection_code: str | None = None
    outcome_code: str | None = None
    resolved_on_time: bool | None = None


class RequestedView(TolerantPayload):
    """A target's view of ``<source>.referral.requested.v1``."""

    referral_id: _REF
    source_field: _CODE
    target_field: _CODE
    posyandu_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    desa_code: _DESA
    reason_code: _CODE
    details: dict[_CODE, StrictInt | _CODE] = Field(default_factory=dict, max_length=10)
    person_ref: _REF | None = None
    household_ref: _REF | None = None
    requested_on: date


class AnswerView(TolerantPayload):
    """A source's view of ``<target>.referral.accepted|rejected|resolved.v1``."""

    referral_id: _REF
    source_field: _CODE
    target_field: _CODE
    status: _CODE
    step_on: date
    due_on: date
    case_ref: _REF | None = None
    rejection_code: _CODE | None = None
    outcome_code: _CODE | None = None


ANSWERS = ("accepted", "rejected", "resolved")
P = TypeVar("P", ReferralRequested, ReferralAnswered, RequestedView, AnswerView)


@cache
def _of(base: type[P], field: str, verb: str) -> type[P]:
    name = f"{field.title().replace('_', '')}Referral{verb.title()}{base.__name__}"
    namespace: dict[str, Any] = {
        "event_type": f"{field}.referral.{verb}.v1",
        "topic": field_topic(field),
        "__module__": __name__,
        "__doc__": f"{base.__doc__} ({field})",
    }
    if issubclass(base, EventPayload):
        namespace["example"] = _example(field, verb)
    return type(name, (base,), namespace)


def _example(field: str, verb: str) -> dict[str, Any]:
    """A payload as it travels, between ``field`` and the first other served field (health's
    and social's with each other): the target's first reason a user may give, with the
    subject it needs, and its first outcome."""
    other = next(f for f in ("social", "health", *CATALOGUES) if f != field)
    source, target = (field, other) if verb == "requested" else (other, field)
    catalogue = CATALOGUES[target]
    reason = next(r for r in catalogue.reasons if not r.automatic)
    household = reason.subject == "household"
    common = {
        "referral_id": "5b0c7d2e-3f41-4a8b-9c6d-1e2f3a4b5c6d",
        "source_field": source,
        "target_field": target,
        "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
        "desa_code": "64.02.06.2001",
        "reason_code": reason.code,
    }
    if verb == "requested":
        return common | {
            "details": {},
            "person_ref": None if household else "9" * 64,
            "household_ref": "a" * 64 if household else None,
            "requested_on": "2026-03-16",
            "due_on": "2026-03-31",
        }
    return common | {
        "automatic": False,
        "status": verb,
        "step_on": "2026-03-24",
        "requested_on": "2026-03-16",
        "due_on": "2026-03-31",
        "case_ref": None,
        "rejection_code": catalogue.rejections[1].code if verb == "rejected" else None,
        "outcome_code": catalogue.outcomes[0].code if verb == "resolved" else None,
        "resolved_on_time": True if verb == "resolved" else None,
    }


@dataclass(frozen=True)
class FieldReferralEvents:
    """The referral events one field publishes."""

    requested: type[ReferralRequested]
    accepted: type[ReferralAnswered]
    rejected: type[ReferralAnswered]
    resolved: type[ReferralAnswered]

    def answer(self, status: str) -> type[ReferralAnswered]:
        return {"accepted": self.accepted, "rejected": self.rejected, "resolved": self.resolved}[
            status
        ]

    def all(self) -> list[type[EventPayload]]:
        return [self.requested, self.accepted, self.rejected, self.resolved]


def published_by(field: str) -> FieldReferralEvents:
    """The referral event classes of ``field`` (for its PUBLISHED list and its publishes)."""
    return FieldReferralEvents(
        _of(ReferralRequested, field, "requested"),
        *(_of(ReferralAnswered, field, verb) for verb in ANSWERS),
    )


def other_fields(field: str) -> list[str]:
    """The fields with a referral service, other than ``field``: whom it hears from."""
    return [other for other in CATALOGUES if other != field]


def requested_views(field: str) -> list[type[RequestedView]]:
    """Views of the requests every other served field publishes (each may address ``field``)."""
    return [_of(RequestedView, other, "requested") for other in other_fields(field)]


def answer_views(field: str) -> list[type[AnswerView]]:
    """Views of the answers every other served field publishes (each may answer ``field``)."""
    return [_of(AnswerView, other, verb) for other in other_fields(field) for verb in ANSWERS]
