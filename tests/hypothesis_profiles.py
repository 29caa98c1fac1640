"""Hypothesis settings for SeaStat's property tests.

The regular suite runs each property a few hundred times (about 1,000 examples in all);
`make soak` sets HYPOTHESIS_PROFILE=soak and runs SOAK_FACTOR times as many (and as many more
fault and load rounds: see `scaled`).
Importing this module loads the profile named by HYPOTHESIS_PROFILE (default: "regular").
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "regular")
SOAK_FACTOR = int(os.environ.get("SOAK_FACTOR", "25"))   # how many times the regular counts

# Each example publishes a real store, so no per-example deadline; generated files can be large.
# The regular suite is derandomized so CI is repeatable; the soak explores fresh random cases.
settings.register_profile(
    "regular", deadline=None, print_blob=True, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile("soak", parent=settings.get_profile("regular"), derandomize=False)
settings.load_profile(PROFILE)


def examples(n: int) -> settings:
    """n examples in the regular suite, SOAK_FACTOR times n under the soak profile."""
    return settings(max_examples=scaled(n))


def scaled(n: int) -> int:
    """n for the regular suite, SOAK_FACTOR times n under the soak profile (for non-Hypothesis loops)."""
    return n * (SOAK_FACTOR if PROFILE == "soak" else 1)
