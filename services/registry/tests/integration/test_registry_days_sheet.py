"""A day's attendance as a sheet: the template lists the day's kader, and the filled sheet,
as CSV or an Excel workbook, is answered row by row with its row number and column."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from registry_days_kit import appoint, one_off, pengurus
from registry_testkit import Registry

from simpul_platform.xlsx_body import XLSX_MEDIA_TYPE

pytestmark = pytest.mark.integration

DAY = "2026-02-10"


def _workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _answers(body: dict[str, Any]) -> list[tuple[int, str, list[tuple[str, str]]]]:
    return [
        (r["row"], r["status"], [(e["field"], e["rule"]) for e in r["errors"]])
        for r in body["results"]
    ]


async def test_template_lists_the_day_kader_and_the_sheet_comes_back(registry: Registry) -> None:
    pid = (await registry.create())["id"]
    await one_off(registry, pid, DAY)
    siti, budi = await appoint(registry, pid, 1), await appoint(registry, pid, 2)
    await appoint(registry, pid, 3, start="2026-03-01")  # not yet a kader on the day
    path = f"/v1/posyandu/{pid}/days/{DAY}/attendance"
    headers = pengurus(registry)
    template = await registry.client.get(f"{path}/template.xlsx", headers=headers)
    assert template.status_code == 200, template.text
    rows = list(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("person_id", "name", "field", "status")
    assert sorted(r[0] for r in rows[1:]) == sorted([siti, budi])
    csv_template = await registry.client.get(f"{path}/template.csv", headers=headers)
    assert csv_template.text.splitlines()[0] == "person_id,name,field,status"
    assert len(csv_template.text.splitlines()) == 3

    # Filled in Excel: a row left blank, a misspelt status, a stranger's id.
    filled = _workbook(
        [
            ["person_id", "name", "field", "status"],
            [siti, "Kader Nomor 1", "health", "present"],
            [None, None, None, None],
            [budi, "Kader Nomor 2", "health", "hadir"],
            ["no-such-person", "Someone", "health", "present"],
        ]
    )
    answer = await registry.client.put(
        f"{path}/sheet",
        content=filled,
        headers={**headers, "Content-Type": XLSX_MEDIA_TYPE},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["recorded"], body["errors"]) == (1, 2)
    assert _answers(body) == [
        (2, "recorded", []),
        (4, "error", [("status", "literal_error")]),
        (5, "error", [("person_id", "not_a_kader")]),
    ]
    assert body["results"][1]["errors"][0]["message"].startswith("Column D (status)")

    # The same sheet as CSV gives the same answers (a CSV's rows numbered by its lines).
    csv_body = (
        "person_id,name,field,status\n"
        f"{siti},Kader Nomor 1,health,present\n"
        ",,,\n"
        f"{budi},Kader Nomor 2,health,hadir\n"
        "no-such-person,Someone,health,present\n"
    )
    again = await registry.client.put(
        f"{path}/sheet", content=csv_body, headers={**headers, "Content-Type": "text/csv"}
    )
    assert again.status_code == 200, again.text
    assert _answers(again.json()) == _answers(body)

    activity = await registry.client.get(
        f"/v1/posyandu/{pid}/kader-activity", params={"on": DAY}, headers=registry.dpmd
    )
    last = {a["person_id"]: a["last_present_on"] for a in activity.json()}
    assert last == {siti: DAY, budi: None}


async def test_a_sheet_without_the_status_column_is_refused_whole(registry: Registry) -> None:
    pid = (await registry.create())["id"]
    await one_off(registry, pid, DAY)
    answer = await registry.client.put(
        f"/v1/posyandu/{pid}/days/{DAY}/attendance/sheet",
        content="person_id,name\nx,y\n",
        headers={**pengurus(registry), "Content-Type": "text/csv"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["rule"] == "csv_header"
