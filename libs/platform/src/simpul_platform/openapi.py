"""The OpenAPI document tells the truth: every problem a route can answer, and links from a
creation to its reads.

A client generator and a stateful fuzzer read the document, not the code, so what the
platform makes every route answer is written into it once, here, from what the route has:

- a bearer-token dependency: 401 (no or bad token), 403 (role or wilayah), 503 (the identity
  provider's keys or the service's database out of reach), and the ``bearer`` security scheme;
- path parameters: 404;
- any parameter or a body: 422 (the schema, a domain rule, the NUL guard);
- a body: 400 (not readable: JSON that is not UTF-8, a broken form), 413 (too large) and 415
  (not a media type the route reads);
- a write on a service with a database: 409 (a concurrent write won a uniqueness race); a POST
  also takes the optional ``Idempotency-Key`` header, whose misuse is a 422 and whose twin
  still in flight is a 409.

A route adds what only it knows with ``responses=problems(409)`` (a workflow refusal, say),
and a creation route links to the operations that read what it made with
``responses=links("getPosyandu", posyandu_id="$response.body#/id")``. A POST answering 201
also gets links by convention to every operation under its own path that takes one more
path parameter, filled from the created body's field of that name or its ``id``.

Every error response is the one shared ``Problem`` component in ``application/problem+json``.
No text anywhere may hold U+0000 (``textguard`` refuses it: PostgreSQL cannot store it), so
every free string and every object's property names say so with a pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from pydantic.json_schema import models_json_schema

from simpul_platform.errors import PROBLEM_MEDIA_TYPE, Problem

IDEMPOTENCY_HEADER = "Idempotency-Key"
SCHEMA_REF = "#/components/schemas/{model}"
PROBLEM_REF = {"$ref": SCHEMA_REF.format(model="Problem")}
BEARER_SCHEME = "bearer"
ANY_JSON = "JsonWithoutNul"
NO_NUL = {"pattern": "^[^\\u0000]*$"}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_WRITES = ("POST", "PUT", "PATCH", "DELETE")
# A string with one of these is already narrower than "any text".
_CONSTRAINED = ("pattern", "enum", "const", "format")
_BEARER_MARK = "__simpul_bearer__"

STATUS_TEXT: dict[int, str] = {
    400: "The body could not be read as the declared form",
    401: "Missing or invalid bearer token",
    403: "Role or wilayah does not allow this",
    404: "No such resource in your wilayah",
    405: "Method not allowed",
    409: "Conflicts with the current state; the problem names what is allowed",
    413: "The body is larger than this service accepts",
    415: "The body's media type is not one this route reads",
    422: "Invalid input: each error names the field and the rule",
    429: "Too many requests; retry after the Retry-After header",
    500: "Internal error, logged with the request id",
    503: "Something this service needs is out of reach; retry after the Retry-After header",
}

F = TypeVar("F", bound=Callable[..., Any])
Responses = dict[int | str, dict[str, Any]]


def bearer_auth(dependency: F) -> F:
    """Mark a dependency as checking the caller's bearer token, so every route that depends
    on it (directly or through another dependency) is documented with 401, 403 and 503."""
    setattr(dependency, _BEARER_MARK, True)
    return dependency


def problems(*statuses: int) -> Responses:
    """``responses=`` for a route decorator: problem statuses only this route knows it gives."""
    return {status: {"description": STATUS_TEXT.get(status, "Problem")} for status in statuses}


def links(operation_id: str, *, status: int = 201, **parameters: str) -> Responses:
    """``responses=`` for a creation route: an OpenAPI link from its ``status`` response to the
    operation that reads what it made, each parameter a runtime expression
    (``"$response.body#/id"``)."""
    link = {"operationId": operation_id, "parameters": parameters}
    return {status: {"links": {operation_id: link}}}


def install_openapi(app: FastAPI, *, stateful: bool) -> None:
    """Make ``app.openapi()`` document what the platform answers on every route."""

    generate = app.openapi  # FastAPI's own, which caches what it returns

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(generate(), app.routes, stateful=stateful)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe(document: dict[str, Any], routes: Iterable[Any], *, stateful: bool) -> dict[str, Any]:
    """Add the derived problems, the security scheme and the links to a generated document."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(_problem_schemas())
    for route in _routes(routes):
        dependant = getattr(route, "dependant", None)
        if not isinstance(dependant, Dependant) or not getattr(route, "include_in_schema", False):
            continue
        for method in route.methods or ():
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _describe_operation(operation, dependant, method, stateful=stateful)
    if _uses_bearer(document):
        components.setdefault("securitySchemes", {})[BEARER_SCHEME] = {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
        }
    _link_creations(document)
    _forbid_nul(document)
    schemas[ANY_JSON] = _json_without_nul()
    for name in ("HTTPValidationError", "ValidationError"):
        if not _referenced(document, name):
            schemas.pop(name, None)
    return document


def _routes(routes: Iterable[Any]) -> Iterator[Any]:
    """Every route with its full path, through included routers (FastAPI keeps those nested
    since 0.16x; ``iter_route_contexts`` flattens them)."""
    flatten = getattr(routing, "iter_route_contexts", None)
    yield from flatten(list(routes)) if flatten is not None else routes


def _problem_schemas() -> dict[str, Any]:
    _, top = models_json_schema([(Problem, "serialization")], ref_template=SCHEMA_REF)
    defs: dict[str, Any] = top.get("$defs", {})
    return defs


def _describe_operation(
    operation: dict[str, Any], dependant: Dependant, method: str, *, stateful: bool
) -> None:
    statuses: set[int] = set()
    if _needs_bearer(dependant):
        statuses |= {401, 403, 503}
        operation.setdefault("security", [{BEARER_SCHEME: []}])
    if dependant.path_params:
        statuses.add(404)
    body = operation.get("requestBody")
    if body is not None:
        statuses |= {400, 413, 415, 422}
    if operation.get("parameters"):
        statuses.add(422)
    if stateful and method in _WRITES:
        statuses.add(409)  # a uniqueness race lost to a concurrent write (errors._on_integrity)
    if stateful and method == "POST":
        statuses |= {409, 422}
        _add_idempotency_header(operation)
    responses = operation.setdefault("responses", {})
    for status in statuses:
        responses.setdefault(str(status), {"description": STATUS_TEXT[status]})
    for status, response in responses.items():
        if status[:1] in ("4", "5") and _plain_error(response):
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": dict(PROBLEM_REF)}}


def _plain_error(response: dict[str, Any]) -> bool:
    """An error response without its own body schema (or FastAPI's default 422): the problem."""
    content = response.get("content")
    if not content:
        return True
    if PROBLEM_MEDIA_TYPE in content:
        return False
    schemas = [media.get("schema", {}) for media in content.values()]
    return all(not s or s.get("$ref", "").endswith("/HTTPValidationError") for s in schemas)


def _needs_bearer(dependant: Dependant) -> bool:
    if getattr(dependant.call, _BEARER_MARK, False):
        return True
    return any(_needs_bearer(sub) for sub in dependant.dependencies)


def _uses_bearer(document: dict[str, Any]) -> bool:
    return any("security" in op for op in _operations(document))


def _add_idempotency_header(operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    if any(p.get("name", "").lower() == IDEMPOTENCY_HEADER.lower() for p in parameters):
        return
    parameters.append(
        {
            "name": IDEMPOTENCY_HEADER,
            "in": "header",
            "required": False,
            "description": "A retry with the same key and body gets the first response, never "
            "a second effect; the same key with another body is a 422.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[ -~]+$"},
        }
    )


def allowed_methods(document: dict[str, Any], path: str) -> list[str]:
    """The methods the document lists for every path template ``path`` matches (a 405's
    ``Allow``), or none when no documented path matches."""
    methods = {
        method.upper()
        for template, item in document.get("paths", {}).items()
        if _template_pattern(template).fullmatch(path)
        for method in item
        if method in _METHODS
    }
    return sorted(methods)


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


def _operations(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method in _METHODS:
                yield operation


def _referenced(document: dict[str, Any], name: str) -> bool:
    target = SCHEMA_REF.format(model=name)
    stack: list[Any] = [document.get("paths", {}), document.get("components", {})]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("$ref") == target:
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _json_without_nul() -> dict[str, Any]:
    """Any JSON value holding no U+0000: what an object's undeclared properties may be."""
    itself = {"$ref": SCHEMA_REF.format(model=ANY_JSON)}
    return {
        "description": "Any JSON value without U+0000 in a string or a property name",
        "anyOf": [
            {"type": "string", **NO_NUL},
            {"type": "number"},
            {"type": "boolean"},
            {"type": "null"},
            {"type": "array", "items": itself},
            {"type": "object", "propertyNames": dict(NO_NUL), "additionalProperties": itself},
        ],
    }


def _forbid_nul(node: Any) -> None:
    """Say on every free string, and on every object's property names and undeclared
    properties, that U+0000 is refused."""
    if isinstance(node, list):
        for item in node:
            _forbid_nul(item)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "string" in kinds and not any(key in node for key in _CONSTRAINED):
        node.update(NO_NUL)
    if "object" in kinds or "properties" in node or "additionalProperties" in node:
        node.setdefault("propertyNames", dict(NO_NUL))
        if node.get("additionalProperties", True) is True:
            node["additionalProperties"] = {"$ref": SCHEMA_REF.format(model=ANY_JSON)}
    for key, value in node.items():
        if key != "propertyNames":
            _forbid_nul(value)


def _link_creations(document: dict[str, Any]) -> None:
    """Link each POST answering 201 to the operations under its path that take one more path
    parameter: ``POST /v1/x`` → ``GET /v1/x/{x_id}``, ``POST /v1/x/{x_id}/submit`` ...; the new
    parameter comes from the created body, the parent's own from the creating request."""
    paths: dict[str, Any] = document.get("paths", {})
    schemas = document.get("components", {}).get("schemas", {})
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None:
            continue
        fields = _body_fields(created, schemas)
        for target_path, target_item in paths.items():
            parameter = _child_parameter(path, target_path)
            source = _source_field(parameter, fields)
            if parameter is None or source is None:
                continue
            inherited = {name: f"$request.path.{name}" for name in _path_names(path)}
            values = {**inherited, parameter: f"$response.body#/{source}"}
            for operation in target_item.values():
                operation_id = operation.get("operationId") if isinstance(operation, dict) else None
                if operation_id is not None and _path_parameters(operation) == set(values):
                    link = {"operationId": operation_id, "parameters": values}
                    created.setdefault("links", {}).setdefault(operation_id, link)


def _child_parameter(parent: str, child: str) -> str | None:
    """``x_id`` when ``child`` is ``parent/{x_id}`` or ``parent/{x_id}/...``."""
    prefix = parent.rstrip("/") + "/{"
    if not child.startswith(prefix):
        return None
    name, closing, _ = child[len(prefix) :].partition("}")
    return name if closing else None


def _source_field(parameter: str | None, fields: set[str]) -> str | None:
    """The created body's field naming the new record: the parameter's own name, or ``id``."""
    if parameter in fields:
        return parameter
    return "id" if "id" in fields else None


def _path_names(template: str) -> list[str]:
    return re.findall(r"\{([^}:]+)", template)


def _path_parameters(operation: dict[str, Any]) -> set[str]:
    return {p.get("name", "") for p in operation.get("parameters", []) if p.get("in") == "path"}


def _body_fields(response: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref:
        schema = schemas.get(ref.rsplit("/", 1)[-1], {})
    return set(schema.get("properties", {}))
