"""Alembic environment: runs online against the URL or connection the caller gives."""

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
