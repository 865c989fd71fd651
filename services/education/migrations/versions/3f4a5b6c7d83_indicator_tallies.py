"""indicator counts per posyandu and month; households' deciles

Revision ID: 3f4a5b6c7d83
Revises: 2e3f4a5b6c72
Create Date: 2026-12-07 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '3f4a5b6c7d83'
down_revision: str | None = '2e3f4a5b6c72'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('education_tally',
    sa.Column('posyandu_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('basis', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('desa_code', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
    sa.Column('numerator', sa.Integer(), nullable=False),
    sa.Column('denominator', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('posyandu_id', 'month', 'code')
    )
    with op.batch_alter_table('education_tally', schema=None) as batch_op:
        batch_op.create_index('ix_education_tally_month_desa', ['month', 'desa_code'], unique=False, postgresql_ops={'desa_code': 'varchar_pattern_ops'})

    op.create_table('household_decile',
    sa.Column('household_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('decile', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('posyandu_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('desa_code', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
    sa.Column('last_event_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('household_ref')
    )


def downgrade() -> None:
    op.drop_table('household_decile')
    with op.batch_alter_table('education_tally', schema=None) as batch_op:
        batch_op.drop_index('ix_education_tally_month_desa', postgresql_ops={'desa_code': 'varchar_pattern_ops'})

    op.drop_table('education_tally')
