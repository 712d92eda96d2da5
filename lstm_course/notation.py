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

import numpy as np

from .lstm import GATES
from .validation import check_params

__all__ = ["SEO_NAMES", "GOMEZ_ORDER", "SCALAR_003_NAMES", "from_seo", "to_seo",
           "from_gomez", "to_gomez", "from_scalar003", "to_scalar003"]

SEO_NAMES = {"f": "f", "i": "i", "c": "a", "o": "o"}   # course gate -> Seo's letter
GOMEZ_ORDER = ("c", "i", "f", "o")                     # Gomez's rows a, i, f, o as course gates
SCALAR_003_NAMES = ("f", "i", "c", "o")


def _as_2d(a, name: str) -> np.ndarray:
    arr = np.asarray(a)
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
    scalar, Wrec* (H, H) or a scalar.
    """
    needed = [f"{p}{SEO_NAMES[g]}" for g in GATES for p in ("W", "Wrec")]
    missing = [k for k in needed if k not in weights]
    if missing:
        raise ValueError(f"weights is missing {missing}; Seo's cell has the eight weights "
                         f"{needed}")
    params = {}
    for g in GATES:
        s = SEO_NAMES[g]
        W_in, W_rec = _as_2d(weights[f"W{s}"], f"W{s}"), _as_2d(weights[f"Wrec{s}"], f"Wrec{s}")
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
    W, U = _as_2d(W, "W"), _as_2d(U, "U")
    b = np.asarray(b).reshape(-1)
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

    dtype=object keeps SymPy values as they are.
    """
    needed = [f"{p}_{g}" for g in SCALAR_003_NAMES for p in ("w", "u")]
    missing = [k for k in needed if k not in weights]
    if missing:
        raise ValueError(f"weights is missing {missing}; article 003's cell has {needed}")
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
