import pytest

from guides import services


@pytest.fixture
def catalogue(session, clock):
    """The full sample catalogue in this test's transaction."""
    return services.load_sample_catalogue(session, clock)
