"""the web console: web_users, web_sessions, web_api_tokens, audit_log, web_drafts

Revision ID: 0010_web_users
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_web_users"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("unit", sa.String(200)),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime()),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_web_users"),
        sa.UniqueConstraint("name", name="uq_web_users_name"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_users.id"], name="fk_web_sessions_user_id_web_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "web_api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_web_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_web_api_tokens_token_hash"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_users.id"], name="fk_web_api_tokens_user_id_web_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_web_api_tokens_user_id", "web_api_tokens", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_name", sa.String(100)),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("target", sa.String(300)),
        sa.Column("detail", sa.Text()),
        sa.Column("address", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "web_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(200)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("findings", sa.JSON()),
        sa.Column("finding_count", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_web_drafts"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_users.id"], name="fk_web_drafts_user_id_web_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_web_drafts_user_created", "web_drafts", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_table("web_drafts")
    op.drop_table("audit_log")
    op.drop_table("web_api_tokens")
    op.drop_table("web_sessions")
    op.drop_table("web_users")
