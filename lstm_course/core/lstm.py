r"""The readable LSTM: one line per equation of article 001, in its names.

Read it beside lesson 03.  A batch of B sequences is a stack of row vectors, so article 001's
column form a_g = W_g Z_t + b_g is written Z_t @ W_gᵀ + b_g here (the same numbers).

Forward, one step (article 001, equations 1-6):

    Z_t  = [h_{t-1}; x_t]                      (B, H + D)
    a_g  = Z_t W_gᵀ + b_g,  g in f, i, c, o     (B, H)
    f_t = σ(a_f)   i_t = σ(a_i)   c~_t = tanh(a_c)   o_t = σ(a_o)
    C_t  = f_t ⊙ C_{t-1} + i_t ⊙ c~_t
    h_t  = o_t ⊙ tanh(C_t)

Backward, one step (article 001's derivation; ⊙ is the elementwise product):

    dJ/do_t   = dJ/dh_t ⊙ tanh(C_t)
    dJ/dC_t   = dJ/dh_t ⊙ o_t ⊙ (1 - tanh² C_t) + dJ/dC_{t+1} ⊙ f_{t+1}     (the "clubbed" term)
    dJ/dc~_t  = dJ/dC_t ⊙ i_t       dJ/di_t = dJ/dC_t ⊙ c~_t       dJ/df_t = dJ/dC_t ⊙ C_{t-1}
    dJ/da_g   = dJ/dg_t ⊙ σ'  or  ⊙ tanh', written on the activated outputs (article 004)
    dJ/dZ_t   = Σ_g dJ/da_g W_g  =  [dJ/dh_{t-1} | dJ/dx_t]
    dJ/dW_g   = dJ/da_gᵀ Z_t       dJ/db_g = Σ_batch dJ/da_g       dJ/dC_{t-1} = dJ/dC_t ⊙ f_t

Nothing here but arithmetic and the two nonlinearities, so every function runs unchanged on
numpy object arrays of SymPy symbols: lstm_course.proofs proves this code itself.  Training
runs lstm_course.hamlet.kernel, the same equations fused and tuned for speed, tested equal to
this file and proved the same way.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import sigmoid, tanh
from .params import GATES, check_params, init_params
from .validation import check_array

__all__ = ["init_params", "StepCache", "StepGradients", "Cache", "step_forward",
           "step_backward", "forward", "backward"]


class StepCache(NamedTuple):
    """What one step keeps for its backward: the values of article 001's nodes, each (B, ·)."""

    params: dict
    Z: np.ndarray         # [h_{t-1}; x_t]   (B, H + D)
    c_prev: np.ndarray    # C_{t-1}          (B, H)
    f: np.ndarray         # f_t              (B, H)
    i: np.ndarray         # i_t              (B, H)
    c_tilde: np.ndarray   # c~_t             (B, H)
    o: np.ndarray         # o_t              (B, H)
    c: np.ndarray         # C_t              (B, H)
    tanh_c: np.ndarray    # tanh(C_t)        (B, H)


class StepGradients(NamedTuple):
    """Every gradient of one backward step, named as article 001 names them."""

    dJ_do: np.ndarray        # (B, H)
    dJ_dC: np.ndarray        # (B, H)  the clubbed dJ/dC_t
    dJ_dc_tilde: np.ndarray  # (B, H)
    dJ_di: np.ndarray        # (B, H)
    dJ_df: np.ndarray        # (B, H)
    dJ_da: dict              # g -> dJ/da_g (B, H)
    dJ_dZ: np.ndarray        # (B, H + D)
    dJ_dh_prev: np.ndarray   # (B, H)  dJ/dh_{t-1}: the hidden part of dJ/dZ_t
    dJ_dx: np.ndarray        # (B, D)  dJ/dx_t: the input part of dJ/dZ_t
    dJ_dC_prev: np.ndarray   # (B, H)  dJ/dC_{t-1}
    params: dict             # "W_g" (H, H + D) and "b_g" (H,): this step's share


class Cache(NamedTuple):
    """What forward keeps: the parameters it ran with and every step's StepCache."""

    params: dict
    steps: list


def _check_step(params: dict, x_t, h_prev, c_prev) -> None:
    H, D, dtype = check_params(params)
    B = np.shape(x_t)[0] if np.ndim(x_t) == 2 else None
    check_array(x_t, "x_t", ndim=2, last_dim=D, dtype=dtype)
    check_array(h_prev, "h_prev", shape=(B, H), dtype=dtype)
    check_array(c_prev, "c_prev", shape=(B, H), dtype=dtype)


def step_forward(params: dict, x_t, h_prev, c_prev):
    """One step of the cell: x_t (B, D), h_prev and c_prev (B, H) -> (h_t, C_t, StepCache)."""
    _check_step(params, x_t, h_prev, c_prev)
    Z = np.concatenate([h_prev, x_t], axis=1)                   # Z_t = [h_{t-1}; x_t]  (B, H+D)
    a = {g: Z @ params[f"W_{g}"].T + params[f"b_{g}"] for g in GATES}   # a_g  (B, H) each
    f = sigmoid(a["f"])                                          # f_t = σ(a_f)
    i = sigmoid(a["i"])                                          # i_t = σ(a_i)
    c_tilde = tanh(a["c"])                                       # c~_t = tanh(a_c)
    o = sigmoid(a["o"])                                          # o_t = σ(a_o)
    c = f * c_prev + i * c_tilde                                 # C_t = f_t C_{t-1} + i_t c~_t
    tanh_c = tanh(c)
    h = o * tanh_c                                               # h_t = o_t tanh(C_t)
    return h, c, StepCache(params, Z, c_prev, f, i, c_tilde, o, c, tanh_c)


def step_backward(dh, dc_next, step_cache: StepCache) -> StepGradients:
    """One step back: every gradient of article 001, one line per equation.

    dh      : (B, H) the total dJ/dh_t: from the loss at step t plus what step t+1 sends back
              through Z_{t+1} (its dJ/dh_{t-1})
    dc_next : (B, H) what reaches C_t from step t+1, dJ/dC_{t+1} ⊙ f_{t+1} (zeros at the last
              step): step t+1's dJ_dC_prev
    """
    s = step_cache
    H = s.c.shape[1]
    dJ_do = dh * s.tanh_c                                        # dJ/do_t
    dJ_dC = dh * s.o * (1 - s.tanh_c ** 2) + dc_next             # dJ/dC_t, clubbed
    dJ_dc_tilde = dJ_dC * s.i                                    # dJ/dc~_t
    dJ_di = dJ_dC * s.c_tilde                                    # dJ/di_t
    dJ_df = dJ_dC * s.c_prev                                     # dJ/df_t
    dJ_da = {"f": dJ_df * s.f * (1 - s.f),                       # dJ/da_f = dJ/df_t σ'(a_f)
             "i": dJ_di * s.i * (1 - s.i),                       # dJ/da_i = dJ/di_t σ'(a_i)
             "c": dJ_dc_tilde * (1 - s.c_tilde ** 2),            # dJ/da_c = dJ/dc~_t tanh'(a_c)
             "o": dJ_do * s.o * (1 - s.o)}                       # dJ/da_o = dJ/do_t σ'(a_o)
    dJ_dZ = sum(dJ_da[g] @ s.params[f"W_{g}"] for g in GATES)    # dJ/dZ_t  (B, H+D)
    dJ_dh_prev, dJ_dx = dJ_dZ[:, :H], dJ_dZ[:, H:]               # Z_t split: h_{t-1} | x_t
    dJ_dC_prev = dJ_dC * s.f                                     # dJ/dC_{t-1}
    grads = {}
    for g in GATES:
        grads[f"W_{g}"] = dJ_da[g].T @ s.Z                       # dJ/dW_g = dJ/da_gᵀ Z_t (H, H+D)
        grads[f"b_{g}"] = dJ_da[g].sum(axis=0)                   # dJ/db_g  (H,)
    return StepGradients(dJ_do, dJ_dC, dJ_dc_tilde, dJ_di, dJ_df, dJ_da, dJ_dZ, dJ_dh_prev,
                         dJ_dx, dJ_dC_prev, grads)


def forward(params: dict, xs, h0=None, c0=None):
    """Run the cell over xs (T, B, D) from h0, c0 (B, H; zeros when None).

    Returns (hs, cs, cache): hs and cs (T, B, H), and the Cache backward needs
    (cache.steps[t] holds step t's gates: cache.steps[t].f, .i, .c_tilde, .o, .c).
    """
    H, D, dtype = check_params(params)
    xs = check_array(xs, "xs", ndim=3, last_dim=D, dtype=dtype)
    T, B, _ = xs.shape
    h = np.zeros((B, H), dtype=dtype) if h0 is None else h0      # (B, H)
    c = np.zeros((B, H), dtype=dtype) if c0 is None else c0      # (B, H)
    steps, hs, cs = [], [], []
    for t in range(T):
        h, c, step = step_forward(params, xs[t], h, c)
        steps.append(step)
        hs.append(h)
        cs.append(c)
    return np.stack(hs), np.stack(cs), Cache(params, steps)      # (T, B, H) each


def backward(params: dict, cache: Cache, dhs, dc_last=None) -> dict:
    """Backpropagation through time: the steps of forward, walked back from the last.

    dhs     : (T, B, H) dJ/dh_t from outside the recurrence (the loss at each step)
    dc_last : (B, H) dJ/dC_T from outside, zeros when None
    Returns the gradient of every parameter (summed over the steps: article 001, figure 10)
    and of "xs" (T, B, D), "h0" and "c0" (B, H).
    """
    if not isinstance(cache, Cache):
        raise TypeError(f"cache must be the Cache that forward returned, got "
                        f"{type(cache).__name__}")
    H, D, dtype = check_params(params)
    names = [f"{p}_{g}" for g in GATES for p in "Wb"]
    if any(not np.array_equal(params[k], cache.params[k]) for k in names):
        raise ValueError("params differ from the ones forward used to make this cache: "
                         "backward must run with the same parameters")
    T, B = len(cache.steps), cache.steps[0].c.shape[0]
    dhs = check_array(dhs, "dhs", shape=(T, B, H), dtype=dtype)
    dc = (np.zeros((B, H), dtype=dtype) if dc_last is None       # dJ/dC arriving from t+1
          else check_array(dc_last, "dc_last", shape=(B, H), dtype=dtype))
    dh_next = np.zeros((B, H), dtype=dtype)                      # dJ/dh_t sent back by t+1
    grads = {k: np.zeros_like(params[k]) for k in names}
    dxs = [None] * T
    for t in reversed(range(T)):
        step = step_backward(dhs[t] + dh_next, dc, cache.steps[t])
        for k in grads:
            grads[k] = grads[k] + step.params[k]                  # summed over time
        dxs[t] = step.dJ_dx
        dh_next, dc = step.dJ_dh_prev, step.dJ_dC_prev
    return {**grads, "xs": np.stack(dxs), "h0": dh_next, "c0": dc}
