"""pca: implement the two functions below (see statement.md).

NumPy only (np.linalg.svd and np.linalg.eigh are allowed); sklearn is forbidden. Work in float64.
"""

from __future__ import annotations

import numpy as np


def pca(X: np.ndarray, n_components: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (components (k, d), explained_variance (k,), explained_variance_ratio (k,), mean (d,))."""
    raise NotImplementedError("pca is not implemented yet: see statement.md")


def transform(X: np.ndarray, components: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Project X onto the components: (X - mean) @ components.T, shape (m, k)."""
    raise NotImplementedError("transform is not implemented yet: see statement.md")
