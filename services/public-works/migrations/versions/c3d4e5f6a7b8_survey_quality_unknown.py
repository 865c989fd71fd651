"""a survey's water quality may be unknown (a survey from housing)

Revision ID: c3d4e5f6a7b8
Revises: 3e5ced50652e
Create Date: 2026-12-06 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3d4e5f6a7b8"
down_revision: str | None = "3e5ced50652e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wash_survey", schema=None) as batch_op:
        batch_op.alter_column("quality", existing_type=sa.JSON(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE wash_survey SET quality = '[]' WHERE quality IS NULL")
    with op.batch_alter_table("wash_survey", schema=None) as batch_op:
        batch_op.alter_column("quality", existing_type=sa.JSON(), nullable=False)
