"""guides: unmet search queries; English names and keywords; life events as a concept map

Revision ID: guides_0002
Revises: guides_0001
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "guides_0002"
down_revision = "guides_0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "guide_unmet_queries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("query", sa.String(100), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_guide_unmet_queries"),
        sa.UniqueConstraint("query", "day", name="uq_guide_unmet_queries_query"),
    )
    op.create_index("ix_guide_unmet_queries_day", "guide_unmet_queries", ["day"])
    op.add_column("guide_items", sa.Column("name_en", sa.String(200)))
    op.add_column("guide_items", sa.Column("keywords_en", sa.JSON))
    op.add_column("guide_departments", sa.Column("name_en", sa.String(128)))
    op.add_column("guide_themes", sa.Column("name_en", sa.String(128)))
    op.add_column("guide_life_events", sa.Column("name_en", sa.String(64)))
    op.add_column("guide_life_events", sa.Column("description_en", sa.Text))
    op.add_column("guide_life_events", sa.Column("phrases", sa.JSON, nullable=False, server_default="[]"))
    op.add_column("guide_life_events", sa.Column("item_codes", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    for column in ("item_codes", "phrases", "description_en", "name_en"):
        op.drop_column("guide_life_events", column)
    op.drop_column("guide_themes", "name_en")
    op.drop_column("guide_departments", "name_en")
    op.drop_column("guide_items", "keywords_en")
    op.drop_column("guide_items", "name_en")
    op.drop_index("ix_guide_unmet_queries_day", table_name="guide_unmet_queries")
    op.drop_table("guide_unmet_queries")
