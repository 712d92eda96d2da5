"""The course's one LSTM: init_params, forward and backward over (T, B, D) batches.

Notation (articles 001 and 004): the cell sees the concatenation
``Z_t = [h_{t-1}; x_t]`` (hidden state first) and has four gates g in (f, i, c, o):

    a_g  = W_g Z_t + b_g                      W_g: (H, H + D), b_g: (H,)
    f_t  = σ(a_f)   i_t = σ(a_i)   c~_t = tanh(a_c)   o_t = σ(a_o)
    C_t  = f_t * C_{t-1} + i_t * c~_t
    h_t  = o_t * tanh(C_t)

Parameters are named per gate (``W_f``, ``b_f``, ...) in the public dict; inside,
the four gates are fused into one (4H, H + D) matrix so a time step costs one
matrix product, and the input projection of all steps is hoisted out of the loop.

"One formula, two uses": the elementwise parts of a step, :func:`cell_forward` and
:func:`cell_backward`, are plain arithmetic plus the two nonlinearities passed in
``ops``.  They run on numpy float arrays and, unchanged, on numpy object arrays of
SymPy expressions, so ``lstm_course.symbolic`` proves *this* code, not a copy.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import activations
from .validation import check_array, check_params, check_positive_int

__all__ = [
    "GATES",
    "Elementwise",
    "NUMPY_OPS",
    "init_params",
    "fuse",
    "split",
    "cell_forward",
    "cell_backward",
    "forward",
    "backward",
]

GATES = ("f", "i", "c", "o")  # forget, input, candidate (c~), output: fused row order


class Elementwise(NamedTuple):
    """The two gate nonlinearities a step uses (numpy's by default, SymPy's for proofs)."""

    sigmoid: Callable
    tanh: Callable


NUMPY_OPS = Elementwise(sigmoid=activations.sigmoid, tanh=np.tanh)


def init_params(input_size: int, hidden_size: int, *, rng: np.random.Generator,
                dtype=np.float64) -> dict:
    """Xavier-uniform weights and zero biases (as article 004 initialises them).

    Returns {"W_f","W_i","W_c","W_o"}: (H, H + D), columns [h_{t-1} | x_t];
    {"b_f","b_i","b_c","b_o"}: (H,) zeros.  Each W_g is drawn from
    U(-r, r), r = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / ((H + D) + H)).
    """
    D = check_positive_int(input_size, "input_size")
    H = check_positive_int(hidden_size, "hidden_size")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    r = np.sqrt(6.0 / ((H + D) + H))
    params = {}
    for g in GATES:
        params[f"W_{g}"] = rng.uniform(-r, r, size=(H, H + D)).astype(dtype)  # (H, H+D)
    for g in GATES:
        params[f"b_{g}"] = np.zeros(H, dtype=dtype)  # (H,)
    return params


def fuse(params: dict) -> tuple[np.ndarray, np.ndarray]:
    """Stack the per-gate parameters: W (4H, H + D) in row order f, i, c, o, and b (4H,)."""
    W = np.concatenate([params[f"W_{g}"] for g in GATES], axis=0)  # (4H, H+D)
    b = np.concatenate([params[f"b_{g}"] for g in GATES], axis=0)  # (4H,)
    return W, b


def split(fused: np.ndarray, prefix: str) -> dict:
    """Inverse of :func:`fuse` for one array: rows (4H, ...) -> {prefix_f: (H, ...), ...}."""
    parts = np.split(fused, 4, axis=0)  # four (H, ...) blocks
    return {f"{prefix}_{g}": part for g, part in zip(GATES, parts)}


def cell_forward(a_f, a_i, a_c, a_o, c_prev, ops: Elementwise = NUMPY_OPS):
    """Elementwise part of one step, from the four pre-activations (each (B, H)).

    Returns (f, i, c_tilde, o, c, tanh_c, h), each (B, H):
    f = σ(a_f), i = σ(a_i), c~ = tanh(a_c), o = σ(a_o), C = f C_prev + i c~, h = o tanh(C).
    """
    f = ops.sigmoid(a_f)
    i = ops.sigmoid(a_i)
    c_tilde = ops.tanh(a_c)
    o = ops.sigmoid(a_o)
    c = f * c_prev + i * c_tilde
    tanh_c = ops.tanh(c)
    h = o * tanh_c
    return f, i, c_tilde, o, c, tanh_c, h


def cell_backward(dh, dc_next, f, i, c_tilde, o, c_prev, tanh_c):
    """Elementwise backward of one step (every argument (B, H)).

    dh      : total dJ/dh_t (from the readout at t plus from step t+1 through Z_{t+1})
    dc_next : dJ/dC_t arriving from step t+1, i.e. dJ/dC_{t+1} * f_{t+1} (the "clubbed"
              term of article 001); zero at the last step.
    Returns (da_f, da_i, da_c, da_o, dc_prev): the pre-activation gradients and dJ/dC_{t-1}.

    Written with the activated-output derivatives of article 004:
    σ'(a) = s (1 - s) with s = σ(a), tanh'(a) = 1 - t² with t = tanh(a).
    """
    dc = dc_next + dh * o * activations.tanh_grad_from_output(tanh_c)  # dJ/dC_t
    do = dh * tanh_c                                                   # dJ/do_t
    dc_tilde = dc * i                                                  # dJ/dc~_t
    di = dc * c_tilde                                                  # dJ/di_t
    df = dc * c_prev                                                   # dJ/df_t
    da_f = df * activations.sigmoid_grad_from_output(f)
    da_i = di * activations.sigmoid_grad_from_output(i)
    da_c = dc_tilde * activations.tanh_grad_from_output(c_tilde)
    da_o = do * activations.sigmoid_grad_from_output(o)
    dc_prev = dc * f                                                   # dJ/dC_{t-1}
    return da_f, da_i, da_c, da_o, dc_prev


def _initial_state(state, name: str, B: int, H: int, dtype) -> np.ndarray:
    if state is None:
        return np.zeros((B, H), dtype=dtype)  # (B, H)
    return check_array(state, name, shape=(B, H), dtype=dtype)


def forward(params: dict, xs, h0=None, c0=None, *, ops: Elementwise = NUMPY_OPS):
    """Run the LSTM over a batch of sequences.

    params : per-gate dict from :func:`init_params` (all one dtype)
    xs     : (T, B, D) inputs, same dtype as params
    h0, c0 : (B, H) initial hidden and cell state, zeros when None
    ops    : the nonlinearities (leave the default; lstm_course.symbolic passes SymPy's)

    Returns (hs, cs, cache): hs and cs are (T, B, H); cache is what backward needs.
    A float32 model on float32 inputs computes and returns float32.
    """
    H, D, dtype = check_params(params)
    xs = check_array(xs, "xs", ndim=3, last_dim=D, dtype=dtype)
    T, B, _ = xs.shape
    h0 = _initial_state(h0, "h0", B, H, dtype)
    c0 = _initial_state(c0, "c0", B, H, dtype)

    W, b = fuse(params)                                       # (4H, H+D), (4H,)
    W_h, W_x = W[:, :H], W[:, H:]                             # (4H, H), (4H, D)
    x_proj = (xs.reshape(T * B, D) @ W_x.T + b).reshape(T, B, 4 * H)  # (T, B, 4H)

    gates = np.empty((T, B, 4 * H), dtype=dtype)  # activated f, i, c~, o per step
    cs = np.empty((T, B, H), dtype=dtype)
    tanh_cs = np.empty((T, B, H), dtype=dtype)
    hs = np.empty((T, B, H), dtype=dtype)
    h, c = h0, c0
    for t in range(T):
        a = x_proj[t] + h @ W_h.T                             # (B, 4H)
        a_f, a_i, a_c, a_o = np.split(a, 4, axis=1)           # four (B, H)
        f, i, c_tilde, o, c, tanh_c, h = cell_forward(a_f, a_i, a_c, a_o, c, ops)
        gates[t] = np.concatenate([f, i, c_tilde, o], axis=1)  # (B, 4H)
        cs[t], tanh_cs[t], hs[t] = c, tanh_c, h
    cache = {"xs": xs, "h0": h0, "c0": c0, "W": W, "gates": gates,
             "cs": cs, "tanh_cs": tanh_cs, "hs": hs}
    return hs.copy(), cs.copy(), cache


def backward(params: dict, cache: dict, dhs, dc_last=None) -> dict:
    """Backpropagation through time for :func:`forward`.

    dhs     : (T, B, H) dLoss/dh_t from outside the recurrence (the readout or the loss)
    dc_last : (B, H) dLoss/dC_T from outside, zeros when None

    Returns grads with every key of params (same shapes) plus "xs" (T, B, D),
    "h0" (B, H) and "c0" (B, H).  Per-step gradients are summed over time
    (article 001, figure 10).  Neither the inputs nor the cache are modified.
    """
    H, D, dtype = check_params(params)
    xs, W, gates = cache["xs"], cache["W"], cache["gates"]
    T, B, _ = xs.shape
    dhs = check_array(dhs, "dhs", shape=(T, B, H), dtype=dtype)
    dc = _initial_state(dc_last, "dc_last", B, H, dtype)     # dJ/dC_t carried back
    W_h, W_x = W[:, :H], W[:, H:]                             # (4H, H), (4H, D)

    da_all = np.empty((T, B, 4 * H), dtype=dtype)             # dJ/da_g for every step
    dh_next = np.zeros((B, H), dtype=dtype)                   # dJ/dh_t from step t+1
    for t in range(T - 1, -1, -1):
        f, i, c_tilde, o = np.split(gates[t], 4, axis=1)      # four (B, H)
        c_prev = cache["cs"][t - 1] if t > 0 else cache["c0"]
        dh = dhs[t] + dh_next                                 # (B, H)
        da_f, da_i, da_c, da_o, dc = cell_backward(
            dh, dc, f, i, c_tilde, o, c_prev, cache["tanh_cs"][t])
        da_all[t] = np.concatenate([da_f, da_i, da_c, da_o], axis=1)  # (B, 4H)
        dh_next = da_all[t] @ W_h                             # (B, H): dJ/dh_{t-1}

    h_prev = np.concatenate([cache["h0"][None], cache["hs"][:-1]], axis=0)  # (T, B, H)
    Z = np.concatenate([h_prev, xs], axis=2).reshape(T * B, H + D)      # (T*B, H+D)
    da_flat = da_all.reshape(T * B, 4 * H)                              # (T*B, 4H)
    dW = da_flat.T @ Z                                                  # (4H, H+D)
    db = da_flat.sum(axis=0)                                            # (4H,)
    grads = {**split(dW, "W"), **split(db, "b")}
    grads["xs"] = (da_flat @ W_x).reshape(T, B, D)                      # (T, B, D)
    grads["h0"] = dh_next                                               # (B, H)
    grads["c0"] = dc                                                    # (B, H)
    return grads
