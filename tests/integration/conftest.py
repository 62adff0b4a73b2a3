"""Integration tests that drive the namespace lab (marker `lab`, root only)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "lab: builds namespace labs with tests/lab/labctl (root only)")
