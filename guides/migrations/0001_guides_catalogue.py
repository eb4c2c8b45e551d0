"""guides: departments, versioned service items, materials, themes, life events

Revision ID: guides_0001
Revises:
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "guides_0001"
down_revision = None
branch_labels = ("guides",)
depends_on = "platform_0001"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "guide_departments",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("short_name", sa.String(16), nullable=False),
        sa.Column("credit_code", sa.String(18)),
        sa.Column("consult_phone", sa.String(32)),
        sa.Column("complaint_phone", sa.String(32)),
        sa.PrimaryKeyConstraint("code", name="pk_guide_departments"),
        sa.UniqueConstraint("number", name="uq_guide_departments_number"),
    )
    op.create_table(
        "guide_catalogue",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_guide_catalogue"),
    )
    op.execute("INSERT INTO guide_catalogue (id, version) VALUES (1, 0)")
    op.create_table(
        "guide_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer),
        sa.Column("retired_version", sa.Integer),
        sa.Column("implementation_code", sa.String(21), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("department_code", sa.String(32), nullable=False),
        sa.Column("item_type", sa.String(16), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("service_object", sa.JSON, nullable=False),
        sa.Column("legal_basis", sa.JSON, nullable=False),
        sa.Column("conditions", sa.Text, nullable=False),
        sa.Column("fees", sa.JSON, nullable=False),
        sa.Column("steps", sa.JSON, nullable=False),
        sa.Column("statutory_days", sa.Integer, nullable=False),
        sa.Column("promised_days", sa.Integer, nullable=False),
        sa.Column("visits_required", sa.Integer, nullable=False),
        sa.Column("visits_reason", sa.String(255)),
        sa.Column("online_depth", sa.Integer, nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("appointment_supported", sa.Boolean, nullable=False),
        sa.Column("postal_delivery", sa.Boolean, nullable=False),
        sa.Column("cross_town", sa.Boolean, nullable=False),
        sa.Column("in_person_required", sa.Boolean, nullable=False),
        sa.Column("certificate_type", sa.String(64)),
        sa.Column("consult_phone", sa.String(32), nullable=False),
        sa.Column("complaint_phone", sa.String(32), nullable=False),
        sa.Column("faqs", sa.JSON, nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("life_events", sa.JSON, nullable=False),
        sa.Column("form_fields", sa.JSON, nullable=False),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("published_at", TS),
        sa.Column("published_by", sa.String(32)),
        sa.Column("retired_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_guide_items"),
        sa.ForeignKeyConstraint(["department_code"], ["guide_departments.code"],
                                name="fk_guide_items_department_code_guide_departments"),
        sa.UniqueConstraint("code", "revision", name="uq_guide_items_code_revision"),
        sa.CheckConstraint("status IN ('draft', 'published', 'superseded', 'retired')", name="ck_guide_items_status"),
        sa.CheckConstraint("online_depth BETWEEN 1 AND 4", name="ck_guide_items_online_depth"),
    )
    published = sa.text("status = 'published'")
    draft = sa.text("status = 'draft'")
    op.create_index("uq_guide_items_published_code", "guide_items", ["code"], unique=True,
                    postgresql_where=published)
    op.create_index("uq_guide_items_draft_code", "guide_items", ["code"], unique=True,
                    postgresql_where=draft)
    op.create_index("ix_guide_items_version", "guide_items", ["version"])
    op.create_index("ix_guide_items_retired_version", "guide_items", ["retired_version"])
    op.create_index("ix_guide_items_department_code", "guide_items", ["department_code"])
    op.create_table(
        "guide_materials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("required", sa.Boolean, nullable=False),
        sa.Column("condition", sa.String(255)),
        sa.Column("form", sa.String(8), nullable=False),
        sa.Column("copies", sa.Integer, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("shared_waiver", sa.Boolean, nullable=False),
        sa.Column("commitment_allowed", sa.Boolean, nullable=False),
        sa.Column("note", sa.String(255)),
        sa.PrimaryKeyConstraint("id", name="pk_guide_materials"),
        sa.ForeignKeyConstraint(["item_id"], ["guide_items.id"], ondelete="CASCADE",
                                name="fk_guide_materials_item_id_guide_items"),
        sa.UniqueConstraint("item_id", "code", name="uq_guide_materials_item_id"),
    )
    op.create_table(
        "guide_themes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("stages", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_guide_themes"),
        sa.UniqueConstraint("name", name="uq_guide_themes_name"),
    )
    op.create_table(
        "guide_life_events",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_guide_life_events"),
        sa.UniqueConstraint("name", name="uq_guide_life_events_name"),
    )


def downgrade() -> None:
    op.drop_table("guide_life_events")
    op.drop_table("guide_themes")
    op.drop_table("guide_materials")
    op.drop_index("ix_guide_items_department_code", table_name="guide_items")
    op.drop_index("ix_guide_items_retired_version", table_name="guide_items")
    op.drop_index("ix_guide_items_version", table_name="guide_items")
    op.drop_index("uq_guide_items_draft_code", table_name="guide_items")
    op.drop_index("uq_guide_items_published_code", table_name="guide_items")
    op.drop_table("guide_items")
    op.drop_table("guide_catalogue")
    op.drop_table("guide_departments")
