"""stunting paud decision

Revision ID: 4a5b6c7d8e94
Revises: 1d2e3f4a5b61
Create Date: 2026-12-06 09:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '4a5b6c7d8e94'
down_revision: str | None = '1d2e3f4a5b61'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stunting_paud_decision',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('episode_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('household_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('posyandu_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('desa_code', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
    sa.Column('age_months', sa.Integer(), nullable=False),
    sa.Column('detected_on', sa.Date(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('referral_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('stunting_paud_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stunting_paud_decision_decision'), ['decision'], unique=False)
        batch_op.create_index(batch_op.f('ix_stunting_paud_decision_episode_id'), ['episode_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stunting_paud_decision_person_ref'), ['person_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_stunting_paud_decision_posyandu_id'), ['posyandu_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stunting_paud_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stunting_paud_decision_posyandu_id'))
        batch_op.drop_index(batch_op.f('ix_stunting_paud_decision_person_ref'))
        batch_op.drop_index(batch_op.f('ix_stunting_paud_decision_episode_id'))
        batch_op.drop_index(batch_op.f('ix_stunting_paud_decision_decision'))

    op.drop_table('stunting_paud_decision')
