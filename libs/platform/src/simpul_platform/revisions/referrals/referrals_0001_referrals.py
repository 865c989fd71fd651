"""referrals

A field's referrals and their steps (simpul_platform.referrals.tables). Only a service that
mounts referrals loads this branch (run_env, given referral_metadata).

Revision ID: referrals_0001
Revises:
Create Date: 2026-12-06 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "referrals_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("referrals",)
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('requested', 'accepted')")


def upgrade() -> None:
    op.create_table(
        "referral",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("source_field", sa.String(length=16), nullable=False),
        sa.Column("target_field", sa.String(length=16), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("posyandu_id", sa.String(length=36), nullable=False),
        sa.Column("desa_code", sa.String(length=13), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=8), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("person_ref", sa.String(length=64), nullable=True),
        sa.Column("household_ref", sa.String(length=64), nullable=True),
        sa.Column("need_key", sa.String(length=240), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("no_kk", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("rejected_on", sa.Date(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("case_ref", sa.String(length=64), nullable=True),
        sa.Column("rejection_code", sa.String(length=40), nullable=True),
        sa.Column("outcome_code", sa.String(length=40), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index("ix_referral_posyandu_id", ["posyandu_id"], unique=False)
        batch_op.create_index("ix_referral_desa_code", ["desa_code"], unique=False)
        batch_op.create_index(
            "ix_referral_direction_status_due_on", ["direction", "status", "due_on"], unique=False
        )
        batch_op.create_index(
            "uq_referral_open_need",
            ["direction", "need_key"],
            unique=True,
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )
    op.create_table(
        "referral_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("step_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("referral_history", schema=None) as batch_op:
        batch_op.create_index("ix_referral_history_referral_id", ["referral_id"], unique=False)


def downgrade() -> None:
    op.drop_table("referral_history")
    op.drop_table("referral")
