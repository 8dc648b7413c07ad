"""spot check: spotcheck_notes (a person's 制作水准 notes per account and period)

Revision ID: 0010_score_spotcheck_notes
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_score_spotcheck_notes"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spotcheck_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_spotcheck_notes_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_spotcheck_notes"),
        sa.UniqueConstraint("period", "account_id", name="uq_spotcheck_notes_period_account"),
    )


def downgrade() -> None:
    op.drop_table("spotcheck_notes")
