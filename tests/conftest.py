"""Shared test settings: a fixed hypothesis profile so a red build always reproduces.

``make soak`` sets ``ADL_SOAK=1``: the same derandomized properties then run ten
times the examples, and the key storm its full 2,000 keys.
"""

import os

from hypothesis import HealthCheck, settings

SOAK = os.environ.get("ADL_SOAK") == "1"

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=400 if SOAK else 40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("ci")
