"""The sealed reporter over the real PostgreSQL: a row sealed before the key was rotated still
opens (with the key its row names, from ``reporter_previous_keys``), new rows take the new key;
a tampered ciphertext, a sealed row moved to another report and a key no longer configured are
refused as a 409 naming no one, never a 500."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import update
from trantib_order_calls import HANDLER, REPORTER, handler_headers, leaks, open_report, step
from trantib_testkit import TEST_REPORTER_KEY, Trantib

from simpul_trantib.models import OrderReporter

pytestmark = pytest.mark.integration

NEW_KEY = base64.b64encode(b"simpul-test-reporter-key-rotated").decode()


async def handled_report(tr: Trantib, posyandu: str) -> str:
    """A report with the identity, verified to ``HANDLER``."""
    opened = await open_report(tr, posyandu, reporter=REPORTER)
    assert opened.status_code == 201, opened.text
    report_id: str = opened.json()["id"]
    assert (await step(tr, report_id, "verify", handler=HANDLER)).status_code == 200
    return report_id


async def sealed_row(tr: Trantib, report_id: str) -> OrderReporter:
    async with tr.app.state.db.sessions() as session:
        row = await session.get(OrderReporter, report_id)
    assert row is not None
    return row


async def reporter(tr: Trantib, report_id: str) -> tuple[int, str]:
    got = await tr.client.get(
        f"/v1/order-reports/{report_id}/reporter", headers=handler_headers(tr)
    )
    return got.status_code, got.text


async def rewrite(tr: Trantib, report_id: str, **values: object) -> None:
    async with tr.app.state.db.transaction() as session:
        await session.execute(
            update(OrderReporter).where(OrderReporter.report_id == report_id).values(**values)  # type: ignore[arg-type]
        )


async def test_a_row_sealed_with_a_rotated_key_still_opens(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    before = await handled_report(tr, posyandu)
    old = await sealed_row(tr, before)
    assert (old.key_id, len(old.nonce)) == ("k1", 12)
    assert leaks(bytes(old.ciphertext)) == []

    tr.app.state.settings = tr.settings.model_copy(
        update={
            "reporter_key": NEW_KEY,
            "reporter_key_id": "k2",
            "reporter_previous_keys": {"k1": TEST_REPORTER_KEY},
        }
    )
    after = await handled_report(tr, posyandu)
    assert (await sealed_row(tr, after)).key_id == "k2"
    for report_id in (before, after):
        status, body = await reporter(tr, report_id)
        assert status == 200, body
        assert len(leaks(body)) == 4

    # The old key retired before every row was sealed again: refused, not a 500.
    tr.app.state.settings = tr.settings.model_copy(
        update={"reporter_key": NEW_KEY, "reporter_key_id": "k2"}
    )
    status, body = await reporter(tr, before)
    assert status == 409 and leaks(body) == [], body
    assert '"key_id":"k1"' in body.replace(" ", "")
    assert (await reporter(tr, after))[0] == 200


async def test_a_tampered_or_moved_seal_is_refused_without_a_500(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    first, second = await handled_report(tr, posyandu), await handled_report(tr, posyandu)
    row = await sealed_row(tr, first)

    flipped = bytearray(row.ciphertext)
    flipped[0] ^= 0x01
    await rewrite(tr, first, ciphertext=bytes(flipped))
    status, body = await reporter(tr, first)
    assert status == 409 and leaks(body) == [], body
    assert "altered" in body

    # The first report's intact seal put on the second: its report id is the associated data.
    await rewrite(tr, second, nonce=bytes(row.nonce), ciphertext=bytes(row.ciphertext))
    status, body = await reporter(tr, second)
    assert status == 409 and leaks(body) == [], body

    await rewrite(tr, first, ciphertext=bytes(row.ciphertext))
    status, body = await reporter(tr, first)
    assert status == 200 and len(leaks(body)) == 4
