"""Public support module of the int8-quantization challenge: keeps a test's array inside the sandbox.

The `inputs` test hands ``keep(w)``'s array to your ``quantize`` as it is (not a copy) and reads it back
afterwards, to see that ``quantize`` did not write into it. You never need to call it.
"""

from __future__ import annotations

import numpy as np


def keep(w: np.ndarray) -> np.ndarray:
    """``w`` itself: the judge holds it in the sandbox under a handle."""
    return w
