"""A disaster's victims end to end: BPBD's rapid assessment of 5,000 affected households in
trantib → housing's disaster houses and social's protection cases, timed until the last case.

registry, housing, social and trantib run under uvicorn on the real broker and PostgreSQL (the
test stack's relay poll, 0.05 s; the shipped consumer settings). A posyandu is registered in
each of a few Tenggarong desa and waited for in the three services' replicas (replica lag is
``bench.replica_lag``'s, not this one's); a flood over those desa is declared; then its
households are posted in batches of 1,000 (``POST /v1/disasters/{id}/households``), one after
the other, as BPBD's assessment team would send them. Each batch is one
``trantib.disaster.assessed.v1`` naming its households; housing opens a disaster house for
each household whose house was damaged or lost (rr, rs, rb, hilang) and social a protection
case for each household named.

The damage mix is a flood's: 40 % no damage to the house, 30 % rusak ringan, 15 % rusak sedang,
12 % rusak berat, 3 % lost; rusak berat and lost households are displaced, and a third of
rusak sedang; about a fifth of displaced households have school-age children (1–3), whom
trantib refers to education in the same batch.

Clock: this machine's wall clock (UTC) on both ends. Start = just before the first POST is
sent. End = the last case's ``created_at`` in housing's and social's databases, set by their
consumers inside the transaction that opens it (it understates by the commit). The databases
are polled for the counts; at the end housing's and social's ``by-source`` reads are checked:
each damaged household has exactly one disaster house, each household one protection case.

    uv run python -m bench.trantib_victims [--quick] [--households 5000] [--batch 1000]
                                           [--bootstrap HOST:PORT]

``--bootstrap``: use a running Kafka broker instead of starting one.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import httpx

from bench.common import DPMD, TOKENS, Infra, Report, bearer, connect, parser, quiet_kafka_logs
from bench.common import start_stack as start_services
from simpul_platform.clock import local_today
from simpul_platform.pseudonym import household_ref
from simpul_platform.testing.stack import TEST_PSEUDONYM_SECRET, Stack

SERVICES = ("registry", "housing", "social", "trantib")
DESA = (
    "64.02.06.2012",
    "64.02.06.1010",
    "64.02.06.1001",
    "64.02.06.1002",
)  # Rapak Lambur, Mangkurawang, Jahab, Loa Ipuh
BPBD = bearer(["opd:trantib:bpbd"], sub="bench-bpbd")
TARGET_S = 10.0
DAMAGED = frozenset({"rr", "rs", "rb", "hilang"})
MIX = (("none", 0.40), ("rr", 0.30), ("rs", 0.15), ("rb", 0.12), ("hilang", 0.03))
WAIT_S = 300.0  # give up on the cases after this long (a finding, printed as missed)


def household(n: int, posyandu: dict[str, str], today: date, rng: random.Random) -> dict[str, Any]:
    """The ``n``-th affected household: No. KK, posyandu of its desa, damage, displacement."""
    desa = DESA[n % len(DESA)]
    damage = rng.choices([d for d, _ in MIX], [w for _, w in MIX])[0]
    displaced = damage in {"rb", "hilang"} or (damage == "rs" and rng.random() < 1 / 3)
    item: dict[str, Any] = {
        "kk": kk(n),
        "posyandu_id": posyandu[desa],
        "damage": damage,
        "displaced": displaced,
        "members": rng.randint(1, 8),
        "evacuated": displaced and rng.random() < 0.8,
    }
    if displaced and rng.random() < 0.2:
        item["school_age_children"] = [child(n, i, today, rng) for i in range(rng.randint(1, 3))]
    return item


def kk(n: int) -> str:
    return f"640206{n:010d}"


def child(n: int, i: int, today: date, rng: random.Random) -> dict[str, str]:
    """A school-age child (6–17) with a NIK that encodes the birth date (girls: day + 40)."""
    born = date(today.year - rng.randint(6, 17), rng.randint(1, 12), rng.randint(1, 28))
    day = born.day + (40 if rng.random() < 0.5 else 0)
    serial = (n * 4 + i) % 10_000
    nik = f"640206{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    return {"nik": nik, "birth_date": born.isoformat()}


async def register(client: httpx.AsyncClient, stack: Stack) -> dict[str, str]:
    """A posyandu per desa through the registry, once housing's, social's and trantib's
    replicas hold them all."""
    posyandu: dict[str, str] = {}
    for desa in DESA:
        made = await client.post(
            f"{stack.url('registry')}/v1/posyandu",
            json={
                "name": f"Posyandu Bencana {desa[-4:]}",
                "desa_code": desa,
                "fields": ["trantib", "housing", "social"],
            },
            headers=DPMD,
        )
        assert made.status_code == 201, made.text
        posyandu[desa] = made.json()["id"]
    ids = list(posyandu.values())
    for name in ("housing", "social", "trantib"):
        await until(
            stack.databases[name],
            "SELECT count(*) FROM posyandu_replica WHERE posyandu_id = ANY($1::text[])",
            len(ids),
            ids,
            timeout=60.0,
        )
    return posyandu


async def until(url: str, sql: str, expected: int, *args: Any, timeout: float) -> bool:
    """Poll ``sql`` (a count) until it reaches ``expected``; False when ``timeout`` passed."""
    deadline = time.monotonic() + timeout
    async with connect(url) as conn:
        while time.monotonic() < deadline:
            if await conn.fetchval(sql, *args) >= expected:
                return True
            await asyncio.sleep(0.05)
    return False


HOUSES = (
    "SELECT count(*) FROM disaster_house h JOIN disaster_event e ON e.id = h.event_id"
    " WHERE e.source_event_id = $1"
)
HOUSES_LAST = HOUSES.replace("count(*)", "max(h.created_at)")
CASES = "SELECT count(*) FROM disaster_protection_case WHERE source_event_id = $1"
CASES_LAST = CASES.replace("count(*)", "max(created_at)")


async def declare(client: httpx.AsyncClient, stack: Stack, today: date) -> str:
    body = {
        "kind": "banjir",
        "name": "Banjir Tenggarong (bench)",
        "occurred_on": today.isoformat(),
        "affected_desa": list(DESA),
        "emergency_level": "tanggap_darurat",
    }
    made = await client.post(f"{stack.url('trantib')}/v1/disasters", json=body, headers=BPBD)
    made.raise_for_status()
    return str(made.json()["id"])


async def exactly_once(
    client: httpx.AsyncClient, stack: Stack, disaster: str, items: list[dict[str, Any]]
) -> tuple[bool, bool]:
    """Housing's and social's by-source reads: one case per damaged household / household."""
    refs = {i["kk"]: household_ref(TEST_PSEUDONYM_SECRET, i["kk"]) for i in items}
    damaged = Counter(refs[i["kk"]] for i in items if i["damage"] in DAMAGED)
    named = Counter(refs.values())
    found = []
    for name, path in (
        ("housing", "/v1/disaster-houses/by-source"),
        ("social", "/v1/disaster-protection/by-source"),
    ):
        got = await client.get(
            f"{stack.url(name)}{path}", params={"source_event_id": disaster}, headers=DPMD
        )
        got.raise_for_status()
        found.append(Counter(row["household_ref"] for row in got.json()))
    return found[0] == damaged, found[1] == named


async def run(stack: Stack, households: int, batch: int, report: Report) -> None:
    today = local_today(TOKENS)
    rng = random.Random(17)
    async with httpx.AsyncClient(timeout=120) as client:
        posyandu = await register(client, stack)
        disaster = await declare(client, stack, today)
        items = [household(n, posyandu, today, rng) for n in range(1, households + 1)]
        damaged = sum(1 for i in items if i["damage"] in DAMAGED)
        children = sum(len(i.get("school_age_children", [])) for i in items)
        report.note(
            f"{households:,} households in {len(DESA)} desa: {damaged:,} damaged, "
            f"{sum(i['displaced'] for i in items):,} displaced, {children:,} school-age "
            f"children; batches of {batch:,}"
        )
        url = f"{stack.url('trantib')}/v1/disasters/{disaster}/households"
        started = datetime.now(UTC)
        posts: list[float] = []
        for at in range(0, households, batch):
            sent = time.perf_counter()
            answer = await client.post(url, json={"items": items[at : at + batch]}, headers=BPBD)
            posts.append(time.perf_counter() - sent)
            answer.raise_for_status()
            assert answer.json()["errors"] == 0, answer.text[:400]
        posted = datetime.now(UTC)
        housing_db, social_db = stack.databases["housing"], stack.databases["social"]
        left = WAIT_S
        houses_done = await until(housing_db, HOUSES, damaged, disaster, timeout=left)
        cases_done = await until(social_db, CASES, households, disaster, timeout=left)
        async with connect(housing_db) as conn:
            houses_last = await conn.fetchval(HOUSES_LAST, disaster)
            houses = await conn.fetchval(HOUSES, disaster)
        async with connect(social_db) as conn:
            cases_last = await conn.fetchval(CASES_LAST, disaster)
            cases = await conn.fetchval(CASES, disaster)
        once = await exactly_once(client, stack, disaster, items)

    def since(moment: datetime | None) -> float:
        if moment is None:
            return float("nan")
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return (aware - started).total_seconds()

    report.figure(
        f"POST a batch of {batch:,} households, mean", sum(posts) / len(posts) * 1000, "ms"
    )
    report.figure(f"POST a batch of {batch:,} households, slowest", max(posts) * 1000, "ms")
    report.figure("first POST sent → last POST answered", (posted - started).total_seconds(), "s")
    report.figure(f"housing: disaster houses ({damaged:,} damaged)", houses, "houses")
    report.figure(f"social: protection cases ({households:,} named)", cases, "cases")
    housing_s, social_s = since(houses_last), since(cases_last)
    report.figure("first POST → last housing disaster house", housing_s, "s")
    report.figure("first POST → last social protection case", social_s, "s")
    whole = max(housing_s, social_s)
    met = houses_done and cases_done and all(once) and whole <= TARGET_S
    report.figure("first POST → every case (end to end)", whole, "s", target="≤ 10 s", met=met)
    report.note(f"exactly once by by-source reads: housing {once[0]}, social {once[1]}")
    report.summary(f"{households:,} households → housing and social in {whole:.1f} s")


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--households", type=int, default=5000)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--bootstrap", default=None, help="a running broker (host:port)")
    args = p.parse_args()
    households = 1000 if args.quick else args.households
    quiet_kafka_logs()
    report = Report("trantib_victims")
    with Infra(broker=args.bootstrap is None) as infra:
        bootstrap = args.bootstrap or infra.bootstrap
        stack = start_services(bootstrap, infra.postgres, SERVICES, registry=infra.stacks)
        asyncio.run(run(stack, households, args.batch, report))


if __name__ == "__main__":
    main()
