"""A plain tanh RNN, h_t = tanh(W [h_{t-1}; x_t] + b): the baseline the LSTM is compared with.

Only for lesson 04's measurements of vanishing and exploding gradients; same conventions
as lstm_course.lstm (Z_t = [h_{t-1}; x_t], hidden columns first, (T, B, D) batches).
"""
from __future__ import annotations

import numpy as np

from .params import xavier_uniform
from .validation import check_array, check_positive_int

__all__ = ["init_params", "forward", "backward"]


def init_params(input_size: int, hidden_size: int, *, rng: np.random.Generator,
                dtype=np.float64) -> dict:
    """Xavier-uniform W (H, H + D) and zero b (H,), as lstm.init_params does per gate."""
    D = check_positive_int(input_size, "input_size")
    H = check_positive_int(hidden_size, "hidden_size")
    return {"W": xavier_uniform(H, H + D, rng=rng, dtype=dtype),  # (H, H+D)
            "b": np.zeros(H, dtype=dtype)}                        # (H,)


def _check(params):
    W = check_array(params["W"], "params['W']", ndim=2)
    H = W.shape[0]
    check_array(params["b"], "params['b']", shape=(H,), dtype=W.dtype)
    return W, H, W.shape[1] - H


def forward(params: dict, xs, h0=None):
    """xs (T, B, D) -> (hs (T, B, H), cache)."""
    W, H, D = _check(params)
    xs = check_array(xs, "xs", ndim=3, last_dim=D, dtype=W.dtype)
    T, B, _ = xs.shape
    h = np.zeros((B, H), dtype=W.dtype) if h0 is None else check_array(
        h0, "h0", shape=(B, H), dtype=W.dtype)
    h0 = h
    hs = np.empty((T, B, H), dtype=W.dtype)
    for t in range(T):
        h = np.tanh(h @ W[:, :H].T + xs[t] @ W[:, H:].T + params["b"])  # (B, H)
        hs[t] = h
    return hs.copy(), {"xs": xs, "h0": h0, "hs": hs}


def backward(params: dict, cache: dict, dhs) -> dict:
    """dhs (T, B, H) -> grads {"W", "b", "xs", "h0"}; also "dh_per_step" (T, B, H):
    the total dLoss/dh_t at every step (what lesson 04 plots against distance in time)."""
    W, H, D = _check(params)
    xs, hs = cache["xs"], cache["hs"]
    T, B, _ = xs.shape
    dhs = check_array(dhs, "dhs", shape=(T, B, H), dtype=W.dtype)
    da_all = np.empty((T, B, H), dtype=W.dtype)
    dh_total = np.empty((T, B, H), dtype=W.dtype)
    dh_next = np.zeros((B, H), dtype=W.dtype)
    for t in range(T - 1, -1, -1):
        dh_total[t] = dhs[t] + dh_next
        da_all[t] = dh_total[t] * (1 - hs[t] ** 2)        # (B, H)
        dh_next = da_all[t] @ W[:, :H]                    # (B, H)
    h_prev = np.concatenate([cache["h0"][None], hs[:-1]], axis=0)          # (T, B, H)
    Z = np.concatenate([h_prev, xs], axis=2).reshape(T * B, H + D)        # (T*B, H+D)
    da = da_all.reshape(T * B, H)
    return {"W": da.T @ Z, "b": da.sum(axis=0), "xs": (da @ W[:, H:]).reshape(T, B, D),
            "h0": dh_next, "dh_per_step": dh_total}
