"""The real-name record of a citizen (实名信息): name and ID number encrypted,
found through keyed blind indexes, never stored in clear."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mobile_api.db import Base, UTCDateTime


class RealNameRecord(Base):
    __tablename__ = "identity_real_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # One record per citizen; one citizen per ID number (the blind index).
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), nullable=False,
                                            unique=True)
    id_number_index: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    id_number_enc: Mapped[str] = mapped_column(Text, nullable=False)
    name_enc: Mapped[str] = mapped_column(Text, nullable=False)
    # Masked forms are not personal data in the sense of the rules; kept so
    # lists and summaries need no decryption.
    id_number_masked: Mapped[str] = mapped_column(String(32), nullable=False)
    name_masked: Mapped[str] = mapped_column(String(64), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # declared | verified
    verified_method: Mapped[str | None] = mapped_column(String(32))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("status IN ('declared', 'verified')", name="status"),)
