"""Calls the public-order tests share: a report opened, a step taken, a reporter named, and
the whole of what reached the trantib topic."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from trantib_testkit import RAPAK_LAMBUR, Trantib

from simpul_platform.events import new_id
from simpul_platform.referrals.events import requested_views
from simpul_platform.testing.kafka_reader import read_topic
from simpul_platform.testing.polling import eventually
from simpul_trantib.events import TOPIC

# A reporter nobody but the report's handler may ever see: each part distinctive enough that
# finding it anywhere is a leak, never a coincidence.
NAME = "Siti Rahmawati Zulaikha"
PHONE = "081298765432"
NIK = "6402064507900003"  # Kutai Kartanegara, a woman born 5 July 1990
ADDRESS = "Jl. Kenari Gang Melati No. 17 RT 04"
REPORTER = {"name": NAME, "phone": PHONE, "nik": NIK, "address": ADDRESS}
IDENTITY = (NAME, PHONE, NIK, ADDRESS)

HANDLER = "satpolpp-handler"


def handler_headers(tr: Trantib) -> dict[str, str]:
    """The Satpol PP officer a report is verified to."""
    return tr.auth(["opd:trantib:satpolpp"], ["64.02"], sub=HANDLER)


def leaks(text: str | bytes) -> list[str]:
    """The parts of the identity found in ``text``."""
    found = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    return [part for part in IDENTITY if part.lower() in found.lower()]


def report_body(posyandu: str, **overrides: Any) -> dict[str, Any]:
    return {
        "posyandu_id": posyandu,
        "category": "keributan",
        "place": "Pasar Rapak Lambur, los ikan",
        "latitude": -0.4203,
        "longitude": 116.9871,
        "occurred_at": "2026-03-01T22:30:00+08:00",
        "reported_on": "2026-03-02",
        **overrides,
    }


async def open_report(
    tr: Trantib, posyandu: str, headers: dict[str, str] | None = None, **overrides: Any
) -> httpx.Response:
    body = report_body(posyandu, **overrides)
    return await tr.client.post("/v1/order-reports", json=body, headers=headers or tr.kader)


async def step(
    tr: Trantib, report_id: str, action: str, headers: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    return await tr.client.post(
        f"/v1/order-reports/{report_id}/{action}", json=body, headers=headers or tr.satpolpp
    )


async def worked(tr: Trantib, report_id: str) -> dict[str, Any]:
    """Verified to ``HANDLER``, handled by mediation, its 12 affected citizens served, closed."""
    for action, body in [
        ("verify", {"handler": HANDLER, "verified_on": "2026-03-03"}),
        ("handle", {"handling": "mediasi", "affected_citizens": 12, "handled_on": "2026-03-04"}),
        ("serve", {"citizens_served": 12, "served_on": "2026-03-05"}),
        ("close", {"closed_on": "2026-03-06"}),
    ]:
        taken = await step(tr, report_id, action, **body)
        assert taken.status_code == 200, taken.text
    closed: dict[str, Any] = taken.json()
    return closed


async def topic_records(tr: Trantib, expected: int) -> list[Any]:
    """Every record on the trantib topic (key, value, headers), once ``expected`` arrived."""
    records = await read_topic(
        tr.settings.kafka_bootstrap_servers, tr.settings.topic(TOPIC), expected=expected
    )
    assert len(records) >= expected, [r.headers for r in records]
    return records


def record_bytes(record: Any) -> bytes:
    """A Kafka record as one byte string: its key, value and every header."""
    headers = b"".join(k.encode() + b"=" + (v or b"") for k, v in record.headers)
    return (record.key or b"") + b"|" + (record.value or b"") + b"|" + headers


async def referred(tr: Trantib, posyandu: str, **details: Any) -> dict[str, Any]:
    """A ``disturbance_report`` social's kader referred to trantib, once received."""
    view = next(v for v in requested_views("trantib") if v.event_type.startswith("social."))
    request = view(
        referral_id=new_id(),
        source_field="social",
        target_field="trantib",
        posyandu_id=posyandu,
        desa_code=RAPAK_LAMBUR,
        reason_code="disturbance_report",
        details=details,
        household_ref=tr.household_ref("6402061234560001"),
        requested_on=date(2026, 2, 27),
    )
    await tr.producers.social.send(request)
    return await referral(tr, request.referral_id, "requested")


async def referral(tr: Trantib, referral_id: str, status: str) -> dict[str, Any]:
    async def read() -> dict[str, Any] | None:
        got = await tr.client.get(f"/v1/referrals/{referral_id}", headers=tr.satpolpp)
        body: dict[str, Any] = got.json()
        return body if got.status_code == 200 and body["status"] == status else None

    found: dict[str, Any] = await eventually(read)
    return found
