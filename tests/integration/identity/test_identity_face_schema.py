"""The hand-written migration 0002 and the models describe the same real-name
and face tables (columns, types, nullability, indexes, constraints)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mobile_api.db import Base
from mobile_api.modules import import_all_models


def test_identity_face_migration_matches_the_models(engine):
    import_all_models()
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    mine = [d for d in diffs if "identity_real_names" in str(d) or "identity_face_" in str(d)]
    assert mine == []
