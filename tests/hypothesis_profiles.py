"""Hypothesis profiles: small by default (the inner loop), full in CI, long for `make fuzz`.

`make test` with CI set exports HYPOTHESIS_PROFILE=ci; anyone can ask for it locally
(`HYPOTHESIS_PROFILE=ci make test`). A property test states its full number of examples
through `examples(n)`: `n` under the ci profile, the dev profile's few otherwise.

The route fuzzer (tests/security/test_fuzz_routes.py) sends `route_examples()` requests per
route: a handful in the inner loop, more in CI, and FUZZ_EXAMPLES (1,000 by default) under
the fuzz profile that `make fuzz` loads.
"""

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=100, print_blob=True)
settings.register_profile("dev", max_examples=20)
settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")), print_blob=True
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
settings.load_profile(PROFILE)
ROUTE_EXAMPLES = {"dev": 2, "ci": 40}


def examples(full: int) -> int:
    return full if PROFILE in ("ci", "fuzz") else min(full, settings.default.max_examples)


def route_examples() -> int:
    return ROUTE_EXAMPLES.get(PROFILE, settings.default.max_examples)
