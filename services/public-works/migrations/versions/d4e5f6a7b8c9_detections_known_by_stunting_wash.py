"""health's detections make households known in the stunting-wash consumer

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-12-07 16:40:00.000000

From this revision the ``public-works.known-households`` consumer no longer reads health's
topic; the stunting-wash consumer knows a detection's household in its reaction's transaction.
The two groups read health's topic at their own pace, so a detection the stunting-wash group
had already decided when the service was upgraded, and the known-households group had not
yet read, would never make its household known. Every such household is in
``stunted_household`` (written by the same reaction): known from its first detection there, at
its posyandu, unless another field knew it earlier. The kept counts are dropped (refilled on
the next read).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d4e5f6a7b8c9"
down_revision: str | None = "c3d4e5f6a7b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KNOWN_LATER = """
UPDATE known_household SET
    posyandu_id = (SELECT s.posyandu_id FROM stunted_household s
                   WHERE s.household_ref = known_household.household_ref),
    desa_code = (SELECT s.desa_code FROM stunted_household s
                 WHERE s.household_ref = known_household.household_ref),
    source = 'health',
    known_on = (SELECT s.first_detected_on FROM stunted_household s
                WHERE s.household_ref = known_household.household_ref),
    last_event_id = (SELECT s.last_event_id FROM stunted_household s
                     WHERE s.household_ref = known_household.household_ref)
WHERE EXISTS (
    SELECT 1 FROM stunted_household s
    WHERE s.household_ref = known_household.household_ref
        AND s.first_detected_on < known_household.known_on
)
"""
NOT_KNOWN = """
INSERT INTO known_household (household_ref, posyandu_id, desa_code, source, known_on, last_event_id)
SELECT s.household_ref, s.posyandu_id, s.desa_code, 'health', s.first_detected_on, s.last_event_id
FROM stunted_household s
WHERE NOT EXISTS (SELECT 1 FROM known_household k WHERE k.household_ref = s.household_ref)
"""


def upgrade() -> None:
    op.execute(KNOWN_LATER)
    op.execute(NOT_KNOWN)
    op.execute("DELETE FROM public_works_tally")


def downgrade() -> None:
    """Nothing to undo: the rows are what the known-households consumer would have written."""
