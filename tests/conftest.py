"""Shared test setup: hypothesis profiles and a guard that restores grad mode."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from autograd_lite import engine

# "dev" is quick; "ci" (used when CI is set) draws more examples; "slow" is for -m slow.
settings.register_profile("dev", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("slow", max_examples=400, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _restore_grad_mode():
    """A test that leaves no_grad() on by mistake must not break the tests after it."""
    enabled = engine.is_grad_enabled()
    yield
    engine._mode.enabled = enabled


@pytest.fixture
def rng():
    return np.random.default_rng(0)
