"""bansos coverage counts per posyandu and month

The table ``simpul_platform.tallies`` keeps social's coverage in (ops/tallies.py). It starts
empty: a database migrated with data already in it reads the same numbers, each posyandu's
month counted on its first read.

Revision ID: 6a7b8c9d0e11
Revises: 5c1a7d150001
Create Date: 2026-12-07 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "6a7b8c9d0e11"
down_revision: str | None = "5c1a7d150001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "social_tally",
        sa.Column("posyandu_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("desa_code", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("posyandu_id", "month", "code"),
    )
    with op.batch_alter_table("social_tally", schema=None) as batch_op:
        batch_op.create_index(
            "ix_social_tally_month_desa",
            ["month", "desa_code"],
            unique=False,
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        )


def downgrade() -> None:
    with op.batch_alter_table("social_tally", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_social_tally_month_desa", postgresql_ops={"desa_code": "varchar_pattern_ops"}
        )
    op.drop_table("social_tally")
