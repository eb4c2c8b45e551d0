"""The hand-written booking migrations and the models describe the same
tables (columns, types, nullability, indexes, constraints)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mobile_api.db import Base
from mobile_api.modules import import_all_models


def test_booking_migrations_match_the_models(engine):
    import_all_models()
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    mine = [d for d in diffs if "booking_" in str(d)]
    assert mine == []
