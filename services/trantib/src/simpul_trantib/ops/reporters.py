"""A public-order reporter's identity, sealed: AES-256-GCM under the deployment's key
(``reporter_key``, named on the row by ``reporter_key_id``), a fresh 12-byte nonce per row and
the report's id as associated data, so a sealed identity opens only as the identity of the
report it was sealed for. A rotated key stays readable through ``reporter_previous_keys``.

Opened for one person: the report's handler (a Satpol PP role whose subject is the report's
``handler``). Anyone else — another Satpol PP officer, DPMD, the kader who recorded it — is told
there is no such thing (404), whether or not there is one. Each opening is logged as an access
(the report and who), never with what it opened; nothing here logs or raises an identity.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.errors import Conflict, NotFound
from simpul_trantib.models import OrderReport, OrderReporter
from simpul_trantib.schemas.order import ReporterIn, ReporterOut
from simpul_trantib.settings import TrantibSettings

logger = logging.getLogger("simpul_trantib.reporters")

# The roles that work public order (``api.deps``: the field's OPD and its Satpol PP sub-role).
PUBLIC_ORDER_ROLES = ("opd:trantib", "opd:trantib:satpolpp")

NONCE_BYTES = 12
KEY_BYTES = 32


def _key(encoded: str) -> bytes:
    """A configured key as 32 bytes (a misconfigured one fails loudly, naming no key)."""
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("reporter key: not base64") from exc
    if len(raw) != KEY_BYTES:
        raise ValueError(f"reporter key: {len(raw)} bytes, AES-256 needs {KEY_BYTES}")
    return raw


def _key_named(settings: TrantibSettings, key_id: str) -> bytes | None:
    if key_id == settings.reporter_key_id:
        return _key(settings.reporter_key)
    previous = settings.reporter_previous_keys.get(key_id)
    return None if previous is None else _key(previous)


def _plaintext(reporter: ReporterIn) -> bytes:
    given = {k: v for k, v in reporter.model_dump().items() if v is not None}
    return json.dumps(given, sort_keys=True, separators=(",", ":")).encode()


def sealed(settings: TrantibSettings, report_id: str, reporter: ReporterIn) -> OrderReporter:
    """The row holding ``reporter`` sealed for ``report_id`` under the current key."""
    nonce = os.urandom(NONCE_BYTES)
    box = AESGCM(_key(settings.reporter_key))
    ciphertext = box.encrypt(nonce, _plaintext(reporter), report_id.encode())
    return OrderReporter(
        report_id=report_id,
        key_id=settings.reporter_key_id,
        nonce=nonce,
        ciphertext=ciphertext,
        sealed_at=now(),
    )


def seal(
    session: AsyncSession, settings: TrantibSettings, report_id: str, reporter: ReporterIn | None
) -> None:
    """Stage the sealed identity; an anonymous report (none, or every part empty) has no row."""
    if reporter is None or reporter.is_empty():
        return
    session.add(sealed(settings, report_id, reporter))


class Unopenable(Conflict):
    """The sealed row does not open with the key it names: its ciphertext, nonce or report were
    altered, or its key is no longer configured. A 409, never a 500: nothing is shown."""


def unseal(settings: TrantibSettings, row: OrderReporter) -> dict[str, Any]:
    """The identity in ``row``, or ``Unopenable``."""
    key = _key_named(settings, row.key_id)
    if key is None:
        logger.warning(
            "reporter key not configured", extra={"report_id": row.report_id, "key_id": row.key_id}
        )
        raise Unopenable(
            f"The reporter of report {row.report_id} was sealed with key {row.key_id}, which "
            "this deployment no longer holds (reporter_previous_keys).",
            key_id=row.key_id,
        )
    try:
        opened = AESGCM(key).decrypt(
            bytes(row.nonce), bytes(row.ciphertext), row.report_id.encode()
        )
    except InvalidTag as exc:
        logger.warning(
            "reporter seal refused", extra={"report_id": row.report_id, "key_id": row.key_id}
        )
        raise Unopenable(
            f"The reporter of report {row.report_id} does not open: the sealed row was altered.",
            key_id=row.key_id,
        ) from exc
    found: dict[str, Any] = json.loads(opened)
    return found


def is_handler(principal: Principal, report: OrderReport) -> bool:
    """The report's Satpol PP handler, in whose wilayah the report is."""
    return (
        report.handler is not None
        and principal.subject == report.handler
        and principal.has_any_role(*PUBLIC_ORDER_ROLES)
        and principal.can_see(report.desa_code)
    )


async def open_for(
    session: AsyncSession, settings: TrantibSettings, principal: Principal, report_id: str
) -> ReporterOut:
    """The report's reporter for its handler; for anyone else, and for a report that does not
    exist, the same 404 (whether a reporter was named is itself confidential)."""
    report = await session.get(OrderReport, report_id)
    if report is None or not is_handler(principal, report):
        raise NotFound(f"No reporter for report {report_id} you may see.")
    row = await session.get(OrderReporter, report_id)
    # Logged before opening, so a refused opening is on record as an attempt too.
    logger.info("reporter opened", extra={"report_id": report_id, "by": principal.subject})
    if row is None:
        return ReporterOut(report_id=report_id, anonymous=True)
    return ReporterOut(report_id=report_id, anonymous=False, **unseal(settings, row))
