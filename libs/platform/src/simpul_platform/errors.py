"""RFC 9457 problem details for every error a service returns.

Every 4xx names what was wrong: validation errors carry an ``errors`` list of
``{field, rule, message}``; conflicts may name the allowed alternatives. A 500 never leaks
internals, and is logged with the request id so it can be found.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from simpul_platform.domain import RuleViolation, TransitionRefused

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:simpul:problem:"

logger = logging.getLogger("simpul.errors")


class FieldError(BaseModel):
    """One rule one field broke."""

    field: str = Field(examples=["body.items[3].weight_kg"])
    rule: str = Field(examples=["less_than_equal"])
    message: str = Field(examples=["Input should be less than or equal to 150"])


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=[f"{PROBLEM_TYPE_BASE}validation"])
    title: str = Field(examples=["Request validation failed"])
    status: int = Field(examples=[422])
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] = (),
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body = Problem(
            type=PROBLEM_TYPE_BASE + self.slug,
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            errors=self.errors,
        ).model_dump(exclude_none=True)
        body.update(self.extra)
        return body


class InvalidInput(ProblemError):
    """Input that parsed but broke a domain rule (a birth date in the future, say)."""

    status = 422
    slug = "validation"
    title = "Request validation failed"

    @classmethod
    def field(cls, field: str, rule: str, message: str) -> InvalidInput:
        return cls(message, errors=[FieldError(field=field, rule=rule, message=message)])


def rule_violation(violation: RuleViolation) -> InvalidInput:
    """The 422 problem of a broken domain rule, naming its field and rule."""
    return InvalidInput.field(violation.field, violation.rule, violation.message)


def transition_refused(refused: TransitionRefused) -> Conflict:
    """The 409 problem of a workflow step the current status does not allow."""
    return Conflict(str(refused), **refused.details())


class Unauthorized(ProblemError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extra)


class Forbidden(ProblemError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFound(ProblemError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(ProblemError):
    status = 409
    slug = "conflict"
    title = "Conflict with the current state"


class ContentTooLarge(ProblemError):
    status = 413
    slug = "content-too-large"
    title = "Request body too large"


class ServiceUnavailable(ProblemError):
    """Something this service needs is out of reach for now; the caller did nothing wrong."""

    status = 503
    slug = "unavailable"
    title = "Temporarily unavailable"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] = (),
        retry_after_s: int = 5,
        **extra: Any,
    ) -> None:
        super().__init__(
            detail, errors=errors, headers={"Retry-After": str(retry_after_s)}, **extra
        )


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _location(loc: Sequence[str | int]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts)


def validation_errors(raw: Sequence[Any]) -> list[FieldError]:
    """Pydantic's error list as field/rule pairs a client can act on."""
    return [
        FieldError(
            field=_location(err.get("loc", ())),
            rule=err.get("type", "invalid"),
            message=err.get("msg", "invalid value"),
        )
        for err in raw
    ]


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.status, exc.to_problem(request.url.path), exc.headers)


async def _on_rule_violation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RuleViolation)
    problem = rule_violation(exc)
    return problem_response(problem.status, problem.to_problem(request.url.path))


async def _on_transition_refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TransitionRefused)
    problem = transition_refused(exc)
    return problem_response(problem.status, problem.to_problem(request.url.path))


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problem = InvalidInput(
        "The request does not satisfy the schema; see errors.",
        errors=validation_errors(exc.errors()),
    )
    return problem_response(422, problem.to_problem(request.url.path))


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized"}.get(
        exc.status_code, "http-error"
    )
    body = Problem(
        type=PROBLEM_TYPE_BASE + slug,
        title=str(exc.detail),
        status=exc.status_code,
        instance=request.url.path,
    ).model_dump(exclude_none=True)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allow(request) or headers.get("Allow", "")
    return problem_response(exc.status_code, body, headers)


def _allow(request: Request) -> str:
    """Every method the path has: the router names only the first route that matched it."""
    from simpul_platform.openapi import allowed_methods  # openapi imports this module

    document = request.app.openapi() if hasattr(request.app, "openapi") else {}
    return ", ".join(allowed_methods(document, request.url.path))


async def _on_database_down(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable", extra={"path": request.url.path, "error": str(exc)})
    return problem_response(
        503, database_unavailable_problem(request.url.path), {"Retry-After": "5"}
    )


def database_unavailable_problem(instance: str | None) -> dict[str, Any]:
    return Problem(
        type=PROBLEM_TYPE_BASE + "unavailable",
        title="Temporarily unavailable",
        status=503,
        detail="The service's database cannot be reached; nothing was changed. Retry later.",
        instance=instance,
    ).model_dump(exclude_none=True)


async def _on_integrity(request: Request, exc: Exception) -> JSONResponse:
    # A service turns the conflicts it expects into named 409s; one that still reaches here
    # is a concurrent write that won a uniqueness race. Nothing of this request was kept.
    logger.warning("integrity conflict", extra={"path": request.url.path, "error": str(exc)})
    body = Problem(
        type=PROBLEM_TYPE_BASE + "conflict",
        title="Conflict with the current state",
        status=409,
        instance=request.url.path,
        detail="A concurrent request wrote the same record first; nothing of this request "
        "was kept. Read the current state, or retry.",
    ).model_dump(exclude_none=True)
    return problem_response(409, body)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", extra={"path": request.url.path})
    body = Problem(
        type=PROBLEM_TYPE_BASE + "internal",
        title="Internal error",
        status=500,
        detail="The error was logged; quote the X-Request-ID header when reporting it.",
        instance=request.url.path,
    ).model_dump(exclude_none=True)
    return problem_response(500, body)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RuleViolation, _on_rule_violation)
    app.add_exception_handler(TransitionRefused, _on_transition_refused)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(OperationalError, _on_database_down)
    app.add_exception_handler(InterfaceError, _on_database_down)
    # asyncpg raises the socket's own error when it cannot connect at all.
    app.add_exception_handler(ConnectionError, _on_database_down)
    app.add_exception_handler(Exception, _on_unexpected)
