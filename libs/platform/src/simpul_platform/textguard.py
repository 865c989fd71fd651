"""Refuse the NUL character (U+0000) in a request before it reaches a route.

PostgreSQL text cannot hold U+0000: a string carrying it passes pydantic and then fails in
the database as a 500. No Simpul field has any use for it, so every service answers a 422
that names where it was (``path``, ``query.<name>`` or ``body.<location>``) instead.

A binary body (``image/*``, an Excel workbook, or a multipart form carrying a file) is bytes,
not text: NUL is an ordinary byte in it, so only its path and query are checked; the route that
reads it answers for any text it takes from it (``xlsx_body`` refuses a cell holding NUL).
(``application/octet-stream`` is still checked: a CSV import sent with that type must not slip
a NUL past the guard.)
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from simpul_platform.errors import FieldError, InvalidInput, problem_response
from simpul_platform.http import read_body, replay_body

RULE = "nul_character"
MESSAGE = "Text may not contain the NUL character (U+0000)."
_WITH_BODY = {"POST", "PUT", "PATCH"}
# xlsx_body.XLSX_MEDIA_TYPE, spelt out so that every service need not import openpyxl
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BINARY_BODIES = ("image/", "multipart/form-data", _XLSX)


class NulCharacterGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = _in_path_or_query(scope)
        line: int | None = None
        if where is None and scope["method"] in _WITH_BODY and not _binary(scope):
            body = await read_body(receive)
            if (at := body.find(b"\x00")) >= 0:  # a raw NUL (a CSV upload, say): which line
                where, line = "body", body.count(b"\n", 0, at) + 1
            elif b"\\u0000" in body:  # JSON's escape for U+0000
                where = _in_json(body)
            receive = replay_body(body)
        if where is None:
            await self.app(scope, receive, send)
            return
        problem = InvalidInput(
            MESSAGE, errors=[FieldError(field=where, rule=RULE, message=MESSAGE)]
        )
        if line is not None:
            problem.detail, problem.extra["line"] = f"Line {line}: {MESSAGE}", line
        await problem_response(422, problem.to_problem(scope["path"]))(scope, receive, send)


def _binary(scope: Scope) -> bool:
    headers: dict[bytes, bytes] = dict(scope.get("headers", ()))
    content_type = headers.get(b"content-type", b"").decode("latin-1").strip().lower()
    return content_type.startswith(_BINARY_BODIES)


def _in_path_or_query(scope: Scope) -> str | None:
    if "\x00" in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    if "%00" not in query and "\x00" not in query:
        return None
    for name, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return f"query.{name.replace(chr(0), '')}"
    return None


def _in_json(body: bytes) -> str | None:
    try:
        return _find(json.loads(body), "body")
    except (ValueError, RecursionError):
        return None  # not JSON, or nested too deep to read: the route's own parsing answers


def _find(value: Any, location: str) -> str | None:
    if isinstance(value, str):
        return location if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{location}.{key.replace(chr(0), '')}"
            if "\x00" in key:
                return child
            if (found := _find(item, child)) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _find(item, f"{location}[{index}]")) is not None:
                return found
    return None
