"""Hypothesis profiles: small by default (the inner loop), full in CI.

`make test` with CI set exports HYPOTHESIS_PROFILE=ci; anyone can ask for it locally
(`HYPOTHESIS_PROFILE=ci make test`). A property test states its full number of examples
through `examples(n)`: `n` under the ci profile, the dev profile's few otherwise.
"""

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=100, print_blob=True)
settings.register_profile("dev", max_examples=20)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    return full if PROFILE == "ci" else min(full, settings.default.max_examples)
