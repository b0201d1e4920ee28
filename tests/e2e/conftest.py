from __future__ import annotations

import pytest

from tests.conftest import ROOT
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_directory


@pytest.fixture
def deployed(ctx):  # type: ignore[no-untyped-def]
    """Demo users and the shipped processes, deployed."""
    ensure_demo_users(ctx)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    return ctx
