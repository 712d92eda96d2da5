"""Checks and shapes shared by the articles' layouts: their weights as the course's arrays."""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..core.validation import check_array

__all__ = ["as_weight", "as_matrix", "check_one_dtype", "zero_biases"]


def is_real_number(value) -> bool:
    """A Python or numpy int or float (bools are not numbers here)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def is_sympy(value) -> bool:
    """A SymPy expression (sympy is imported only when something else than a number shows up)."""
    import sympy
    return isinstance(value, sympy.Expr) and not isinstance(value, sympy.MatrixBase)


def as_weight(a, name: str) -> np.ndarray:
    """A weight as an array: a numpy array (float, or object holding SymPy expressions or
    numbers), or a scalar (an int or float, or a SymPy expression); every value finite.

    Integers become float64.  Anything else (None, a string, a list, a bool) is a TypeError
    naming the weight, a NaN or infinite value a ValueError.
    """
    if isinstance(a, np.ndarray):
        arr = a
    elif is_real_number(a):
        arr = np.asarray(a)
    elif is_sympy(a):
        arr = np.asarray(a, dtype=object)
    else:
        raise TypeError(f"{name} must be a numpy array or a number (a SymPy expression for "
                        f"the proofs), got {type(a).__name__}")
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if arr.dtype == object:
        for v in arr.reshape(-1):
            if is_real_number(v):
                if not math.isfinite(v):
                    raise ValueError(f"{name} contains NaN or infinite values")
            elif not is_sympy(v):
                raise TypeError(f"{name} must hold numbers or SymPy expressions, got "
                                f"{type(v).__name__}")
    return check_array(arr, name)          # float32, float64 or object; not empty; finite


def check_one_dtype(arrays: dict) -> None:
    """The course's parameters share one dtype, so the article's weights must too."""
    dtypes = {str(arr.dtype) for arr in arrays.values()}
    if len(dtypes) > 1:
        raise TypeError(f"{', '.join(arrays)} must share one dtype, got "
                        f"{ {k: str(arr.dtype) for k, arr in arrays.items()} }")


def as_matrix(a, name: str) -> np.ndarray:
    """A weight as a matrix: (H, ·) as it is, a column (H,) as (H, 1), a scalar as (1, 1)."""
    arr = as_weight(a, name)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a matrix (H, ·), a column or a scalar, got shape "
                         f"{np.shape(a)}")
    return arr


def zero_biases(block: np.ndarray) -> np.ndarray:
    """(H,) zeros for a (H, ·) weight block, of its dtype (Python 0s for SymPy object arrays)."""
    return np.zeros(block.shape[0], dtype=block.dtype) if block.dtype != object else \
        np.array([0] * block.shape[0], dtype=object)
