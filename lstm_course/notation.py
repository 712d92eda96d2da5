"""Parameter layouts of the articles, converted to and from the course's.

Only the *layout and names* change here; every forward and backward still runs through
``lstm_course.lstm``.  The course keeps, per gate g in (f, i, c, o), W_g (H, H + D) acting on
Z_t = [h_{t-1}; x_t] (hidden columns first) and b_g (H,).

* Article 000 (Seo): per gate an input weight W* (H, D) on X(k) and a recurrent weight
  Wrec* (H, H) on Out(k-1); no biases; the candidate is the "activation gate" A(k).
  So W_g = [Wrec* | W*].
* Article 002 (Gomez): W (4H, D) on x_t, U (4H, H) on out_{t-1}, b (4H,), blocks in the row
  order a (candidate), i, f, o.  So W_g = [U_g | W_g], b_g = b_g.
* Article 003: a scalar cell (H = D = 1) with no biases, weights w_g on x_t and u_g on
  h_{t-1}; so W_g = [[u_g, w_g]].

The same functions convert gradients: a gradient dict from ``lstm.backward`` has the
parameters' layout.  They accept float arrays and numpy object arrays (SymPy values).
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .lstm import GATES
from .validation import check_array, check_params

__all__ = ["SEO_NAMES", "GOMEZ_ORDER", "SCALAR_003_NAMES", "from_seo", "to_seo",
           "from_gomez", "to_gomez", "from_scalar003", "to_scalar003"]

SEO_NAMES = {"f": "f", "i": "i", "c": "a", "o": "o"}   # course gate -> Seo's letter
GOMEZ_ORDER = ("c", "i", "f", "o")                     # Gomez's rows a, i, f, o as course gates
SCALAR_003_NAMES = ("f", "i", "c", "o")


def _is_real_number(value) -> bool:
    """A Python or numpy int or float (bools are not numbers here)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_sympy(value) -> bool:
    """A SymPy expression (sympy is imported only when something else than a number shows up)."""
    import sympy
    return isinstance(value, sympy.Expr) and not isinstance(value, sympy.MatrixBase)


def _weight(a, name: str) -> np.ndarray:
    """A weight as an array: a numpy array (float, or object holding SymPy expressions or
    numbers), or a scalar (an int or float, or a SymPy expression); every value finite.

    Integers become float64.  Anything else (None, a string, a list, a bool) is a TypeError
    naming the weight, a NaN or infinite value a ValueError.
    """
    if isinstance(a, np.ndarray):
        arr = a
    elif _is_real_number(a):
        arr = np.asarray(a)
    elif _is_sympy(a):
        arr = np.asarray(a, dtype=object)
    else:
        raise TypeError(f"{name} must be a numpy array or a number (a SymPy expression for "
                        f"the proofs), got {type(a).__name__}")
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if arr.dtype == object:
        for v in arr.reshape(-1):
            if _is_real_number(v):
                if not math.isfinite(v):
                    raise ValueError(f"{name} contains NaN or infinite values")
            elif not _is_sympy(v):
                raise TypeError(f"{name} must hold numbers or SymPy expressions, got "
                                f"{type(v).__name__}")
    return check_array(arr, name)          # float32, float64 or object; not empty; finite


def _check_one_dtype(arrays: dict) -> None:
    """The course's parameters share one dtype, so the article's weights must too."""
    dtypes = {str(arr.dtype) for arr in arrays.values()}
    if len(dtypes) > 1:
        raise TypeError(f"{', '.join(arrays)} must share one dtype, got "
                        f"{ {k: str(arr.dtype) for k, arr in arrays.items()} }")


def _as_2d(a, name: str) -> np.ndarray:
    """A weight as a matrix: (H, ·) as it is, a column (H,) as (H, 1), a scalar as (1, 1)."""
    arr = _weight(a, name)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a matrix (H, ·), a column or a scalar, got shape "
                         f"{np.shape(a)}")
    return arr


def _zeros_like_rows(block: np.ndarray) -> np.ndarray:
    return np.zeros(block.shape[0], dtype=block.dtype) if block.dtype != object else \
        np.array([0] * block.shape[0], dtype=object)


def from_seo(weights: dict) -> dict:
    """Seo's eight weights -> course params (zero biases).

    weights: {"Wf", "Wrecf", "Wi", "Wreci", "Wa", "Wreca", "Wo", "Wreco"}; W* (H, D) or a
    scalar, Wrec* (H, H) or a scalar: numpy arrays or numbers (SymPy ones for the proofs).
    """
    if not isinstance(weights, dict):
        raise TypeError(f"weights must be a dict of Seo's eight weights, got "
                        f"{type(weights).__name__}")
    needed = [f"{p}{SEO_NAMES[g]}" for g in GATES for p in ("W", "Wrec")]
    missing = [k for k in needed if k not in weights]
    if missing:
        raise ValueError(f"weights is missing {missing}; Seo's cell has the eight weights "
                         f"{needed}")
    arrays = {k: _as_2d(weights[k], k) for k in needed}
    _check_one_dtype(arrays)
    params = {}
    for g in GATES:
        s = SEO_NAMES[g]
        W_in, W_rec = arrays[f"W{s}"], arrays[f"Wrec{s}"]
        if W_rec.shape != (W_in.shape[0], W_in.shape[0]):
            raise ValueError(f"Wrec{s} must have shape {(W_in.shape[0],) * 2} to match W{s} "
                             f"{W_in.shape}, got {W_rec.shape}")
        params[f"W_{g}"] = np.concatenate([W_rec, W_in], axis=1)  # (H, H + D)
    for g in GATES:
        params[f"b_{g}"] = _zeros_like_rows(params[f"W_{g}"])     # (H,)
    check_params(params)
    return params


def to_seo(params: dict, *, biases_must_be_zero: bool = True) -> dict:
    """Course params (or gradients) -> Seo's {"Wf": (H, D), "Wrecf": (H, H), ...}.

    Seo's cell has no biases: by default non-zero biases are an error (for gradients, whose
    bias entries are dJ/db, pass biases_must_be_zero=False; they are dropped).
    """
    H, _, _ = check_params(params)
    out = {}
    for g in GATES:
        if biases_must_be_zero and np.any(params[f"b_{g}"] != 0):
            raise ValueError(f"params['b_{g}'] is non-zero but Seo's cell (article 000) has no "
                             f"biases; pass biases_must_be_zero=False to drop them")
        s = SEO_NAMES[g]
        out[f"Wrec{s}"] = params[f"W_{g}"][:, :H]   # (H, H)
        out[f"W{s}"] = params[f"W_{g}"][:, H:]      # (H, D)
    return out


def from_gomez(W, U, b) -> dict:
    """Gomez's W (4H, D), U (4H, H), b (4H,), rows a, i, f, o -> course params."""
    W, U, b = _as_2d(W, "W"), _as_2d(U, "U"), _weight(b, "b")
    _check_one_dtype({"W": W, "U": U, "b": b})
    if W.shape[0] % 4:
        raise ValueError(f"W must have 4H rows (blocks a, i, f, o), got shape {W.shape}")
    H = W.shape[0] // 4
    if U.shape != (4 * H, H):
        raise ValueError(f"U must have shape {(4 * H, H)} to match W {W.shape}, got {U.shape}")
    if b.shape != (4 * H,):
        raise ValueError(f"b must have shape {(4 * H,)} to match W {W.shape}, got {b.shape}")
    params = {}
    for k, g in enumerate(GOMEZ_ORDER):
        rows = slice(k * H, (k + 1) * H)
        params[f"W_{g}"] = np.concatenate([U[rows], W[rows]], axis=1)  # (H, H + D)
        params[f"b_{g}"] = b[rows]                                     # (H,)
    params = {k: params[k] for k in [f"{p}_{g}" for p in ("W", "b") for g in GATES]}
    check_params(params)
    return params


def to_gomez(params: dict):
    """Course params (or gradients) -> Gomez's (W (4H, D), U (4H, H), b (4H,)), rows a, i, f, o."""
    H, _, _ = check_params(params)
    W = np.concatenate([params[f"W_{g}"][:, H:] for g in GOMEZ_ORDER], axis=0)  # (4H, D)
    U = np.concatenate([params[f"W_{g}"][:, :H] for g in GOMEZ_ORDER], axis=0)  # (4H, H)
    b = np.concatenate([params[f"b_{g}"] for g in GOMEZ_ORDER], axis=0)         # (4H,)
    return W, U, b


def from_scalar003(weights: dict, dtype=np.float64) -> dict:
    """Article 003's scalar cell {"w_f", "u_f", ..., "w_o", "u_o"} -> course params (H = D = 1).

    Each weight is a finite real number (an int or float, or a 0-d array of one); with
    dtype=object also a SymPy expression, kept as it is.  dtype: float32, float64 or object.
    """
    if not isinstance(weights, dict):
        raise TypeError(f"weights must be a dict of article 003's eight scalars, got "
                        f"{type(weights).__name__}")
    if np.dtype(dtype) not in (np.float32, np.float64, object):
        raise TypeError(f"dtype must be float32, float64 or object (SymPy), got {np.dtype(dtype)}")
    needed = [f"{p}_{g}" for g in SCALAR_003_NAMES for p in ("w", "u")]
    missing = [k for k in needed if k not in weights]
    if missing:
        raise ValueError(f"weights is missing {missing}; article 003's cell has {needed}")
    for k in needed:
        arr = _weight(weights[k], f"weights['{k}']")
        if arr.ndim != 0:
            raise ValueError(f"weights['{k}'] must be a scalar (article 003's cell has H = D = "
                             f"1), got shape {arr.shape}")
        if arr.dtype == object and np.dtype(dtype) != object:
            raise TypeError(f"weights['{k}'] is a SymPy expression: pass dtype=object to keep "
                            f"it, got dtype={np.dtype(dtype)}")
    params = {f"W_{g}": np.array([[weights[f"u_{g}"], weights[f"w_{g}"]]], dtype=dtype)
              for g in GATES}                                            # (1, 2)
    params.update({f"b_{g}": np.zeros(1, dtype=dtype) for g in GATES})   # (1,)
    return params


def to_scalar003(params: dict, *, biases_must_be_zero: bool = True) -> dict:
    """Course params (or gradients, H = D = 1) -> {"w_f": x-weight, "u_f": h-weight, ...}."""
    H, D, _ = check_params(params)
    if (H, D) != (1, 1):
        raise ValueError(f"article 003's cell is scalar: params must have H = D = 1, got "
                         f"H = {H}, D = {D}")
    out = {}
    for g in GATES:
        if biases_must_be_zero and np.any(params[f"b_{g}"] != 0):
            raise ValueError(f"params['b_{g}'] is non-zero but article 003's cell has no biases")
        out[f"u_{g}"] = params[f"W_{g}"][0, 0]
        out[f"w_{g}"] = params[f"W_{g}"][0, 1]
    return out
