"""balita weighed kept on write

The SPM balita numerator per (registering posyandu, desa, period), which the measurement write
path keeps from now on (simpul_health.weighed), backfilled here from the measurements already
stored: for every month, quarter and year with a measurement, the children who were balita at
its end and were weighed ceil(8 × months / 12) times in it. The counting is written out here
rather than imported, so that this revision keeps meaning what it meant when it was written.

Revision ID: 7c41d9e2b5a8
Revises: 1348c089b75a
Create Date: 2026-12-01 02:20:00
"""

import calendar
import math
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7c41d9e2b5a8"
down_revision: str | None = "1348c089b75a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODES = ("posyandu_id", "desa_code", "kecamatan_code", "kabupaten_code")
weighed = sa.table("balita_weighed", *(sa.column(c) for c in (*CODES, "period", "children")))
targets = sa.table("targets", sa.column("id"), sa.column("birth_date"), *map(sa.column, CODES))
measurements = sa.table("measurements", sa.column("target_id"), sa.column("measured_on"))


def upgrade() -> None:
    op.create_table(
        "balita_weighed",
        sa.Column("posyandu_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("desa_code", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("kecamatan_code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("kabupaten_code", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("posyandu_id", "desa_code", "period"),
    )
    with op.batch_alter_table("balita_weighed", schema=None) as batch_op:
        batch_op.create_index("ix_balita_weighed_desa", ["desa_code", "period"], unique=False)
        batch_op.create_index("ix_balita_weighed_kec", ["kecamatan_code", "period"], unique=False)
        batch_op.create_index("ix_balita_weighed_kab", ["kabupaten_code", "period"], unique=False)
    backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("balita_weighed", schema=None) as batch_op:
        batch_op.drop_index("ix_balita_weighed_kab")
        batch_op.drop_index("ix_balita_weighed_kec")
        batch_op.drop_index("ix_balita_weighed_desa")
    op.drop_table("balita_weighed")


def backfill(connection: sa.Connection) -> None:
    """One INSERT … SELECT per month, quarter and year of every year with measurements."""
    year = sa.extract("year", measurements.c.measured_on)
    years = sorted(int(y) for (y,) in connection.execute(sa.select(year).distinct()))
    for y in years:
        periods = [(f"{y:04d}-{m:02d}", m, m) for m in range(1, 13)]
        periods += [(f"{y:04d}-Q{q}", 3 * q - 2, 3 * q) for q in range(1, 5)]
        periods.append((f"{y:04d}", 1, 12))
        for label, first, last in periods:
            connection.execute(_recount(label, y, first, last))


def _recount(label: str, year: int, first: int, last: int) -> sa.Insert:
    start = date(year, first, 1)
    end = date(year, last, calendar.monthrange(year, last)[1])
    required = max(1, math.ceil(8 * (last - first + 1) / 12))
    weighed_enough = (
        sa.select(measurements.c.target_id)
        .where(measurements.c.measured_on.between(start, end))
        .group_by(measurements.c.target_id)
        .having(sa.func.count() >= required)
    )
    codes = [targets.c[c] for c in CODES]
    counted = (
        sa.select(*codes, sa.cast(sa.literal(label), sa.String(7)), sa.func.count())
        .where(
            targets.c.birth_date > _months_before(end, 60),
            targets.c.birth_date <= end,
            targets.c.id.in_(weighed_enough),
        )
        .group_by(*codes)
    )
    return sa.insert(weighed).from_select([*CODES, "period", "children"], counted)


def _months_before(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
