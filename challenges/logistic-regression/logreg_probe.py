"""Public support module of the logistic-regression challenge: what the judge observes inside your process.

Two things can only be seen where your code runs, so the hidden tests ask this module for them:

* ``keep(a)`` makes a copy of ``a`` that stays in your process; the ``inputs`` group passes such arrays
  to your functions (no copy is made on the way) and reads them back afterwards, to see whether your
  code changed ``X`` or ``y`` in place.
* ``proba_warnings(X, w, b)`` calls your ``predict_proba(X, w, b)`` with NumPy's overflow, division and
  invalid-value errors set to warn (an underflow to 0 is not an error) and every warning recorded, and
  returns what was warned ("overflow encountered in exp", for instance).

The functions used here are bound when this module is imported, before your file is: replacing
``warnings.catch_warnings`` or ``numpy.errstate`` later changes nothing they do. They still run in your
process, so code that rewrites this module's own results could mislead them: that is tampering with the
judge, not a solution.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np


def _bind() -> tuple[Any, Any]:
    catch, simplefilter, errstate, copy, import_module = (warnings.catch_warnings, warnings.simplefilter,
                                                          np.errstate, np.array, importlib.import_module)

    def keep(a: Any) -> np.ndarray:
        """A copy of ``a`` that lives in this process (returned to the judge as a handle)."""
        return copy(a, copy=True)

    def proba_warnings(X: np.ndarray, w: np.ndarray, b: float) -> list[str]:
        """The warnings (at most 20, as "Category: message") that solution.predict_proba(X, w, b) raised."""
        predict_proba = import_module("solution").predict_proba
        with catch(record=True) as caught, errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            simplefilter("always")
            predict_proba(X, w, b)
        return [f"{type(item.message).__name__}: {item.message}"[:200] for item in caught[:20]]

    return keep, proba_warnings


keep, proba_warnings = _bind()
