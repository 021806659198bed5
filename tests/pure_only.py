"""A pytest plugin that keeps only the fast, pure unit tests: `pytest -p tests.pure_only tests`.

Deselects every test that needs a database (the `ledger_url` and `rt` fixtures, or a
`tmp_path` or `tmp_path_factory` for a ledger file, a `backend` parameter) and every test marked `slow`. scripts/mutate runs this
selection under each mutant: the pure money rules are judged in seconds.
"""

from __future__ import annotations

import pytest

NEEDS_STORAGE = frozenset({"ledger_url", "rt", "tmp_path", "tmp_path_factory", "backend"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        slow = item.get_closest_marker("slow") is not None
        (drop if slow or fixtures & NEEDS_STORAGE else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
