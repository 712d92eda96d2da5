"""Article 003 ("Long Short Term Memory Maths — Part 2"): a scalar cell without biases.

H = D = 1, weights w_g on x_t and u_g on h_{t-1}; so the course's W_g = [[u_g, w_g]].  Below:
the layout converters, then the article's one step, its chain rule for every weight and the
full dc_t/dc_{t-1}, run by the readable LSTM on SymPy symbols.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from ..core import lstm
from ..core.params import GATES, check_params
from .weights import as_weight

__all__ = ["W003", "from_scalar003", "to_scalar003", "scalar003_step", "scalar003_chain",
           "scalar003_dc_dcprev", "proof_weights", "proof_dc_dcprev", "scalar003_over_time",
           "scalar003_bptt", "proof_over_time"]

W003 = tuple(f"{p}_{g}" for g in GATES for p in ("w", "u"))   # the article's eight weights


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
    needed = [f"{p}_{g}" for g in GATES for p in ("w", "u")]
    missing = [k for k in needed if k not in weights]
    if missing:
        raise ValueError(f"weights is missing {missing}; article 003's cell has {needed}")
    for k in needed:
        arr = as_weight(weights[k], f"weights['{k}']")
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


# ------------------------------------------------------------------ one step, in SymPy

def scalar003_step(hold_h_prev: bool = True):
    """One step of article 003's scalar, bias-free cell, run by the package on SymPy symbols.

    h_{t-1} = o_{t-1} tanh(c_{t-1}) when hold_h_prev is False (so that c_{t-1} reaches
    step t through h_{t-1} as well), else a free symbol.  Loss E = 1/2 (h_t - y_t)^2.
    Returns a namespace with w (dict of the eight weights), x, y, h_prev, c_prev, o_prev,
    f, i, c_tilde, o, c, h, E.
    """
    w = {k: sp.Symbol(k, real=True) for k in W003}
    n = SimpleNamespace(w=w, x=sp.Symbol("x_t", real=True), y=sp.Symbol("y_t", real=True),
                        c_prev=sp.Symbol("c_{t-1}", real=True),
                        o_prev=sp.Symbol("o_{t-1}", real=True))
    n.h_prev = (sp.Symbol("h_{t-1}", real=True) if hold_h_prev
                else n.o_prev * sp.tanh(n.c_prev))
    params = from_scalar003(w, dtype=object)
    h, c, step = lstm.step_forward(params, np.array([[n.x]], dtype=object),
                                   np.array([[n.h_prev]], dtype=object),
                                   np.array([[n.c_prev]], dtype=object))
    n.f, n.i, n.c_tilde, n.o = step.f[0, 0], step.i[0, 0], step.c_tilde[0, 0], step.o[0, 0]
    n.c, n.h = c[0, 0], h[0, 0]
    n.E = sp.Rational(1, 2) * (n.h - n.y) ** 2
    return n


def scalar003_chain(n) -> dict:
    """Article 003's chain rule for every weight of one step, E = 1/2 (h_t - y_t)^2."""
    dh = n.h - n.y
    dc = dh * n.o * (1 - sp.tanh(n.c) ** 2)
    local = {"o": dh * sp.tanh(n.c) * n.o * (1 - n.o),
             "c": dc * n.i * (1 - n.c_tilde ** 2),
             "i": dc * n.c_tilde * n.i * (1 - n.i),
             "f": dc * n.c_prev * n.f * (1 - n.f)}
    out = {}
    for g, value in local.items():
        out[f"w_{g}"], out[f"u_{g}"] = value * n.x, value * n.h_prev
    return out


def scalar003_dc_dcprev(n):
    """The full dc_t/dc_{t-1}: f_t plus the recurrent terms through h_{t-1} = o_{t-1} tanh(c_{t-1})."""
    w = n.w
    return n.f + (n.c_prev * n.f * (1 - n.f) * w["u_f"]
                  + n.c_tilde * n.i * (1 - n.i) * w["u_i"]
                  + n.i * (1 - n.c_tilde ** 2) * w["u_c"]) * n.o_prev * (1 - sp.tanh(n.c_prev) ** 2)


def proof_weights() -> list:
    """(hand, E, weight) for the chain rule of every weight of one step."""
    n = scalar003_step()
    hands = scalar003_chain(n)
    return [(hands[k], n.E, n.w[k]) for k in W003]


def proof_dc_dcprev() -> list:
    """(hand, c_t, c_{t-1}): the full dc_t/dc_{t-1}, through h_{t-1} as well."""
    n = scalar003_step(hold_h_prev=False)
    return [(scalar003_dc_dcprev(n), n.c, n.c_prev)]


# ------------------------------------------------------------- over time, in its symbols

def scalar003_over_time(T: int = 2) -> SimpleNamespace:
    """Article 003's cell over T steps (h_0 = c_0 = 0), E = Σ_t ½(h_t - y_t)², on SymPy symbols.

    The forward is the readable LSTM run on 003's eight weights (through from_scalar003).
    Returns a namespace with w, x, y (dicts t -> symbol, t = 1..T), and per step the values
    f, i, c_tilde, o, c, h (dicts t -> expression; c[0] = h[0] = 0), and E.
    """
    w = {k: sp.Symbol(k, real=True) for k in W003}
    params = from_scalar003(w, dtype=object)
    n = SimpleNamespace(w=w, T=T, x={t: sp.Symbol(f"x_{t}", real=True) for t in range(1, T + 1)},
                        y={t: sp.Symbol(f"y_{t}", real=True) for t in range(1, T + 1)},
                        f={}, i={}, c_tilde={}, o={}, c={0: sp.Integer(0)}, h={0: sp.Integer(0)})
    for t in range(1, T + 1):
        h, c, step = lstm.step_forward(params, np.array([[n.x[t]]], dtype=object),
                                       np.array([[n.h[t - 1]]], dtype=object),
                                       np.array([[n.c[t - 1]]], dtype=object))
        n.f[t], n.i[t], n.c_tilde[t], n.o[t] = (step.f[0, 0], step.i[0, 0],
                                               step.c_tilde[0, 0], step.o[0, 0])
        n.c[t], n.h[t] = c[0, 0], h[0, 0]
    n.E = sum(sp.Rational(1, 2) * (n.h[t] - n.y[t]) ** 2 for t in range(1, T + 1))
    return n


def scalar003_bptt(n: SimpleNamespace, record: dict | None = None) -> dict:
    """Article 003's chain rule carried over time, in its symbols: from the last step back,
    dE/dh_t is the step's own error plus what step t+1's gates send back (Σ_g δ_g u_g), dE/dc_t
    adds the cell path dE/dc_{t+1} f_{t+1}, and each weight's derivative is summed over the
    steps: dE/dw_g = Σ_t δ_{g,t} x_t, dE/du_g = Σ_t δ_{g,t} h_{t-1}.
    record: a dict that receives ("dh", t) and ("dc", t) -> dE/dh_t and dE/dc_t, when given."""
    grads = {k: sp.Integer(0) for k in W003}
    dh_next, dc_next, f_next = sp.Integer(0), sp.Integer(0), sp.Integer(0)
    for t in range(n.T, 0, -1):
        dh = (n.h[t] - n.y[t]) + dh_next                                   # dE/dh_t
        tanh_c = sp.tanh(n.c[t])
        dc = dh * n.o[t] * (1 - tanh_c ** 2) + dc_next * f_next            # dE/dc_t
        if record is not None:
            record[("dh", t)], record[("dc", t)] = dh, dc
        local = {"o": dh * tanh_c * n.o[t] * (1 - n.o[t]),
                 "c": dc * n.i[t] * (1 - n.c_tilde[t] ** 2),
                 "i": dc * n.c_tilde[t] * n.i[t] * (1 - n.i[t]),
                 "f": dc * n.c[t - 1] * n.f[t] * (1 - n.f[t])}
        for g, value in local.items():
            grads[f"w_{g}"] += value * n.x[t]
            grads[f"u_{g}"] += value * n.h[t - 1]
        dh_next = sum(local[g] * n.w[f"u_{g}"] for g in local)             # to h_{t-1}
        dc_next, f_next = dc, n.f[t]
    return grads


def proof_over_time(T: int = 2) -> list:
    """(hand, E, weight) for every weight over T steps of 003's cell."""
    n = scalar003_over_time(T)
    hands = scalar003_bptt(n)
    return [(hands[k], n.E, n.w[k]) for k in W003]
