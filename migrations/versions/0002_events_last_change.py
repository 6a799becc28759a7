"""Record on each event the change that produced its current revision (created | updated | merged).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Batch mode: SQLite cannot add a CHECK constraint in place, so Alembic copies ``events`` into a new table
(data included); PostgreSQL gets a plain ALTER TABLE. Existing rows keep NULL: their last change is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("last_change", sa.String(length=8), nullable=True))
        batch.create_check_constraint(
            op.f("ck_events_last_change"), "last_change IN ('created', 'updated', 'merged')"
        )


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint(op.f("ck_events_last_change"), type_="check")
        batch.drop_column("last_change")
