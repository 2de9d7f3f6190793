"""Registers the `slow` marker used by the sandbox tests (they still run by default)."""
import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: waits for a sandbox timeout (about 1-2 s); runs by default")
