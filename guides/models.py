"""The catalogue's tables.

Every version of a service item is one `ServiceItem` row: (code, revision) is
unique, and its `status` is draft, published, superseded (an older published
version) or retired. At most one row per code is published and at most one is
a draft — both partial unique indexes, so two admins publishing at once cannot
leave two current versions.

`version` is the catalogue-wide number given to a row when it is published,
taken from the single `guide_catalogue` row with `version = version + 1`; that
UPDATE holds a row lock until commit, so versions are committed in order and
`/sync?since=` never misses a change.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobile_api.db import Base, UTCDateTime

ITEM_STATUSES = ("draft", "published", "superseded", "retired")


class Department(Base):
    __tablename__ = "guide_departments"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    short_name: Mapped[str] = mapped_column(String(16), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(128))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    consult_phone: Mapped[str | None] = mapped_column(String(32))
    complaint_phone: Mapped[str | None] = mapped_column(String(32))


class CatalogueState(Base):
    """One row (id 1) holding the catalogue's current version number."""

    __tablename__ = "guide_catalogue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class ServiceItem(Base):
    __tablename__ = "guide_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    version: Mapped[int | None] = mapped_column(Integer)  # catalogue version at publish
    retired_version: Mapped[int | None] = mapped_column(Integer)

    implementation_code: Mapped[str] = mapped_column(String(21), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(200))  # required at publish (validation rule "english")
    department_code: Mapped[str] = mapped_column(ForeignKey("guide_departments.code"), nullable=False)
    item_type: Mapped[str] = mapped_column(String(16), nullable=False)
    level: Mapped[str] = mapped_column(String(8), nullable=False)
    service_object: Mapped[list] = mapped_column(JSON, nullable=False)
    legal_basis: Mapped[list] = mapped_column(JSON, nullable=False)
    conditions: Mapped[str] = mapped_column(Text, nullable=False)
    fees: Mapped[list] = mapped_column(JSON, nullable=False)
    steps: Mapped[list] = mapped_column(JSON, nullable=False)
    statutory_days: Mapped[int] = mapped_column(Integer, nullable=False)
    promised_days: Mapped[int] = mapped_column(Integer, nullable=False)
    visits_required: Mapped[int] = mapped_column(Integer, nullable=False)
    visits_reason: Mapped[str | None] = mapped_column(String(255))
    online_depth: Mapped[int] = mapped_column(Integer, nullable=False)
    channels: Mapped[list] = mapped_column(JSON, nullable=False)
    appointment_supported: Mapped[bool] = mapped_column(Boolean, nullable=False)
    postal_delivery: Mapped[bool] = mapped_column(Boolean, nullable=False)
    cross_town: Mapped[bool] = mapped_column(Boolean, nullable=False)
    in_person_required: Mapped[bool] = mapped_column(Boolean, nullable=False)
    certificate_type: Mapped[str | None] = mapped_column(String(64))
    consult_phone: Mapped[str] = mapped_column(String(32), nullable=False)
    complaint_phone: Mapped[str] = mapped_column(String(32), nullable=False)
    faqs: Mapped[list] = mapped_column(JSON, nullable=False)
    topics: Mapped[list] = mapped_column(JSON, nullable=False)
    keywords: Mapped[list] = mapped_column(JSON, nullable=False)
    keywords_en: Mapped[list | None] = mapped_column(JSON)
    life_events: Mapped[list] = mapped_column(JSON, nullable=False)
    form_fields: Mapped[list] = mapped_column(JSON, nullable=False)
    effective_date: Mapped[date] = mapped_column(Date, nullable=False)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(32), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(32))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    materials: Mapped[list["Material"]] = relationship(
        back_populates="item", order_by="Material.position", cascade="all, delete-orphan", lazy="selectin")
    department: Mapped[Department] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("code", "revision", name="uq_guide_items_code_revision"),
        Index("uq_guide_items_published_code", "code", unique=True,
              postgresql_where=text("status = 'published'")),
        Index("uq_guide_items_draft_code", "code", unique=True,
              postgresql_where=text("status = 'draft'")),
        Index("ix_guide_items_version", "version"),
        Index("ix_guide_items_retired_version", "retired_version"),
        Index("ix_guide_items_department_code", "department_code"),
    )

    @property
    def instant(self) -> bool:
        """即办件: handled on the spot (0 promised working days)."""
        return self.promised_days == 0


class Material(Base):
    __tablename__ = "guide_materials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("guide_items.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    code: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False)
    condition: Mapped[str | None] = mapped_column(String(255))
    form: Mapped[str] = mapped_column(String(8), nullable=False)
    copies: Mapped[int] = mapped_column(Integer, nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    shared_waiver: Mapped[bool] = mapped_column(Boolean, nullable=False)
    commitment_allowed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    note: Mapped[str | None] = mapped_column(String(255))

    item: Mapped[ServiceItem] = relationship(back_populates="materials")

    __table_args__ = (UniqueConstraint("item_id", "code", name="uq_guide_materials_item_id"),)


class Theme(Base):
    """一件事: several items a citizen needs together. `stages` lists the member
    codes stage by stage; items in one stage are handled in parallel."""

    __tablename__ = "guide_themes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name_en: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # personal | business
    description: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    keywords: Mapped[list] = mapped_column(JSON, nullable=False)
    stages: Mapped[list] = mapped_column(JSON, nullable=False)

    @property
    def member_codes(self) -> list[str]:
        return [code for stage in self.stages for code in stage]


class LifeEvent(Base):
    """人生事件 / 法人事件: the app's 一件事 entry page and a concept map for
    search. Its items are `item_codes` (most important first) plus every item
    naming the event in its own `life_events`; `phrases` are how citizens say
    it (Mandarin, Cantonese after normalisation, English)."""

    __tablename__ = "guide_life_events"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # personal | business
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(64))
    description_en: Mapped[str | None] = mapped_column(Text)
    phrases: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    item_codes: Mapped[list] = mapped_column(JSON, nullable=False, default=list)


class UnmetQuery(Base):
    """A search that found nothing, per scrubbed query text and day (no
    personal data: digits are removed before it is stored), so the catalogue
    team sees unmet demand. One row per (query, day) keeps the table small
    however often a query is repeated."""

    __tablename__ = "guide_unmet_queries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query: Mapped[str] = mapped_column(String(100), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        UniqueConstraint("query", "day", name="uq_guide_unmet_queries_query"),
        Index("ix_guide_unmet_queries_day", "day"),
    )
