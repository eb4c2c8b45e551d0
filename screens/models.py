"""The hall's notice line, shown at the bottom of its display board."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mobile_api.db import Base, UTCDateTime


class HallNotice(Base):
    __tablename__ = "screens_hall_notices"

    hall_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(200), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by: Mapped[int | None] = mapped_column(Integer)
