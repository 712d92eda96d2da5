"""Early, explicit checks of arguments: every error names the argument and what was expected."""
from __future__ import annotations

import numbers

import numpy as np

# float arrays for computing; object arrays hold SymPy expressions for the proofs
ALLOWED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(object))


def check_positive_int(value, name: str) -> int:
    """Return value as int if it is a positive integer (bools rejected), else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def check_array(arr, name: str, *, shape=None, ndim=None, last_dim=None, dtype=None,
                allow_empty=False) -> np.ndarray:
    """Check an array argument and return it as an ndarray (never copied or modified).

    shape    : exact expected shape (tuple), or None
    ndim     : expected number of dimensions, or None
    last_dim : expected size of the last axis, or None
    dtype    : expected dtype (the model's), or None for any float/object dtype
    """
    if not isinstance(arr, np.ndarray):
        if isinstance(arr, (list, tuple, numbers.Number)):
            arr = np.asarray(arr)
        else:
            raise TypeError(f"{name} must be a numpy array, got {type(arr).__name__}")
    if dtype is not None and arr.dtype != np.dtype(dtype):
        raise TypeError(f"{name} has dtype {arr.dtype} but the model's parameters are "
                        f"{np.dtype(dtype)}: convert it with .astype(np.{np.dtype(dtype)})")
    if arr.dtype not in ALLOWED_DTYPES:
        raise TypeError(f"{name} must be float32 or float64, got dtype {arr.dtype}")
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {arr.shape}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got {arr.ndim} "
                         f"(shape {arr.shape})")
    if last_dim is not None and arr.shape[-1] != last_dim:
        raise ValueError(f"{name} must have size {last_dim} in its last dimension, got "
                         f"shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): every dimension must be at "
                         f"least 1")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_real(value, name: str, *, positive: bool = False, at_least=None, below=None) -> float:
    """Return value as float if it is a finite real number (bools rejected) in range, else raise.

    positive : must be > 0;  at_least : must be >= this;  below : must be < this
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    bounds = [f">= {at_least}" if at_least is not None else "",
              f"< {below}" if below is not None else ""]
    want = ("a positive, finite number" if positive else "a finite number") + "".join(
        f" {b}" for b in bounds if b)
    if (not np.isfinite(value) or (positive and value <= 0)
            or (at_least is not None and value < at_least) or (below is not None and value >= below)):
        raise ValueError(f"{name} must be {want}, got {value}")
    return value
