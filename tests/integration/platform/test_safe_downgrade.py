"""`flask db downgrade` never wipes silently: without a revision it refuses and
leaves the data; `base` needs --yes; a named step goes back one revision."""

from sqlalchemy import create_engine, inspect, text

from config import load_config
from mobile_api import create_app, migrate
from tests.conftest import servers_env


def _app(url, clock):
    config = load_config("testing", servers_env(DATABASE_URL=url, LOG_LEVEL="WARNING"))
    return create_app(config, clock=clock)


def _staff_rows(engine):
    with engine.connect() as connection:
        return connection.execute(text("SELECT username FROM staff_users")).scalars().all()


def test_downgrade_without_a_revision_leaves_the_data(scratch_database_url, clock):
    url = scratch_database_url
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO staff_users (username, display_name, password_hash, role, active, "
                                "failed_logins, created_at) VALUES ('keep.me', '留', 'x', 'admin', TRUE, 0, "
                                "'2026-12-01 00:00:00+00')"))
    runner = _app(url, clock).test_cli_runner()
    try:
        bare = runner.invoke(args=["db", "downgrade"])
        assert bare.exit_code == 1 and "nothing was changed" in bare.output
        assert len(bare.output.strip().splitlines()) == 1
        to_base = runner.invoke(args=["db", "downgrade", "--to", "base"])
        assert to_base.exit_code == 1 and "--yes" in to_base.output
        positional_base = runner.invoke(args=["db", "downgrade", "base"])
        assert positional_base.exit_code == 1
        assert _staff_rows(engine) == ["keep.me"]
        assert migrate.pending_revisions(url) == set()

        step = runner.invoke(args=["db", "downgrade", "identity@-1"])
        assert step.exit_code == 0, step.output
        # exactly identity's last revision is undone (whichever it is), the data stays
        assert len(migrate.pending_revisions(url)) == 1
        assert _staff_rows(engine) == ["keep.me"]
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0

        wiped = runner.invoke(args=["db", "downgrade", "--to", "base", "--yes"])
        assert wiped.exit_code == 0, wiped.output
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
