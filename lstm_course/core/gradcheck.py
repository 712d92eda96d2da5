"""Numerical gradients by centred finite differences, and a relative error.

Use float64: with eps = 1e-6 the centred difference has truncation error O(eps²) and
round-off O(1e-16 / eps), so relative errors near 1e-9 are what a correct backward shows.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import lstm

__all__ = ["numerical_gradient", "relative_error", "check_lstm_gradients"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f / d x by centred differences, (f(x + eps e_k) - f(x - eps e_k)) / (2 eps).

    f   : a function of no arguments that reads x (x is perturbed in place, then restored)
    x   : writeable float64 array, any shape and memory layout (C or Fortran order, a
          transposed or strided view: its elements themselves are perturbed, never a copy)
    Returns an array shaped like x.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 numpy array (finite differences need float64), "
                        f"got {getattr(x, 'dtype', type(x).__name__)}")
    if not x.flags.writeable:
        raise ValueError("x must be writeable: it is perturbed in place (pass the array f "
                         "reads, not a read-only view of it)")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    grad = np.zeros(x.shape, dtype=np.float64)
    # index x itself: x.reshape(-1) would be a copy for a non-C-contiguous x, and perturbing
    # a copy leaves f unchanged (a gradient of zeros)
    for k in np.ndindex(x.shape):
        saved = x[k]
        x[k] = saved + eps
        f_plus = float(f())
        x[k] = saved - eps
        f_minus = float(f())
        x[k] = saved
        grad[k] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b) -> float:
    """‖a - b‖ / (‖a‖ + ‖b‖) in the Euclidean norm; 0.0 when both are zero."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def check_lstm_gradients(params: dict, xs, h0, c0, *, rng: np.random.Generator,
                         eps: float = 1e-6, implementation=lstm) -> dict:
    """Compare an LSTM's backward with finite differences for every parameter, xs, h0 and c0.

    implementation: a module with forward(params, xs, h0, c0) and backward(params, cache,
    dhs, dc_last): the readable lstm_course.core.lstm by default, or the training kernel
    lstm_course.hamlet.kernel.

    The loss is a random fixed linear functional of the outputs,
    L = Σ R_h * hs + Σ R_c * C_T, so dL/dhs = R_h and dL/dC_T = R_c reach every path.
    Returns {name: relative error} (float64 inputs required).
    """
    T, B, _ = np.shape(xs)
    H = params["b_f"].shape[0]
    R_h = rng.standard_normal((T, B, H))  # (T, B, H)
    R_c = rng.standard_normal((B, H))     # (B, H)
    inputs = {**params, "xs": xs, "h0": h0, "c0": c0}

    def loss() -> float:
        hs, cs, _ = implementation.forward(params, inputs["xs"], inputs["h0"], inputs["c0"])
        return float(np.sum(R_h * hs) + np.sum(R_c * cs[-1]))

    _, _, cache = implementation.forward(params, xs, h0, c0)
    grads = implementation.backward(params, cache, R_h, R_c)
    return {name: relative_error(grads[name], numerical_gradient(loss, inputs[name], eps))
            for name in inputs}
