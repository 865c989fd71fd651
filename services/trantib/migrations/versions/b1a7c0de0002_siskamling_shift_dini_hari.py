"""a siskamling patrol's shift holds dini_hari (nine characters)

Revision ID: b1a7c0de0002
Revises: 0978f8764027
Create Date: 2026-12-06 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b1a7c0de0002"
down_revision: str | None = "0978f8764027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("siskamling_patrol", schema=None) as batch_op:
        batch_op.alter_column(
            "shift",
            existing_type=sa.String(length=8),
            type_=sa.String(length=12),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("siskamling_patrol", schema=None) as batch_op:
        batch_op.alter_column(
            "shift",
            existing_type=sa.String(length=12),
            type_=sa.String(length=8),
            existing_nullable=False,
        )
