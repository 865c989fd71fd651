"""Bansos coverage kept per posyandu and month (ops/tallies.py) equals a full recount (the
per-request statement) after mixed writes, writes racing with reads, and decile changes, for
every area level and for months, quarters and years, past and current. Reads come between
the writes, so each check also finds counts kept before a write that had to drop them."""

from __future__ import annotations

import asyncio

import pytest
from coverage_checks import (
    any_of,
    assess,
    code,
    endpoint,
    give,
    ids,
    kk,
    same_as_recount,
)
from social_testkit import RAPAK_LAMBUR, SEBULU, TENGGARONG, Social
from sqlalchemy import func, select

from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.testing.polling import eventually
from simpul_social.models import PriorityCase, SocialTally
from simpul_social.ops.aggregates import Scope

pytestmark = pytest.mark.integration

KAB, KEC, DESA = Scope(("64.02",)), Scope((TENGGARONG,)), Scope((RAPAK_LAMBUR,))


async def _programs(social: Social) -> None:
    await social.program("PKH", "quarter")
    await social.program("SEMBAKO", "month")
    await social.program("PBI", "year")


async def test_kept_coverage_equals_a_recount_after_mixed_writes(social: Social) -> None:
    a, a2 = await social.known_posyandu(), await social.known_posyandu()
    b = await social.known_posyandu(desa=SEBULU)
    scopes = [KAB, KEC, DESA, Scope((RAPAK_LAMBUR,), a), Scope((SEBULU,), b)]
    await _programs(social)
    deciles = [1, 2, 3, 4, 6, None, 2, 8]
    at_a = [await social.household(a, kk(n), d) for n, d in enumerate(deciles)]
    at_a2 = [await social.household(a2, kk(20 + n), d) for n, d in enumerate([3, 9])]
    at_b = [await social.household(b, kk(40 + n, "640207"), d) for n, d in enumerate([1, 4, 7])]
    db = social.app.state.db
    before = await same_as_recount(db, scopes)  # kept now, dropped by the writes below
    assert any_of(before[KAB, "2025"]) == (0, 8)  # h0-h3, h6 at a; h8 at a2; h10, h11 at b

    h = ids(at_a) + ids(at_a2) + ids(at_b)
    await give(social, h[0], "PKH", "2025-Q4", "2025-11-20")
    await give(social, h[0], "SEMBAKO", "2025-12", "2025-12-05")
    await give(social, h[1], "SEMBAKO", "2025-11", "2025-11-05")
    await give(social, h[2], "PBI", "2026", "2026-01-10")
    await give(social, h[4], "PKH", "2025-Q4", "2025-11-20")  # decile 6: not counted
    await give(social, h[8], "SEMBAKO", "2026-08", "2026-08-03")
    await give(social, h[10], "PKH", "2026-Q3", "2026-07-15")
    await give(social, h[11], "PBI", "2025", "2025-03-01")
    after = await same_as_recount(db, scopes)
    assert any_of(after[KAB, "2025-12"]) == (2, 8)  # h0's PKH and sembako, h11's PBI
    assert after[KAB, "2025-Q4"][code("SEMBAKO")] == (2, 8)  # h0 and h1
    assert after[KEC, "2026-Q3"][code("PBI")] == (1, 6)  # h2's yearly PBI
    assert any_of(after[Scope((SEBULU,), b), "2026"]) == (1, 2)

    # A stunting case opened for a poor household: coverage does not count cases.
    secret = social.settings.pseudonym_secret
    await social.producers.stunting(
        episode_id="episode-kept-1",
        child_ref=person_ref(secret, "6402065503240001"),
        household_ref=household_ref(secret, kk(3)),
        posyandu_id=a,
        desa=RAPAK_LAMBUR,
    )

    async def opened() -> int | None:
        async with db.sessions() as session:
            n = (await session.execute(select(func.count()).select_from(PriorityCase))).scalar()
        return n or None

    assert await eventually(opened) == 1
    assert await same_as_recount(db, scopes) == after

    # A program added: counted again under the new list of programs, and read.
    await social.program("ATENSI", "year")
    await give(social, h[3], "ATENSI", "2026", "2026-02-01")
    with_atensi = await same_as_recount(db, scopes)
    assert with_atensi[KAB, "2026-08"][code("ATENSI")] == (1, 8)
    assert (await endpoint(social, wilayah="64.02", period="2026-08")) == with_atensi[
        KAB, "2026-08"
    ]


async def test_kept_coverage_equals_a_recount_after_racing_writes_and_reads(
    social: Social,
) -> None:
    a, b = await social.known_posyandu(), await social.known_posyandu(desa=SEBULU)
    scopes = [KAB, KEC, Scope((RAPAK_LAMBUR,), a), Scope((SEBULU,), b)]
    await _programs(social)
    at_a = [await social.household(a, kk(n), 1 + n % 6) for n in range(10)]
    at_b = [await social.household(b, kk(50 + n, "640207"), 2 + n % 5) for n in range(6)]
    db = social.app.state.db
    await same_as_recount(db, scopes)
    periods = ("2026-08", "2026-Q3", "2026", "2025-12")

    async def gift(n: int, household: str) -> None:
        program, period, day = [
            ("SEMBAKO", "2026-08", "2026-08-04"),
            ("PKH", "2026-Q3", "2026-07-20"),
            ("PBI", "2026", "2026-02-02"),
            ("SEMBAKO", "2025-12", "2025-12-09"),
        ][n % 4]
        await give(social, household, program, period, day)

    async def newcomer(n: int) -> None:
        household = await social.household(a if n % 2 else b, kk(80 + n), 1 + n % 5)
        await give(social, household["id"], "SEMBAKO", "2026-08", "2026-08-20")

    async def read(n: int) -> None:
        where = {"wilayah": "64.02"} if n % 2 else {"posyandu_id": a}
        await endpoint(social, period=periods[n % 4], **where)

    households = ids(at_a) + ids(at_b)
    await asyncio.gather(
        *(gift(n, h) for n, h in enumerate(households)),
        *(assess(social, h, 9 if n % 2 else 3, "2026-03-01") for n, h in enumerate(households)),
        *(newcomer(n) for n in range(6)),
        *(read(n) for n in range(24)),
    )
    counts = await same_as_recount(db, scopes, periods)
    # Poor: the 8 households assessed 3 (each given a period overlapping August 2026) and 5
    # newcomers (deciles 1-4, August's sembako); the December 2025 sembako went to decile 9.
    assert any_of(counts[KAB, "2026-08"]) == any_of(counts[KAB, "2026"]) == (13, 13)
    assert any_of(counts[KAB, "2025-12"]) == (0, 13)


async def test_decile_changes_move_households_in_and_out_of_every_period(
    social: Social,
) -> None:
    a = await social.known_posyandu()
    scopes = [KAB, KEC, DESA, Scope((RAPAK_LAMBUR,), a)]
    await _programs(social)
    h1, h2, h3 = [await social.household(a, kk(n), d) for n, d in enumerate([3, 7, 2])]
    await give(social, h1["id"], "PKH", "2025-Q4", "2025-10-20")
    await give(social, h1["id"], "SEMBAKO", "2026-08", "2026-08-02")
    await give(social, h2["id"], "PKH", "2025-Q4", "2025-10-20")
    db = social.app.state.db

    async def pkh_q4() -> tuple[int, int]:
        counts = await same_as_recount(db, scopes)  # every period, kept first, then checked
        assert counts[KAB, "2025"][code("PKH")] == counts[KAB, "2025-Q4"][code("PKH")]
        return counts[KAB, "2025-Q4"][code("PKH")]

    assert await pkh_q4() == (1, 2)
    await assess(social, h1["id"], 7, "2026-03-01")  # out: its past periods too (current decile)
    assert await pkh_q4() == (0, 1)
    await assess(social, h2["id"], 2, "2026-03-01")  # in
    assert await pkh_q4() == (1, 2)
    await assess(social, h2["id"], 4, "2026-04-01")  # still in
    assert await pkh_q4() == (1, 2)
    await assess(social, h1["id"], 1, "2025-06-01")  # older than its decile: not current
    assert await pkh_q4() == (1, 2)
    await assess(social, h1["id"], 1, "2026-05-01")  # in again
    assert await pkh_q4() == (2, 3)
    await assess(social, h3["id"], 10, "2026-05-01")  # out, without distributions
    assert await pkh_q4() == (2, 2)
    sembako = await endpoint(social, posyandu_id=a, period="2026-08")
    assert sembako[code("SEMBAKO")] == (1, 2)
    async with db.sessions() as session:  # every posyandu-month read is kept, once per kind
        months = select(func.count(func.distinct(SocialTally.month)))
        # 2025-11, 2025-12 (and Q4, the year), 2026-01, -08, -09 (Q3), -12 (the year)
        assert (await session.execute(months)).scalar() == 6
