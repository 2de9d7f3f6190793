"""Shared by the whole suite: the `namespaces` marker (see tests/isolation_support.py)."""
from __future__ import annotations

import pytest

from tests.isolation_support import DESCRIPTION, skip_without_namespaces


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", DESCRIPTION)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_without_namespaces(items)
