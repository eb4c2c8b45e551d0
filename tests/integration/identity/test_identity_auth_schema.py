"""Migration identity_0003 and the models describe the same deny-list,
revocation and login-counter tables."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mobile_api.db import Base
from mobile_api.modules import import_all_models

TABLES = ("identity_revoked_tokens", "identity_principal_revocations", "identity_login_counters")


def test_identity_0003_matches_the_models(engine):
    import_all_models()
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diffs if any(table in str(d) for table in TABLES)] == []
