"""Gate nonlinearities and their derivatives, numerically stable.

Two forms of every derivative are given, because the articles use both:

* ``*_grad_from_input(z)`` takes the pre-activation ``z`` (article 001 writes
  ``dσ(a)/da``);
* ``*_grad_from_output(y)`` takes the already-activated value ``y = σ(z)`` or
  ``y = tanh(z)`` (article 004's helpers: ``σ' = y (1 - y)``, ``tanh' = 1 - y²``).

The ``*_from_output`` forms are pure arithmetic, so they work unchanged on numpy
arrays, on numpy object arrays of SymPy expressions, and on SymPy scalars.  ``sigmoid`` and
``tanh`` also take object arrays of SymPy expressions (dtype object) and return σ(·) and
tanh(·) of each entry (lstm_course.core.symbolic): that is how the readable LSTM runs,
unchanged, on symbols for the proofs.

Every function keeps the dtype of a floating input (float32 stays float32) and
raises no overflow warning for any finite input, e.g. ``|z|`` up to 1e4.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "sigmoid_grad_from_input",
    "sigmoid_grad_from_output",
    "tanh_grad_from_input",
    "tanh_grad_from_output",
]


def _as_float_array(z, name: str) -> np.ndarray:
    arr = np.asarray(z)
    if arr.dtype.kind in "iub":
        arr = arr.astype(np.float64)
    if arr.dtype.kind != "f":
        raise TypeError(f"{name} must be a real floating array, got dtype {arr.dtype}")
    return arr


def sigmoid(z):
    """Logistic sigmoid σ(z) = 1 / (1 + exp(-z)), elementwise, any shape.

    Stable form: for z >= 0 use 1 / (1 + e^{-z}); for z < 0 use e^{z} / (1 + e^{z}),
    so exp never sees a large positive argument. σ(±1e4) is exactly 1 and 0.
    An object array of SymPy expressions gives σ of each entry, symbolically.
    """
    if isinstance(z, np.ndarray) and z.dtype == object:
        from .symbolic import sigmoid_of      # SymPy loads only when symbols come in
        return sigmoid_of(z)
    z = _as_float_array(z, "z")
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def tanh(z):
    """Hyperbolic tangent, elementwise (numpy's, which is stable for all finite z).

    An object array of SymPy expressions gives tanh of each entry, symbolically.
    """
    if isinstance(z, np.ndarray) and z.dtype == object:
        from .symbolic import tanh_of
        return tanh_of(z)
    return np.tanh(_as_float_array(z, "z"))


def log_softmax(z, axis: int = -1):
    """log softmax along ``axis`` via the log-sum-exp trick (no overflow)."""
    z = _as_float_array(z, "z")
    shifted = z - np.max(z, axis=axis, keepdims=True)  # largest entry is 0
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(z, axis: int = -1):
    """softmax along ``axis``: exp(z_k) / Σ_j exp(z_j), computed after subtracting the max."""
    z = _as_float_array(z, "z")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))  # in (0, 1]
    return e / np.sum(e, axis=axis, keepdims=True)


def sigmoid_grad_from_input(z):
    """dσ/dz evaluated at the pre-activation z: σ(z) (1 - σ(z))."""
    s = sigmoid(z)
    return s * (1 - s)


def sigmoid_grad_from_output(s, out=None):
    """dσ/dz written on the activated value s = σ(z): s (1 - s) (article 004's helper).

    out: an optional array (same shape) to write the result into, saving allocations.
    """
    if out is None:
        return s * (1 - s)
    np.subtract(1, s, out=out)
    np.multiply(out, s, out=out)
    return out


def tanh_grad_from_input(z):
    """d tanh/dz evaluated at the pre-activation z: 1 - tanh²(z)."""
    t = tanh(z)
    return 1 - t * t


def tanh_grad_from_output(t, out=None):
    """d tanh/dz written on the activated value t = tanh(z): 1 - t² (article 004's helper).

    out: an optional array (same shape) to write the result into, saving allocations.
    """
    if out is None:
        return 1 - t * t
    np.multiply(t, t, out=out)
    np.subtract(1, out, out=out)
    return out
