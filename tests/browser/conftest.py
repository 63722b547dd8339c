import pytest

from etl import config as etl_config


@pytest.fixture
def warehouse(sample_warehouse, monkeypatch):
    """The browser tests run against the generated sample, built by the real ETL."""
    from dashboard.queries import clear_cache

    monkeypatch.setenv(etl_config.DB_ENV, str(sample_warehouse))
    clear_cache()
    return sample_warehouse


@pytest.fixture
def app(warehouse):
    """The Dash app, reading the sample warehouse (dash_duo serves it in this process)."""
    from dashboard.app import app

    return app
