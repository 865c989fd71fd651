"""A public-order reporter's identity over the real PostgreSQL and Kafka: absent from every
record of the trantib topic, every log record (as captured and as the JSON formatter writes
it), every stored row but its sealed one, every response but the handler's — the list, the
detail, a refused body's problem, and the reporter route for another Satpol PP officer, the
OPD, DPMD, the kader who recorded it and the handler's own subject under another role."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import text
from trantib_order_calls import (
    ADDRESS,
    HANDLER,
    NAME,
    NIK,
    PHONE,
    REPORTER,
    handler_headers,
    leaks,
    open_report,
    record_bytes,
    step,
    topic_records,
    worked,
)
from trantib_testkit import Trantib

from simpul_platform.events import Envelope, new_id

pytestmark = pytest.mark.integration

OPENED_FIELDS = {"report_id", "posyandu_id", "desa_code", "category", "source", "reported_on"}


@contextmanager
def json_log_lines() -> Iterator[io.StringIO]:
    """Every log line as the service's JSON formatter writes it, from DEBUG up."""
    root = logging.getLogger()
    simpul = next(h for h in root.handlers if getattr(h, "_simpul", False))
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(simpul.formatter)
    for each in simpul.filters:
        handler.addFilter(each)
    handler.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)


async def stored_rows(tr: Trantib) -> str:
    """Every row of every table of the service's database, as text."""
    dump: list[str] = []
    async with tr.app.state.db.sessions() as session:
        names = await session.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        )
        for (name,) in names.all():
            rows = await session.execute(text(f'SELECT * FROM "{name}"'))
            dump.append(f"{name}: {rows.all()!r}")
    return "\n".join(dump)


async def refused_identity(tr: Trantib, posyandu: str) -> None:
    """A reporter refused by the schema is not repeated in the problem."""
    bad = {
        "name": NAME * 6,  # too long
        "phone": PHONE + "abc",
        "nik": NIK + "9",
        "address": ADDRESS + "x" * 300,
    }
    refused = await open_report(tr, posyandu, reporter=bad)
    assert refused.status_code == 422, refused.text
    fields = sorted(e["field"] for e in refused.json()["errors"])
    assert fields == [f"body.reporter.{f}" for f in ("address", "name", "nik", "phone")]
    assert leaks(refused.text) == [], refused.text
    as_text = await open_report(tr, posyandu, reporter=f"{NAME}, {PHONE}")
    assert as_text.status_code == 422 and leaks(as_text.text) == [], as_text.text
    extra = await open_report(tr, posyandu, reporter={"name": NAME, "email": PHONE})
    assert extra.status_code == 422 and leaks(extra.text) == [], extra.text


async def others_see_nothing(tr: Trantib, report_id: str, anonymous_id: str) -> None:
    """Everyone but the handler: the same 404 as for a report with no reporter or none at all."""
    not_handler = {
        "the Satpol PP officer who verified it": tr.satpolpp,
        "the OPD": tr.opd,
        "DPMD": tr.dpmd,
        "the kader who recorded it": tr.kader,
        "a Linmas member": tr.linmas,
        "Damkar": tr.damkar,
        "the handler's subject as a kader": tr.auth(["kader:trantib"], ["64.02"], sub=HANDLER),
        "the handler outside the wilayah": tr.auth(
            ["opd:trantib:satpolpp"], ["64.01"], sub=HANDLER
        ),
    }
    shapes = set()
    for who, headers in not_handler.items():
        for about in (report_id, anonymous_id, new_id()):
            got = await tr.client.get(f"/v1/order-reports/{about}/reporter", headers=headers)
            assert got.status_code == 404, (who, got.text)
            assert leaks(got.text) == [], (who, got.text)
            body = got.json()
            shapes.add((body["type"], body["title"], body["detail"].replace(about, "<id>")))
    assert len(shapes) == 1, shapes  # nothing tells a report with a reporter from one without


async def test_the_reporter_is_absent_from_every_topic_log_line_and_non_handler_response(
    trantib: Trantib, caplog: pytest.LogCaptureFixture
) -> None:
    tr = trantib
    caplog.set_level(logging.DEBUG)
    responses: list[str] = []
    with json_log_lines() as lines:
        posyandu = await tr.known_posyandu()
        opened = await open_report(tr, posyandu, reporter=REPORTER)
        assert opened.status_code == 201, opened.text
        report = opened.json()
        anonymous = (await open_report(tr, posyandu, category="perkelahian")).json()
        await refused_identity(tr, posyandu)
        closed = await worked(tr, report["id"])
        assert (closed["status"], closed["handler"]) == ("closed", HANDLER)
        assert (await step(tr, anonymous["id"], "verify", handler=HANDLER)).status_code == 200

        await others_see_nothing(tr, report["id"], anonymous["id"])
        for headers in (tr.kader, tr.satpolpp, tr.opd, tr.linmas, handler_headers(tr)):
            listed = await tr.client.get("/v1/order-reports", headers=headers)
            one = await tr.client.get(f"/v1/order-reports/{report['id']}", headers=headers)
            assert {r["id"] for r in listed.json()} == {report["id"], anonymous["id"]}
            assert one.status_code == 200 and "reporter" not in one.json()
            responses += [listed.text, one.text]
        responses += [opened.text, str(closed)]
        assert [leaks(r) for r in responses if leaks(r)] == []

        shown = await tr.client.get(
            f"/v1/order-reports/{report['id']}/reporter", headers=handler_headers(tr)
        )
        assert shown.status_code == 200, shown.text
        assert shown.json() == {"report_id": report["id"], "anonymous": False, **REPORTER}
        none = await tr.client.get(
            f"/v1/order-reports/{anonymous['id']}/reporter", headers=handler_headers(tr)
        )
        assert none.json() == {
            "report_id": anonymous["id"],
            "anonymous": True,
            **dict.fromkeys(REPORTER),
        }

        records = await topic_records(tr, expected=3)  # two opened, one closed
    every_record = [record_bytes(r) for r in records]
    assert [leaks(r) for r in every_record if leaks(r)] == []
    events_carry_category_and_desa_only(records, report["id"])

    assert [leaks(str(r.__dict__)) for r in caplog.records if leaks(str(r.__dict__))] == []
    written = lines.getvalue()
    assert leaks(written) == []
    # The openings were logged as accesses (the report, who), so the capture did see them.
    access = [r for r in caplog.records if r.getMessage() == "reporter opened"]
    assert [(r.report_id, r.by) for r in access] == [  # type: ignore[attr-defined]
        (report["id"], HANDLER),
        (anonymous["id"], HANDLER),
    ]
    assert f'"report_id": "{report["id"]}"' in written

    dump = await stored_rows(tr)
    assert "order_reporter" in dump and leaks(dump) == []


def events_carry_category_and_desa_only(records: list[Any], report_id: str) -> None:
    envelopes = [Envelope.from_kafka(r.key, r.value, list(r.headers)) for r in records]
    mine = [e for e in envelopes if e.data.get("report_id") == report_id]
    assert [e.type for e in mine] == [
        "trantib.order_report.opened.v1",
        "trantib.order_report.closed.v1",
    ]
    opened, closed = mine
    assert set(opened.data) == OPENED_FIELDS
    assert (opened.data["category"], opened.data["desa_code"]) == ("keributan", "64.02.06.2012")
    assert (opened.data["source"], opened.data["reported_on"]) == ("kader", "2026-03-02")
    assert "place" not in closed.data and "handler" not in closed.data
    assert closed.data | {"report_id": "-", "posyandu_id": "-"} == {
        "report_id": "-",
        "posyandu_id": "-",
        "desa_code": "64.02.06.2012",
        "category": "keributan",
        "handling": "mediasi",
        "affected_citizens": 12,
        "citizens_served": 12,
        "close_reason": "selesai",
        "closed_on": "2026-03-06",
    }
