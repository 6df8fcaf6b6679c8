import pytest


@pytest.fixture
def live_demo(transactional_db, live_server):
    """The Bochum demo served on loopback by pytest-django's live server (for GDAL and OWSLib)."""
    from isek.demo import loader

    concept = loader.load(analyse_layers=False)
    return live_server.url, concept
