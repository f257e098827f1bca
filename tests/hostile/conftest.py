"""Hypothesis profiles for the hostile-input properties: ``ci`` (the default) is derandomized, so every run
tries the same examples; ``NODEGUARD_HYPOTHESIS_PROFILE=explore`` draws new ones, many more of them."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "explore", derandomize=False, deadline=None, max_examples=3000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("NODEGUARD_HYPOTHESIS_PROFILE", "ci"))
