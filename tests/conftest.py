import os

from hypothesis import HealthCheck, settings

# Solvers in the loop: no per-example deadline; a bounded number of examples keeps CI short.
settings.register_profile(
    "evgames", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "evgames"))
