"""What a referral catalogue is made of (reasons with their subject and details, outcome and
rejection codes) and how a request is checked against one; the fields' catalogues themselves
are in ``catalogue``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from simpul_platform.domain import RuleViolation
from simpul_platform.indicators import SpmField

Subject = Literal["person", "household", "person_or_household"]
DetailKind = Literal["date", "int", "code"]


@dataclass(frozen=True)
class Detail:
    """One structured detail a reason takes: a date, a whole number in a range, or a code."""

    name: str
    kind: DetailKind
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Code:
    code: str
    label: str  # as the OPD's users say it


@dataclass(frozen=True)
class Reason(Code):
    subject: Subject = "person_or_household"
    details: tuple[Detail, ...] = ()
    # Opened by the target's own rule on another field's event, never typed by a user.
    automatic: bool = False


@dataclass(frozen=True)
class Catalogue:
    field: SpmField
    reasons: tuple[Reason, ...]
    outcomes: tuple[Code, ...]
    rejections: tuple[Code, ...] = ()

    def reason(self, code: str) -> Reason:
        for reason in self.reasons:
            if reason.code == code:
                return reason
        known = ", ".join(r.code for r in self.reasons if not r.automatic)
        raise RuleViolation(
            "reason_code", "unknown_reason", f"{self.field} takes no {code!r}; it takes {known}."
        )

    def outcome(self, code: str) -> Code:
        return _one(self.outcomes, code, "outcome_code", "unknown_outcome", self.field)

    def rejection(self, code: str) -> Code:
        return _one(self.rejections, code, "rejection_code", "unknown_rejection", self.field)


def _one(codes: Sequence[Code], code: str, where: str, rule: str, owner: str) -> Code:
    for candidate in codes:
        if candidate.code == code:
            return candidate
    known = ", ".join(c.code for c in codes)
    raise RuleViolation(where, rule, f"{owner} has no {code!r}; it has {known}.")


def check_request(
    catalogue: Catalogue,
    reason_code: str,
    *,
    person: bool,
    household: bool,
    details: Mapping[str, Any],
) -> Reason:
    """A user's request against its target's catalogue: a reason a user may give, the subject
    it needs, and its details (known names, the right kinds, the required ones given)."""
    reason = catalogue.reason(reason_code)
    if reason.automatic:
        raise RuleViolation(
            "reason_code",
            "automatic_reason",
            f"{reason_code} is opened by {catalogue.field}'s own rule, not requested.",
        )
    _check_subject(reason, person=person, household=household)
    _check_details(reason, details)
    return reason


def _check_subject(reason: Reason, *, person: bool, household: bool) -> None:
    needed = {
        "person": person,
        "household": household,
        "person_or_household": person or household,
    }[reason.subject]
    if not needed:
        what = reason.subject.replace("_", " ")
        raise RuleViolation("subject", "subject_required", f"{reason.code} needs a {what}.")


def _check_details(reason: Reason, details: Mapping[str, Any]) -> None:
    allowed = {d.name: d for d in reason.details}
    for name in details:
        if name not in allowed:
            raise RuleViolation(
                f"details.{name}", "unknown_detail", f"{reason.code} takes no detail {name!r}."
            )
    for detail in reason.details:
        value = details.get(detail.name)
        if value is None:
            if detail.required:
                raise RuleViolation(
                    f"details.{detail.name}",
                    "detail_required",
                    f"{reason.code} needs {detail.name}.",
                )
            continue
        _check_detail(detail, value)


def _check_detail(detail: Detail, value: Any) -> None:
    where = f"details.{detail.name}"
    if detail.kind == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError as exc:
            raise RuleViolation(where, "date_format", "A date is YYYY-MM-DD.") from exc
    elif detail.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleViolation(where, "int_type", "A whole number.")
        low = detail.minimum if detail.minimum is not None else value
        high = detail.maximum if detail.maximum is not None else value
        if not low <= value <= high:
            raise RuleViolation(where, "range", f"Between {detail.minimum} and {detail.maximum}.")
    elif value not in detail.choices:
        raise RuleViolation(where, "unknown_code", f"One of {', '.join(detail.choices)}.")


# The rules a request can break that JSON Schema cannot say: which reasons, subjects and details
# each target field takes, which fields take referrals, and how a step's date relates to the
# one before it (the OpenAPI fuzz tests count them as rules, not as refusals of valid data).
RELATION_RULES = frozenset(
    {
        "unknown_reason",
        "automatic_reason",
        "subject_required",
        "unknown_detail",
        "detail_required",
        "date_format",
        "int_type",
        "range",
        "unknown_code",
        "unknown_outcome",
        "unknown_rejection",
        "field_not_served",
        "own_field",
        "before_previous_step",
    }
)
