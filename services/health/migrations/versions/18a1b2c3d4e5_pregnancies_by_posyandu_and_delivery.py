"""Pregnancies by posyandu and delivery date, for the ibu bersalin recount

Revision ID: 18a1b2c3d4e5
Revises: bceb51e014e4
Create Date: 2026-12-06 21:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "18a1b2c3d4e5"
down_revision: str | None = "bceb51e014e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pregnancies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pregnancies_pos_delivered", ["posyandu_id", "delivered_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pregnancies", schema=None) as batch_op:
        batch_op.drop_index("ix_pregnancies_pos_delivered")
