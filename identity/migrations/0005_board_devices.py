"""identity: hall display boards as devices of their hall

A board is registered, authenticated and revoked like a kiosk (same table,
same secret handling), but it may only read its hall's board and events: the
`kind` column keeps a board's secret from ever buying a kiosk token.

Revision ID: identity_0005_board_devices
Revises: identity_0003
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "identity_0005_board_devices"
down_revision = "identity_0004_wecom"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kiosk_devices", sa.Column("kind", sa.String(8), nullable=False, server_default="kiosk"))
    op.create_check_constraint("ck_kiosk_devices_kind", "kiosk_devices", "kind IN ('kiosk', 'board')")


def downgrade() -> None:
    op.execute("DELETE FROM kiosk_devices WHERE kind = 'board'")
    op.drop_constraint("ck_kiosk_devices_kind", "kiosk_devices", type_="check")
    op.drop_column("kiosk_devices", "kind")
