"""The fields ``bench.end_to_end`` times: which row is each field's reaction to health's
``health.stunting.detected.v1``, how to read it back, and what each field must already know to
react (COPY-loaded into its own tables, as the demo rows are).

- social: ``priority_case``, one per detection of a household with a priority decile (every
  child's household is seeded in social with decile 2), matched by its measurement id.
- education (``education.stunting-paud``), housing (``housing.stunting-rtlh``) and public works
  (``public-works.stunting-wash``): one decision row per detection event (``event_id``, health's
  outbox id), whatever the decision; a decision that opens a referral is the field *reacting*.
  Education refers a child aged 2–6 (24–83 months at the measurement) in neither PAUD nor BKB:
  the balita's own ages decide it (no PAUD enrolment is seeded). Housing refers a household
  whose house is RTLH, never surveyed or unknown to housing; public works one short of basic
  water or layak sanitation, never surveyed or unknown. Both are seeded from the children's
  households: nine in ten known, with surveys drawn by ``bench.housing_data`` and
  ``bench.public_works_data`` (a third of the houses RTLH; two in five households poorly served).

End of the latency: the row's transaction's commit time, ``pg_xact_commit_timestamp(xmin)``
(PostgreSQL's clock, this machine's; the bench's server runs with ``track_commit_timestamp``).
The rows' own timestamps (``opened_at``, ``decided_at``) are set by the handler before the
consumer's chunk commits, so they understate by the rest of the chunk; they profile the
consumer instead: rows sharing a transaction id (``xmin``) are one chunk, and its first row's
stamp → its commit is the chunk's handling time (the rest of sent → committed is waiting:
polling, earlier chunks, the machine).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bench.bulk_load import copy_tables, model_tables
from bench.common import TODAY, connect
from bench.housing_data import _survey as house_survey
from bench.public_works_data import _survey as wash_survey
from bench.seeded_rows import at_nine, draw_day, draw_id
from simpul_housing.models import metadata as housing_metadata
from simpul_platform.devstack.population import DemoChild
from simpul_public_works.models import metadata as public_works_metadata

WHO = "bench"
KNOWN = 0.9  # of the children's households, those housing and public works already know
RTLH_ODDS = 0.33  # a surveyed house found RTLH (PUPR)
POOR_WASH_ODDS = 0.4  # a surveyed household drawn from the poor water/sanitation sources


@dataclass(frozen=True)
class Field:
    """One reacting field: its service, the query of its reaction rows (key, commit time,
    decision, whether it opened a referral) and whether the key is a measurement id (social)
    or health's event id (the decision tables)."""

    name: str
    service: str
    query: str
    by_measurement: bool = False


def _decisions(table: str) -> str:
    return (
        f"SELECT event_id, pg_xact_commit_timestamp(xmin), decision, referral_id IS NOT NULL, "
        f"xmin::text, decided_at FROM {table}"
    )


FIELDS = (
    Field(
        "social (priority case)",
        "social",
        "SELECT detection_measurement_id, pg_xact_commit_timestamp(xmin), 'opened', true, "
        "xmin::text, opened_at FROM priority_case",
        by_measurement=True,
    ),
    Field("education (PAUD)", "education", _decisions("stunting_paud_decision")),
    Field("housing (RTLH)", "housing", _decisions("stunting_rtlh_decision")),
    Field("public works (WASH)", "public-works", _decisions("stunting_wash_decision")),
)
SERVICES = ("registry", "health", *(f.service for f in FIELDS))
REGISTRY_FIELDS = ("health", "social", "education", "housing", "public_works")


@dataclass
class Reactions:
    """One field's reaction rows read back, by measurement id, and its consumer's transactions
    (transaction id → rows, the earliest row's own stamp, commit time)."""

    committed: dict[str, datetime]
    decisions: dict[str, str]
    referred: int
    transactions: dict[str, tuple[int, datetime, datetime]]

    def chunks(self) -> tuple[float, list[float], list[float]]:
        """Rows per transaction (mean), each transaction's time from its first reaction to its
        commit (s), and that time per row (s)."""
        spans = [
            (commit - first).total_seconds() for _, first, commit in self.transactions.values()
        ]
        per_row = [
            (commit - first).total_seconds() / n for n, first, commit in self.transactions.values()
        ]
        return len(self.committed) / max(len(self.transactions), 1), spans, per_row


async def read_reactions(url: str, field: Field, measurement_of: dict[str, str]) -> Reactions:
    """The field's reaction rows so far; ``measurement_of``: health's event id → measurement."""
    async with connect(url) as conn:
        rows = await conn.fetch(field.query)
    committed: dict[str, datetime] = {}
    decisions: dict[str, str] = {}
    referred = 0
    transactions: dict[str, tuple[int, datetime, datetime]] = {}
    for key, at, decision, opened, xid, stamp in rows:
        measurement = key if field.by_measurement else measurement_of.get(key)
        if measurement is None or at is None:
            continue
        committed[measurement], decisions[measurement] = at, decision
        referred += bool(opened)
        n, first, _ = transactions.get(xid, (0, stamp, at))
        transactions[xid] = (n + 1, min(first, stamp), at)
    return Reactions(committed, decisions, referred, transactions)


# --------------------------------------------------------------------------- seeding


def households(children: Sequence[DemoChild]) -> dict[str, DemoChild]:
    """One child per household (siblings share one), by household pseudonym."""
    out: dict[str, DemoChild] = {}
    for child in children:
        out.setdefault(child.target["household_ref"], child)
    return out


async def seed_fields(databases: dict[str, str], children: Sequence[DemoChild], seed: int) -> None:
    """What housing and public works know of the children's households, COPY-loaded."""
    known = households(children)
    rng = random.Random(seed)
    picked = [c for c in known.values() if rng.random() < KNOWN]
    await copy_tables(databases["housing"], model_tables(housing_metadata, houses(picked, seed)))
    wash = wash_households(picked, seed)
    await copy_tables(databases["public-works"], model_tables(public_works_metadata, wash))


def houses(children: Sequence[DemoChild], seed: int) -> dict[str, list[dict[str, Any]]]:
    """Each child's household in a house of its own, six in seven surveyed."""
    rng = random.Random(seed + 1)
    now, first = datetime.now(UTC), TODAY.replace(year=TODAY.year - 3)
    rows: dict[str, list[dict[str, Any]]] = {"house": [], "house_household": []}
    rows["house_assessment"] = []
    for child in children:
        target, house_id = child.target, draw_id(rng)
        recorded = draw_day(rng, first, TODAY)
        house: dict[str, Any] = {
            "id": house_id, "posyandu_id": target["posyandu_id"],
            "desa_code": target["desa_code"], "rt": "001", "rw": "001",
            "tenure": "milik_sendiri", "land_status": "milik_sendiri",
            "occupants": rng.randint(2, 7), "created_by": WHO, "created_at": now,
            "updated_by": WHO, "updated_at": now,
        }  # fmt: skip
        rows["house"].append(house)
        rows["house_household"].append(
            {
                "id": draw_id(rng),
                "house_id": house_id,
                "kk": target["kk"],
                "household_ref": target["household_ref"],
                "recorded_by": WHO,
                "recorded_at": at_nine(recorded),
            }
        )
        if rng.random() < 6 / 7:
            survey = house_survey(rng, house_id, draw_day(rng, recorded, TODAY), RTLH_ODDS)
            rows["house_assessment"].append(survey)
            house.update(
                latest_assessment_id=survey["id"],
                assessed_on=survey["surveyed_on"],
                rtlh_pupr=survey["rtlh_pupr"],
                rtlh_rutilahu=survey["rtlh_rutilahu"],
            )
    return rows


def wash_households(children: Sequence[DemoChild], seed: int) -> dict[str, list[dict[str, Any]]]:
    """Each child's household as public works knows it, with one survey."""
    rng = random.Random(seed + 2)
    first = TODAY.replace(year=TODAY.year - 3)
    rows: dict[str, list[dict[str, Any]]] = {"household": [], "wash_survey": []}
    for child in children:
        target, household_id = child.target, draw_id(rng)
        survey = wash_survey(rng, household_id, draw_day(rng, first, TODAY), POOR_WASH_ODDS)
        surveyed: date = survey["surveyed_on"]
        rows["household"].append(
            {
                "id": household_id, "kk": target["kk"], "household_ref": target["household_ref"],
                "posyandu_id": target["posyandu_id"], "desa_code": target["desa_code"],
                "latest_survey_id": survey["id"], "surveyed_on": surveyed,
                **{k: survey[k] for k in ("occupants", "water_level", "sanitation_level",
                                          "basic_water", "wastewater_service")},
                "created_by": WHO, "created_at": at_nine(surveyed), "updated_by": WHO,
                "updated_at": at_nine(surveyed),
            }
        )  # fmt: skip
        rows["wash_survey"].append(survey)
    return rows
