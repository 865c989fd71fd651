"""school screening follow-up code length

A school screening's follow-up is ``none`` or ``referred_to_puskesmas``: the column takes 24
characters (it took 12).

Revision ID: 18c1b2c3d4e5
Revises: 18a1b2c3d4e5
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlmodel
from alembic import op

revision: str = "18c1b2c3d4e5"
down_revision: str | None = "18a1b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("school_screenings", schema=None) as batch_op:
        batch_op.alter_column(
            "follow_up",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=12),
            type_=sqlmodel.sql.sqltypes.AutoString(length=24),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("school_screenings", schema=None) as batch_op:
        batch_op.alter_column(
            "follow_up",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=24),
            type_=sqlmodel.sql.sqltypes.AutoString(length=12),
            existing_nullable=False,
        )
