"""pytest wiring for the namespace lab tests (tests/lab)."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "lab: builds namespace labs with tests/lab/labctl (root only, ~15 s)"
    )
