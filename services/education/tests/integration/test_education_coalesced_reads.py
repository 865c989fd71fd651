"""A meeting's laptops asking education for the same indicators at once, over the real
database: each request is scoped on its own, the kept counts are read once for all of
them, every answer is the same, and a write made after them is in the next answer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from education_testkit import SEBULU, Education
from sqlalchemy import event

pytestmark = pytest.mark.integration
LAPTOPS = 12


@contextmanager
def tally_reads(education: Education) -> Iterator[list[str]]:
    """The statements that read education's kept counts, while the block runs."""
    engine = education.app.state.db.engine.sync_engine
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "education_tally" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def paud_5_6(education: Education, headers: dict[str, str]) -> tuple[int, Any]:
    response = await education.client.get(
        "/v1/indicators", headers=headers, params={"period": "2026-11", "wilayah": "64.02"}
    )
    if response.status_code != 200:
        return response.status_code, response.json()["detail"]
    found = {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()}
    return 200, found["education.paud_5_6"]


async def test_identical_concurrent_reads_count_once_each_scoped_on_its_own(
    education: Education,
) -> None:
    posyandu = await education.known_posyandu()
    await education.child(posyandu, "6402060503210001")  # 5 on 30 November 2026
    await paud_5_6(education, education.dpmd)  # the posyandu's months counted and kept
    outsider = education.auth(["dpmd"], [SEBULU], sub="dpmd-sebulu")

    with tally_reads(education) as reads:
        answers = await asyncio.gather(
            *(paud_5_6(education, education.dpmd) for _ in range(LAPTOPS)),
            paud_5_6(education, outsider),
        )
    assert answers[:LAPTOPS] == [(200, (0, 1))] * LAPTOPS
    # Asked beside them with a narrower scope: its own desa's count, not the shared one.
    assert answers[LAPTOPS] == (200, (0, 0))
    # The laptops' count shared (two if one came in just after the first finished) and the
    # narrower caller's own: not thirteen.
    assert 2 <= len(reads) <= 3, reads

    child = await education.child(posyandu, "6402060704200002")  # a second five-year-old
    status_body = {
        "status": "paud",
        "unit_name": "TK Melati",
        "on": "2026-08-01",
        "source": "kader_census",
    }
    response = await education.client.post(
        f"/v1/children/{child['id']}/status", json=status_body, headers=education.opd
    )
    assert response.status_code == 201, response.text
    assert await paud_5_6(education, education.dpmd) == (200, (1, 2))
