"""A kader's census through the real education app on a real PostgreSQL (started here, removed
after): POST /v1/census with 1,000-item requests, one posyandu each.

Three passes over the same children: the first census (every child new: registered with a
status), the next year's (every child known: most get a new kelas or jenjang, the rest are
unchanged) and that one sent again (a retry: every item unchanged); each child of school age
newly found out of school gets an ATS case in the same request. Items per second are the
items answered divided by the requests' wall time, beside the target (≥ 3,000 items/s). The
posyandu replica is filled through the platform's own event handler; the relay and consumers
are off (the outbox rows are still written in each request's transaction) and no broker runs
(the app's topic creation retries quietly in the background).

    uv run python -m bench.education_census [--quick] [--requests 20]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from bench.batch_timing import ITEMS, Batches, Pass, batch_main, bearer, seed_posyandu
from bench.common import Report
from simpul_education.app import create_app
from simpul_education.settings import EducationSettings

TARGET = 3000.0  # items per second

REGION = "640206"  # Tenggarong: the NIK's kecamatan digits
FIRST_BORN = date(2009, 1, 1)
SPAN_DAYS = 5400  # birth dates 2009 – late 2023: everyone born before the first census


@dataclass(frozen=True)
class Kid:
    nik: str
    sex: str
    birth_date: date


def kids(count: int) -> list[Kid]:
    """``count`` children with distinct, valid NIKs (birth date and sex in the digits)."""
    found = []
    for i in range(count):
        born = FIRST_BORN + timedelta(days=i % SPAN_DAYS)
        girl = (i // SPAN_DAYS) % 2 == 1
        serial = i // (2 * SPAN_DAYS) + 1
        day = born.day + 40 * girl
        nik = f"{REGION}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
        found.append(Kid(nik, "P" if girl else "L", born))
    return found


def entry(kid: Kid, on: date) -> dict[str, Any]:
    """A plausible status for the child's age on ``on`` (one in twelve of school age out of
    school)."""
    years = (on - kid.birth_date).days // 365
    if years < 3:
        return {"status": "not_school_age"}
    if years < 7:
        return {"status": "paud", "unit_name": "PAUD Mawar"}
    if (kid.birth_date.toordinal() + int(kid.nik[-4:])) % 12 == 0:
        return {"status": "out_of_school"}  # an ATS case opens for each new one
    kelas = min(years - 6, 12)
    jenjang = "sd" if kelas <= 6 else "smp" if kelas <= 9 else "sma"
    return {"status": jenjang, "kelas": kelas, "unit_name": f"{jenjang.upper()}N 1 Tenggarong"}


def item(kid: Kid, on: date) -> dict[str, Any]:
    return {
        "nik": kid.nik,
        "kk": f"{REGION}0101{kid.nik[-6:]}",
        "name": f"Anak {kid.nik[-6:]}",
        "sex": kid.sex,
        "birth_date": kid.birth_date.isoformat(),
        **entry(kid, on),
    }


COUNTED = ("created", "status_recorded", "unchanged", "errors")


def census(groups: list[tuple[str, list[Kid]]], on: date) -> list[dict[str, Any]]:
    """Every posyandu's census on ``on``, a request each."""
    return [
        {"posyandu_id": posyandu_id, "on": on.isoformat(), "items": [item(k, on) for k in group]}
        for posyandu_id, group in groups
    ]


def cases_opened(done: Pass) -> str:
    return f", {sum(answer['ats_cases_opened'] for answer in done.answers):,} ATS cases opened"


async def measure(
    app: FastAPI, client: httpx.AsyncClient, settings: EducationSettings, requests: int
) -> None:
    report = Report("education_census")
    headers = bearer(settings, "bench-disdik", "opd:education")
    posyandu = await seed_posyandu(app, "education", requests)
    everyone = kids(requests * ITEMS)
    groups = [(p, everyone[i * ITEMS : (i + 1) * ITEMS]) for i, p in enumerate(posyandu)]
    today = date.today()
    batches = Batches(client, "/v1/census", headers, COUNTED, report, TARGET)
    warm = (posyandu[0], kids(requests * ITEMS + 50)[-50:])  # not counted: imports, caches
    await batches.send(census([warm], today - timedelta(days=365)))
    passes = [
        ("first census (all new)", today - timedelta(days=365)),
        ("a year later (known children)", today),
        ("the same census again (a retry)", today),
    ]
    batches.note_passes(requests, ITEMS, "one posyandu")
    for label, on in passes:
        await batches.timed(label, census(groups, on), cases_opened)
    report.summary(f"census of {requests * ITEMS:,} children in {ITEMS:,}-item requests")


def main() -> None:
    batch_main(
        "A kader's census: items per second through the real app.",
        "bench_education",
        EducationSettings,
        create_app,
        measure,
        broker=False,
    )


if __name__ == "__main__":
    main()
