"""The LSTM's parameters: the gate order, their names and shapes, initialisation and check.

Article 001's layout, which the whole course keeps: per gate g in GATES = (f, i, c, o) a
weight W_g (H, H + D) acting on Z_t = [h_{t-1}; x_t] (hidden columns first) and a bias
b_g (H,).  GATES is the one place the gate order is defined: the fused (4H, ...) layouts of
the training kernel stack the gates in this order too.  A stacked model (lstm_course.hamlet.
model) names the arrays of its layer k >= 2 by :func:`layer_key`: "layer{k}.W_f", ...
"""
from __future__ import annotations

import numpy as np

from .validation import check_array, check_positive_int

__all__ = ["GATES", "layer_key", "init_params", "check_params", "fuse", "split",
           "xavier_uniform"]

GATES = ("f", "i", "c", "o")  # forget, input, candidate (c~), output


def layer_key(layer: int, name: str) -> str:
    """The key of ``name`` ("W_f", "b_o", ...) in LSTM layer ``layer`` of a stacked model:
    the name itself for layer 1, "layer{k}.<name>" for layer k >= 2."""
    return name if layer == 1 else f"layer{layer}.{name}"


def init_params(input_size: int, hidden_size: int, *, rng: np.random.Generator,
                dtype=np.float64) -> dict:
    """Xavier-uniform weights and zero biases (as article 004 initialises them).

    Returns {"W_f","W_i","W_c","W_o"}: (H, H + D), columns [h_{t-1} | x_t];
    {"b_f","b_i","b_c","b_o"}: (H,) zeros.  Each W_g is drawn from
    U(-r, r), r = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / ((H + D) + H)).
    """
    D = check_positive_int(input_size, "input_size")
    H = check_positive_int(hidden_size, "hidden_size")
    params = {f"W_{g}": xavier_uniform(H, H + D, rng=rng, dtype=dtype) for g in GATES}
    params.update({f"b_{g}": np.zeros(H, dtype=dtype) for g in GATES})  # (H,) each
    return params


def fuse(params: dict, out=None) -> tuple[np.ndarray, np.ndarray]:
    """Stack the per-gate parameters: W (4H, H + D) in row order f, i, c, o, and b (4H,).

    out: None, or arrays (W, b) of those shapes to write into.
    """
    W_out, b_out = (None, None) if out is None else out
    W = np.concatenate([params[f"W_{g}"] for g in GATES], axis=0, out=W_out)  # (4H, H+D)
    b = np.concatenate([params[f"b_{g}"] for g in GATES], axis=0, out=b_out)  # (4H,)
    return W, b


def split(fused: np.ndarray, prefix: str) -> dict:
    """Inverse of :func:`fuse` for one array: rows (4H, ...) -> {prefix_f: (H, ...), ...}."""
    parts = np.split(fused, 4, axis=0)  # four (H, ...) blocks
    return {f"{prefix}_{g}": part for g, part in zip(GATES, parts)}


def check_params(params) -> tuple[int, int, np.dtype]:
    """Check an LSTM parameter dict and return (hidden_size H, input_size D, dtype).

    Expected: W_f, W_i, W_c, W_o of shape (H, H + D) and b_f, b_i, b_c, b_o of shape (H,),
    numpy arrays (not lists) all of one dtype.  Extra keys (a readout, say) are allowed and
    ignored, except a second layer's (:func:`layer_key`): a function of one LSTM layer given a
    stacked model would silently run its first layer alone, so that is refused.
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    if layer_key(2, "W_f") in params:
        raise ValueError("params hold a stacked model (its 'layer2.W_f', ...): this runs one LSTM "
                         "layer; pass lstm_course.hamlet.model.layer_params(params, k) for layer "
                         "k, or use lstm_course.hamlet.model, which runs every layer")
    missing = [k for g in GATES for k in (f"W_{g}", f"b_{g}") if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; expected W_f, W_i, W_c, W_o and "
                         f"b_f, b_i, b_c, b_o (see lstm_course.core.params.init_params)")
    for k in (f"{p}_{g}" for g in GATES for p in ("W", "b")):
        # check_array would convert a list, but the callers then use params[k] itself
        if not isinstance(params[k], np.ndarray):
            raise TypeError(f"params['{k}'] must be a numpy array, got "
                            f"{type(params[k]).__name__}")
    W_f = check_array(params["W_f"], "params['W_f']", ndim=2)
    H, HD = W_f.shape
    D = HD - H
    if D < 1:
        raise ValueError(f"params['W_f'] must have shape (H, H + D) with D >= 1, got {W_f.shape}")
    dtype = W_f.dtype
    for g in GATES:
        check_array(params[f"W_{g}"], f"params['W_{g}']", shape=(H, H + D), dtype=dtype)
        check_array(params[f"b_{g}"], f"params['b_{g}']", shape=(H,), dtype=dtype)
    return H, D, dtype


def xavier_uniform(rows: int, cols: int, *, rng, dtype) -> np.ndarray:
    """(rows, cols) weights drawn from U(-r, r), r = sqrt(6 / (rows + cols)) (Glorot and Bengio;
    article 004's "Xavier initialisation"), with rng a numpy Generator."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    r = np.sqrt(6.0 / (rows + cols))
    return rng.uniform(-r, r, size=(rows, cols)).astype(dtype)  # (rows, cols)


