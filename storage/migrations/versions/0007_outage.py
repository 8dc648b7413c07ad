"""our own outage: crawl_runs.outage, crawl_outcomes.connection_failed

Revision ID: 0007_outage
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_outage"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("outage", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("crawl_outcomes") as batch:
        batch.add_column(
            sa.Column("connection_failed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("crawl_outcomes") as batch:
        batch.drop_column("connection_failed")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("outage")
