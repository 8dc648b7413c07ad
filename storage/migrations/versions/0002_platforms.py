"""platforms: comments, operator alerts, website selectors, interaction figures

Revision ID: 0002_platforms
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_platforms"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("selectors", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reply_rate_30d", sa.Float(), nullable=True))
        batch.add_column(sa.Column("reply_median_hours_30d", sa.Float(), nullable=True))
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("platform_post_id", sa.String(length=200), nullable=False),
        sa.Column("platform_comment_id", sa.String(length=200), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=100), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=True),
        sa.Column("by_account", sa.Boolean(), nullable=False),
        sa.Column("reply_to", sa.String(length=200), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_comments_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("account_id", "platform_comment_id", name="uq_comments_account_comment"),
    )
    op.create_index("ix_comments_account_published", "comments", ["account_id", "published_at"])
    op.create_table(
        "operator_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=100), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("accounts_affected", sa.Integer(), nullable=False),
        sa.Column("accounts_total", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_operator_alerts_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_alerts")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_operator_alerts_fingerprint")),
    )
    op.create_index(op.f("ix_operator_alerts_platform"), "operator_alerts", ["platform"])


def downgrade() -> None:
    op.drop_index(op.f("ix_operator_alerts_platform"), table_name="operator_alerts")
    op.drop_table("operator_alerts")
    op.drop_index("ix_comments_account_published", table_name="comments")
    op.drop_table("comments")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("reply_median_hours_30d")
        batch.drop_column("reply_rate_30d")
        batch.drop_column("selectors")
