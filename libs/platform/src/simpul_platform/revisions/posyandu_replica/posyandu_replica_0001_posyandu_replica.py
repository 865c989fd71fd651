"""posyandu replica

The registry's posyandu as a field service keeps it (simpul_platform.replica), as health's and
social's initial revisions created it before the platform migrated its own tables. Only a
service that keeps a replica loads this branch (run_env, given replica_metadata).

Revision ID: posyandu_replica_0001
Revises:
Create Date: 2026-12-06 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "posyandu_replica_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("posyandu_replica",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "posyandu_replica",
        sa.Column("posyandu_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("desa_code", sa.String(length=13), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=8), nullable=False),
        sa.Column("kabupaten_code", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("fields", sa.String(length=80), nullable=False),
        sa.Column("registration_number", sa.String(length=17), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("posyandu_id"),
    )
    with op.batch_alter_table("posyandu_replica", schema=None) as batch_op:
        for column in ("desa_code", "kabupaten_code", "kecamatan_code"):
            batch_op.create_index(batch_op.f(f"ix_posyandu_replica_{column}"), [column])


def downgrade() -> None:
    with op.batch_alter_table("posyandu_replica", schema=None) as batch_op:
        for column in ("kecamatan_code", "kabupaten_code", "desa_code"):
            batch_op.drop_index(batch_op.f(f"ix_posyandu_replica_{column}"))
    op.drop_table("posyandu_replica")
