"""Schema changes only through Alembic. Each package keeps its revisions in
`<package>/migrations/` as its own branch; `upgrade` goes to all heads."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from .modules import PROJECT_ROOT, migration_locations


def alembic_config(database_url: str, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("version_locations", " ".join(migration_locations()))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(database_url: str, revision: str = "heads", connection=None) -> None:
    command.upgrade(alembic_config(database_url, connection), revision)


def downgrade(database_url: str, revision: str = "base", connection=None) -> None:
    command.downgrade(alembic_config(database_url, connection), revision)


def current_heads(database_url: str) -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


def pending_revisions(database_url: str) -> set[str]:
    """Revisions of any branch not yet applied to the database."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, pool

    script = ScriptDirectory.from_config(alembic_config(database_url))
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
    applied = {rev.revision for rev in script.iterate_revisions(current, "base")} if current else set()
    return {rev.revision for rev in script.walk_revisions()} - applied
