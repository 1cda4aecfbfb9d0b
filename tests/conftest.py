import os

# scikit-learn runs its array-API check only when SciPy's array API support is on,
# and SciPy reads this once at import: set it before anything imports SciPy.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import torch  # noqa: E402

# Tiny fits stall when torch's threads compete on a small machine (see FINDINGS):
# one thread makes the suite ~10x faster and its timing steady.
torch.set_num_threads(1)

# CI runs the property-based tests on a fixed set of examples (reproducible results);
# local runs draw new examples each time, to keep finding bugs.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
