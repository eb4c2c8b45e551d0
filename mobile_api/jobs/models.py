"""`job_runs`: the database's memory of which period of which rule has run.

Redis is disposable, so it cannot be the truth of "this period is done":
a periodic task INSERTs its (rule, period) row before doing the work, and the
unique constraint lets exactly one of several schedulers' or workers' copies
through.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class JobRun(Base):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(64), nullable=False)
    period_key: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    worker: Mapped[str | None] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # A run whose worker died is taken over once its lease has passed.
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("rule", "period_key"),
        Index("ix_job_runs_status", "status", "started_at"),
    )
