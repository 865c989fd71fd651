"""indexes for indicator queries

Covering indexes so that the stunting and SPM counts of a kabupaten read indexes alone
(index-only scans), with no on-disk sort; see queries.py. An index-only scan still reads the
table for pages not yet marked all-visible by a vacuum; by default autovacuum visits an
insert-only table after 20% new rows (over two months of a kabupaten's weighings), so the
month a scorecard asks about would be the one not marked. 1% keeps it within days.

Revision ID: 1348c089b75a
Revises: e2c576299ea6
Create Date: 2026-11-23 19:33:19
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1348c089b75a"
down_revision: str | None = "e2c576299ea6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


INSERT_SCALE = "autovacuum_vacuum_insert_scale_factor"


def upgrade() -> None:
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_measurements_kab_latest",
            ["kabupaten_code", "target_id", sa.literal_column("measured_on DESC")],
            postgresql_ops={"target_id": "varchar_pattern_ops"},
            unique=False,
            postgresql_include=["desa_code", "haz", "whz", "waz"],
            postgresql_where=sa.text("haz IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_measurements_on_target",
            ["measured_on", "target_id"],
            unique=False,
            postgresql_include=["kabupaten_code", "desa_code", "haz", "whz", "waz"],
        )
    with op.batch_alter_table("targets", schema=None) as batch_op:
        # The same key with the id included: it serves every query the old one did.
        batch_op.create_index(
            "ix_targets_kab_birth_id",
            ["kabupaten_code", "birth_date"],
            unique=False,
            postgresql_include=["id"],
        )
        batch_op.drop_index("ix_targets_kab_birth")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE measurements SET ({INSERT_SCALE} = 0.01)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE measurements RESET ({INSERT_SCALE})")
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_targets_kab_birth", ["kabupaten_code", "birth_date"], unique=False
        )
        batch_op.drop_index("ix_targets_kab_birth_id")
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.drop_index("ix_measurements_on_target")
        batch_op.drop_index("ix_measurements_kab_latest")
