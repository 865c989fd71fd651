"""indexes for indicator queries

Covering indexes so that bansos coverage, the decile counts and the per-desa poverty of a
kabupaten read indexes alone, and a wilayah prefix is an index range under any collation
(varchar_pattern_ops); see ops/aggregates.py. Each new index has the old one's leading
columns, so it serves every query the old one did.

Revision ID: 89df2e39c86a
Revises: 56837ca59f08
Create Date: 2026-11-23 20:39:35.453895
"""

from collections.abc import Sequence

from alembic import op

revision: str = "89df2e39c86a"
down_revision: str | None = "56837ca59f08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("distribution", schema=None) as batch_op:
        batch_op.create_index(
            "ix_distribution_household_program",
            ["household_id", "program_code"],
            unique=False,
            postgresql_include=["status", "period_start", "period_end"],
        )
        batch_op.create_index(
            "ix_distribution_period_end",
            ["period_end", "period_start"],
            unique=False,
            postgresql_include=["status", "program_code", "household_id"],
        )
        batch_op.drop_index("ix_distribution_household_id")
        batch_op.drop_index("ix_distribution_period")

    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_desa_decile",
            ["desa_code", "decile"],
            unique=False,
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
            postgresql_include=["id"],
        )
        batch_op.create_index(
            "ix_household_decile_desa",
            ["decile"],
            unique=False,
            postgresql_include=["desa_code", "id"],
        )
        batch_op.drop_index("ix_household_desa_code")
        batch_op.drop_index("ix_household_decile")


def downgrade() -> None:
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index("ix_household_decile", ["decile"], unique=False)
        batch_op.create_index("ix_household_desa_code", ["desa_code"], unique=False)
        batch_op.drop_index("ix_household_decile_desa")
        batch_op.drop_index("ix_household_desa_decile")

    with op.batch_alter_table("distribution", schema=None) as batch_op:
        batch_op.create_index(
            "ix_distribution_period", ["period_start", "period_end"], unique=False
        )
        batch_op.create_index("ix_distribution_household_id", ["household_id"], unique=False)
        batch_op.drop_index("ix_distribution_period_end")
        batch_op.drop_index("ix_distribution_household_program")
