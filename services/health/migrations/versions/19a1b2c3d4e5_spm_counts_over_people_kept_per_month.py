"""SPM counts over people kept per posyandu and month

``health_tally`` (``simpul_platform.tallies``): the balita denominator, ibu hamil and the four
screening services per posyandu at a month's end, with the month, quarter-to-date and
year-to-date numerators. Rows are made on read for the posyandu-months that have none, so the
table starts empty: the first read of a month counts every posyandu of its area from the
records already stored (that is the backfill), and every write drops the rows it changes.

Revision ID: 19a1b2c3d4e5
Revises: 18f1b2c3d4e5
Create Date: 2026-12-07 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "19a1b2c3d4e5"
down_revision: str | None = "18f1b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "health_tally",
        sa.Column("posyandu_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("desa_code", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("posyandu_id", "month", "code"),
    )
    with op.batch_alter_table("health_tally", schema=None) as batch_op:
        batch_op.create_index(
            "ix_health_tally_month_desa",
            ["month", "desa_code"],
            unique=False,
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        )


def downgrade() -> None:
    with op.batch_alter_table("health_tally", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_health_tally_month_desa", postgresql_ops={"desa_code": "varchar_pattern_ops"}
        )
    op.drop_table("health_tally")
