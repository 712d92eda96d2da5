"""Article 002 (a CSDN post following Aidan Gomez, "Backpropogating an LSTM: A Numerical Example").

Gomez's layout: W (4H, D) on x_t, U (4H, H) on out_{t-1}, b (4H,), blocks in the row order
a (candidate), i, f, o.  So the course's W_g = [U_g | W_g], b_g = b_g.  The converters
accept float arrays and numpy object arrays (exact numbers, SymPy values) alike.
"""
from __future__ import annotations

import numpy as np

from ..core.params import GATES, check_params
from .weights import as_matrix, as_weight, check_one_dtype

__all__ = ["GOMEZ_ORDER", "from_gomez", "to_gomez"]

GOMEZ_ORDER = ("c", "i", "f", "o")                     # Gomez's rows a, i, f, o as course gates


def from_gomez(W, U, b) -> dict:
    """Gomez's W (4H, D), U (4H, H), b (4H,), rows a, i, f, o -> course params."""
    W, U, b = as_matrix(W, "W"), as_matrix(U, "U"), as_weight(b, "b")
    check_one_dtype({"W": W, "U": U, "b": b})
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
