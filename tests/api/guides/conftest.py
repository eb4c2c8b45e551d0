import pytest

from guides import services


@pytest.fixture
def catalogue(session, clock):
    """The full sample catalogue in this test's transaction (committed there,
    which in a test is a savepoint release: the test's requests see it)."""
    summary = services.load_sample_catalogue(session, clock)
    session.commit()
    return summary
