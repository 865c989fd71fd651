"""outbox rows announced on commit

A statement-level trigger that notifies ``simpul_outbox`` when rows are written to the outbox,
so the relay hears commits instead of waiting for its poll (``simpul_platform.outbox_signal``).
PostgreSQL only; SQLite keeps polling.

Revision ID: platform_0002
Revises: platform_0001
Create Date: 2026-12-07 23:10:00
"""

from collections.abc import Sequence

from alembic import op

from simpul_platform.outbox_signal import NOTIFY_FUNCTION, NOTIFY_TRIGGER

revision: str = "platform_0002"
down_revision: str | None = "platform_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
        op.execute("DROP FUNCTION IF EXISTS simpul_outbox_notify()")
