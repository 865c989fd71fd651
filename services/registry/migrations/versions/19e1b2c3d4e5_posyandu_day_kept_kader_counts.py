"""posyandu day kept kader counts

Revision ID: 19e1b2c3d4e5
Revises: 19d1b2c3d4e5
Create Date: 2026-12-07 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "19e1b2c3d4e5"
down_revision: str | None = "19d1b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The kader appointed on the row's day at its posyandu (as ops/day_counts.py counts them).
APPOINTED = """
    person.posyandu_id = posyandu_day.posyandu_id
    AND person.role = 'kader'
    AND person.start_date <= posyandu_day.day
    AND (person.end_date IS NULL OR person.end_date >= posyandu_day.day)
"""
BACKFILL = f"""
UPDATE posyandu_day SET
    kader_expected = (SELECT count(*) FROM person WHERE {APPOINTED}),
    kader_present = (
        SELECT count(*) FROM kader_attendance
        JOIN person ON person.id = kader_attendance.person_id
        WHERE kader_attendance.posyandu_id = posyandu_day.posyandu_id
            AND kader_attendance.day = posyandu_day.day
            AND kader_attendance.status = 'present'
            AND {APPOINTED}
    )
"""


def upgrade() -> None:
    with op.batch_alter_table("posyandu_day", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kader_expected", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("kader_present", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("posyandu_day", schema=None) as batch_op:
        batch_op.drop_column("kader_present")
        batch_op.drop_column("kader_expected")
