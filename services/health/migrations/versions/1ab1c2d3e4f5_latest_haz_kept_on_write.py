"""latest HAZ kept on write

Each child's latest measurement with a HAZ per (period, kabupaten, child), which the
measurement write path keeps from now on (simpul_health.ops.latest_haz), for the stunting
counts of a kabupaten or wider area; backfilled here from the measurements already stored: for
every month, quarter and year with a measurement, each child's latest row with a HAZ among its
kabupaten's rows. The counting is written out here rather than imported, so that this revision
keeps meaning what it meant when it was written.

Revision ID: 1ab1c2d3e4f5
Revises: 19a1b2c3d4e5
Create Date: 2026-12-07 10:10:00
"""

import calendar
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "1ab1c2d3e4f5"
down_revision: str | None = "19a1b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ("period", "kabupaten_code", "target_id")
KEPT = ("measured_on", "desa_code", "haz", "whz", "waz")
latest_haz = sa.table("latest_haz", *(sa.column(c) for c in (*KEY, *KEPT)))
measurements = sa.table(
    "measurements", *(sa.column(c) for c in ("kabupaten_code", "target_id", *KEPT))
)


def upgrade() -> None:
    op.create_table(
        "latest_haz",
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("kabupaten_code", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("target_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("desa_code", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
        sa.Column("haz", sa.Float(), nullable=False),
        sa.Column("whz", sa.Float(), nullable=True),
        sa.Column("waz", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint(
            "period",
            "kabupaten_code",
            "target_id",
            postgresql_include=["desa_code", "haz", "whz", "waz"],
        ),
    )
    with op.batch_alter_table("latest_haz", schema=None) as batch_op:
        batch_op.create_index(
            "ix_latest_haz_period_target",
            ["period", "target_id", sa.literal_column("measured_on DESC")],
            unique=False,
            postgresql_ops={"target_id": "varchar_pattern_ops"},
            postgresql_include=["kabupaten_code", "desa_code", "haz", "whz", "waz"],
        )
    backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("latest_haz", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_latest_haz_period_target",
            postgresql_ops={"target_id": "varchar_pattern_ops"},
            postgresql_include=["kabupaten_code", "desa_code", "haz", "whz", "waz"],
        )
    op.drop_table("latest_haz")


def backfill(connection: sa.Connection) -> None:
    """One INSERT … SELECT per month, quarter and year of every year with measurements."""
    year = sa.extract("year", measurements.c.measured_on)
    years = sorted(int(y) for (y,) in connection.execute(sa.select(year).distinct()))
    for y in years:
        periods = [(f"{y:04d}-{m:02d}", m, m) for m in range(1, 13)]
        periods += [(f"{y:04d}-Q{q}", 3 * q - 2, 3 * q) for q in range(1, 5)]
        periods.append((f"{y:04d}", 1, 12))
        for label, first, last in periods:
            start, end = date(y, first, 1), date(y, last, calendar.monthrange(y, last)[1])
            connection.execute(_latest(label, start, end))


def _latest(label: str, start: date, end: date) -> sa.Insert:
    m = measurements.c
    ranked = (
        sa.select(
            m.kabupaten_code,
            m.target_id,
            *(m[c] for c in KEPT),
            sa.func.row_number()
            .over(partition_by=(m.kabupaten_code, m.target_id), order_by=m.measured_on.desc())
            .label("rn"),
        )
        .where(m.measured_on.between(start, end), m.haz.is_not(None))
        .subquery()
    )
    rows = sa.select(
        sa.cast(sa.literal(label), sa.String(7)),
        ranked.c.kabupaten_code,
        ranked.c.target_id,
        *(ranked.c[c] for c in KEPT),
    ).where(ranked.c.rn == 1)
    return sa.insert(latest_haz).from_select([*KEY, *KEPT], rows)
