"""A survey batch's answer: each item's result (its ladder levels, or the fields and rules it
broke, named ``body.items[i].…``) and the counts, in item order."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import RowMapping

from simpul_platform.domain import RuleViolation
from simpul_platform.errors import FieldError, validation_errors
from simpul_public_works.schemas.batches import ItemStatus, SurveyBatchItemResult, SurveyBatchOut


def result_of(
    index: int, status: ItemStatus, row: RowMapping | dict[str, Any]
) -> SurveyBatchItemResult:
    return SurveyBatchItemResult(
        index=index,
        status=status,
        household_id=row["household_id"],
        survey_id=row["id"],
        water_level=row["water_level"],
        water_rule=row["water_rule"],
        sanitation_level=row["sanitation_level"],
        sanitation_rule=row["sanitation_rule"],
        basic_water=row["basic_water"],
        basic_water_failed=list(row["basic_water_failed"]),
        wastewater_service=row["wastewater_service"],
    )


def rule_error(index: int, rule: RuleViolation) -> SurveyBatchItemResult:
    return _error(index, [FieldError(field=rule.field, rule=rule.rule, message=rule.message)])


def error(index: int, exc: ValidationError) -> SurveyBatchItemResult:
    """An item the schema refused, its fields named under ``body.items[index]``."""
    prefixed = [{**e, "loc": ("body", "items", index, *e["loc"])} for e in exc.errors()]
    return _error(index, validation_errors(prefixed))


def _error(index: int, errors: list[FieldError]) -> SurveyBatchItemResult:
    return SurveyBatchItemResult(index=index, status="error", errors=errors)


def answer(results: list[SurveyBatchItemResult]) -> SurveyBatchOut:
    ordered = sorted(results, key=lambda r: r.index)
    count = {s: sum(r.status == s for r in ordered) for s in ("created", "recorded", "unchanged")}
    errors = sum(r.status == "error" for r in ordered)
    return SurveyBatchOut(**count, errors=errors, results=ordered)
