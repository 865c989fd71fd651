"""What the Lokus, Rujukan and Kedaruratan pages share: the wilayah they are asked about, the
time a page or file is produced, and a file's heading."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi import Request
from fastapi.responses import Response

from simpul_gateway.dashboard.api import PageRefused
from simpul_gateway.dashboard.export import (
    ExportFormat,
    Heading,
    Table,
    export_response,
    export_table,
)
from simpul_gateway.dashboard.i18n import chosen_lang, labels
from simpul_platform.auth import NATIONWIDE
from simpul_platform.settings import ServiceSettings
from simpul_platform.wilayah import WILAYAH_PATTERN


def chosen_wilayah(asked: str | None, own: tuple[str, ...]) -> str | None:
    """The wilayah asked for (a malformed code is not found), else the user's first."""
    if asked and asked.strip():
        code = asked.strip()
        if not re.fullmatch(WILAYAH_PATTERN, code):
            raise PageRefused(404, code)
        return code
    return next((w for w in own if w != NATIONWIDE), None)


def chosen_period(asked: str | None) -> str | None:
    """A period label passed on to the API, which decides whether it is one; blank is none."""
    return asked.strip() if asked and asked.strip() else None


def now(request: Request) -> datetime:
    """The deployment's local time, to the second."""
    settings: ServiceSettings = request.app.state.settings
    return datetime.now(settings.zone).replace(microsecond=0)


def download(
    request: Request, table: Table, fmt: ExportFormat, wilayah: str, period: str, name: str
) -> Response:
    """``table`` as a file, headed by the wilayah, the period and the time it was produced."""
    t = labels(chosen_lang(request))
    heading = Heading(
        wilayah=wilayah,
        period=period,
        produced_at=now(request),
        labels=(t["export_wilayah"], t["export_period"], t["export_produced_at"]),
    )
    return export_response(export_table(table, heading, fmt), fmt, name)
