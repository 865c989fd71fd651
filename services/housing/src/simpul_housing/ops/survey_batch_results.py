"""A survey batch's answer: each item's result (its classification, or the fields and rules it
broke, named ``body.items[i].…``) and the counts, in item order."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import RowMapping

from simpul_housing.schemas.batch import ItemStatus, SurveyBatchItemResult, SurveyBatchOut
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import FieldError, validation_errors


def schema_errors(exc: ValidationError, index: int) -> list[FieldError]:
    prefixed = [{**e, "loc": ("body", "items", index, *e["loc"])} for e in exc.errors()]
    return validation_errors(prefixed)


def result_of(
    index: int, status: ItemStatus, row: RowMapping | dict[str, Any]
) -> SurveyBatchItemResult:
    return SurveyBatchItemResult(
        index=index,
        status=status,
        house_id=row["house_id"],
        assessment_id=row["id"],
        rtlh_pupr=row["rtlh_pupr"],
        failed_pupr=list(row["failed_pupr"]),
        rtlh_rutilahu=row["rtlh_rutilahu"],
        failed_rutilahu=list(row["failed_rutilahu"]),
    )


def rule_error(index: int, rule: RuleViolation) -> SurveyBatchItemResult:
    return error(index, [FieldError(field=rule.field, rule=rule.rule, message=rule.message)])


def error(index: int, errors: list[FieldError]) -> SurveyBatchItemResult:
    return SurveyBatchItemResult(index=index, status="error", errors=errors)


def answer(results: list[SurveyBatchItemResult]) -> SurveyBatchOut:
    ordered = sorted(results, key=lambda r: r.index)
    count = {s: sum(r.status == s for r in ordered) for s in ("created", "assessed", "unchanged")}
    errors = sum(r.status == "error" for r in ordered)
    return SurveyBatchOut(**count, errors=errors, results=ordered)
