"""draw: draws (entity and inspector ceremonies), department confirmations and exclusions

Revision ID: 0003_draw
Revises: 0001_foundation
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_draw"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("live", sa.Integer(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("population", sa.Text(), nullable=False),
        sa.Column("population_size", sa.Integer(), nullable=False),
        sa.Column("population_digest", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("witness", sa.Text(), nullable=True),
        sa.Column("seed", sa.String(length=64), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("abandon_reason", sa.Text(), nullable=True),
        sa.Column("prepared_by_id", sa.Integer(), nullable=True),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prepared_ip", sa.String(length=64), nullable=True),
        sa.Column("executed_by_id", sa.Integer(), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("executed_on", sa.Date(), nullable=True),
        sa.Column("executed_ip", sa.String(length=64), nullable=True),
        sa.Column("abandoned_by_id", sa.Integer(), nullable=True),
        sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("abandoned_ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_draws_plan_id_plans")),
        sa.ForeignKeyConstraint(["prepared_by_id"], ["users.id"], name=op.f("fk_draws_prepared_by_id_users")),
        sa.ForeignKeyConstraint(["executed_by_id"], ["users.id"], name=op.f("fk_draws_executed_by_id_users")),
        sa.ForeignKeyConstraint(["abandoned_by_id"], ["users.id"], name=op.f("fk_draws_abandoned_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draws")),
        sa.UniqueConstraint("plan_id", "kind", "live", name="uq_draws_live"),
    )
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draws_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "draw_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deadline_provisional", sa.Boolean(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["draw_id"], ["draws.id"], name=op.f("fk_draw_confirmations_draw_id_draws")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_draw_confirmations_department_id_departments")),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["users.id"],
                                name=op.f("fk_draw_confirmations_confirmed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draw_confirmations")),
        sa.UniqueConstraint("draw_id", "department_id", name="uq_draw_confirmations_pair"),
    )
    with op.batch_alter_table("draw_confirmations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draw_confirmations_draw_id"), ["draw_id"], unique=False)

    op.create_table(
        "draw_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("confirmation_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("reason_code", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["confirmation_id"], ["draw_confirmations.id"], ondelete="CASCADE",
                                name=op.f("fk_draw_exclusions_confirmation_id_draw_confirmations")),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name=op.f("fk_draw_exclusions_entity_id_entities")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_draw_exclusions_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draw_exclusions")),
        sa.UniqueConstraint("confirmation_id", "entity_id", name="uq_draw_exclusions_pair"),
    )
    with op.batch_alter_table("draw_exclusions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draw_exclusions_confirmation_id"), ["confirmation_id"], unique=False)


def downgrade():
    op.drop_table("draw_exclusions")
    op.drop_table("draw_confirmations")
    op.drop_table("draws")
