"""Public support module of the pca challenge: arrays that live in your process.

The ``inputs`` group makes ``X`` here with ``keep(X)`` (a copy that stays in your process), passes it to
your ``pca`` and ``transform`` as it is (no copy is made on the way) and reads it back afterwards, to see
whether your code changed it in place. This is a probe inside your process: the judge reads what the
array holds there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_copy = np.array  # bound at import, before your file is


def keep(a: Any) -> np.ndarray:
    """A copy of ``a`` that lives in this process (returned to the judge as a handle)."""
    return _copy(a, copy=True)
