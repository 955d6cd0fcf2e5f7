"""Fixtures of the hostile tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.common import make_desk


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A real encrypted data folder with an office, one person, one request, one backup."""
    return make_desk(tmp_path / "data")
