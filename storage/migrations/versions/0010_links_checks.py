"""links in posts: link_check_runs, link_checks

Revision ID: 0010_links_checks
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_links_checks"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_check_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("canary_ok", sa.Boolean(), nullable=True),
        sa.Column("outage", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_check_runs")),
    )
    op.create_table(
        "link_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("verdict", sa.String(length=12), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("connection_failed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["link_check_runs.id"],
            name=op.f("fk_link_checks_run_id_link_check_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_checks")),
    )
    op.create_index(op.f("ix_link_checks_run_id"), "link_checks", ["run_id"], unique=False)
    op.create_index("ix_link_checks_url_checked", "link_checks", ["url", "checked_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_link_checks_url_checked", table_name="link_checks")
    op.drop_index(op.f("ix_link_checks_run_id"), table_name="link_checks")
    op.drop_table("link_checks")
    op.drop_table("link_check_runs")
