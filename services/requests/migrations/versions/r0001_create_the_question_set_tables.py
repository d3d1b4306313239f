"""create the question set tables

Revision ID: r0001
Revises:
Create Date: 2026-12-05 23:18:51.424574
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_sets",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("question_sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_sets_area"), ["area"], unique=False)

    op.create_table(
        "question_set_versions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("set_key", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("published_at", services.common.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_key"],
            ["question_sets.key"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("set_key", "number", name="uq_question_set_versions_number"),
    )
    with op.batch_alter_table("question_set_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_set_versions_set_key"), ["set_key"], unique=False
        )
        batch_op.create_index(
            "uq_question_set_versions_one_draft",
            ["set_key"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("question_set_versions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_question_set_versions_one_draft",
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index(batch_op.f("ix_question_set_versions_set_key"))

    op.drop_table("question_set_versions")
    with op.batch_alter_table("question_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_sets_area"))

    op.drop_table("question_sets")
