"""Article 002 (a CSDN post following Aidan Gomez, "Backpropogating an LSTM: A Numerical Example").

Gomez's layout: W (4H, D) on x_t, U (4H, H) on out_{t-1}, b (4H,), blocks in the row order
a (candidate), i, f, o.  So the course's W_g = [U_g | W_g], b_g = b_g.  The converters
accept float arrays and numpy object arrays (exact numbers, SymPy values) alike.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from ..core import lstm
from ..core.params import GATES, check_params
from ..core.symbolic import matrix, vector
from .weights import as_matrix, as_weight, check_one_dtype

__all__ = ["GOMEZ_ORDER", "GOMEZ_GATES", "from_gomez", "to_gomez", "gomez_two_steps",
           "gomez_lines", "proof_lines", "output_bound"]

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


# ------------------------------------------------- Gomez's backward lines, in his symbols

GOMEZ_GATES = ("a", "i", "f", "o")                     # his row order (a: the candidate)


def gomez_two_steps(*, cut: str | None = None) -> SimpleNamespace:
    """Gomez's two-step example (scalar cell, 2-d input) on SymPy symbols, in his names.

    The forward runs the course's readable LSTM (through :func:`from_gomez`) on symbols
    W (4×2), U (4), b (4), x_0, x_1 (2 each), y_0, y_1; each step t adds its own symbols
    ε_{g,t} to the biases, so that ∂E/∂ε_{g,t} is the error at gate g's pre-activation at
    step t, what Gomez calls δg_t.  E = ½(out_0 - y_0)² + ½(out_1 - y_1)².
    cut : None, "state_0" (state_0 a free symbol: step 1 and out_0 take it as it is) or
          "out_0" (out_0 a free symbol as step 1's recurrent input; E_0 keeps the computed
          out_0), to prove the errors Gomez names at those nodes.
    Returns a namespace with W, U, b, x, y, eps (dicts t -> {g: symbol}), and per step t the
    gate values a, i, f, o, state, out (dicts t -> expression), E.
    """
    r = dict(real=True)
    W, U, b = matrix("W", 4, 2), vector("U", 4), vector("b", 4)
    n = SimpleNamespace(W=W, U=U, b=b, x={t: vector(f"x_{t}", 2) for t in (0, 1)},
                        y={t: sp.Symbol(f"y_{t}", **r) for t in (0, 1)},
                        eps={t: {g: sp.Symbol(rf"\varepsilon_{{{g},{t}}}", **r)
                                 for g in GOMEZ_GATES} for t in (0, 1)},
                        a={}, i={}, f={}, o={}, state={-1: sp.Integer(0)}, out={-1: sp.Integer(0)})
    as_array = lambda m: np.array(m.tolist(), dtype=object)           # noqa: E731
    out_in = {0: sp.Integer(0)}
    for t in (0, 1):
        b_t = as_array(b).reshape(4) + np.array([n.eps[t][g] for g in GOMEZ_GATES], dtype=object)
        params = from_gomez(as_array(W), as_array(U), b_t)
        prev_out = out_in[t]
        prev_state = n.state[t - 1]
        h, c, step = lstm.step_forward(params, as_array(n.x[t]).reshape(1, 2),
                                       np.array([[prev_out]], dtype=object),
                                       np.array([[prev_state]], dtype=object))
        n.a[t], n.i[t] = step.c_tilde[0, 0], step.i[0, 0]
        n.f[t], n.o[t] = step.f[0, 0], step.o[0, 0]
        n.state[t], n.out[t] = c[0, 0], h[0, 0]
        if t == 0 and cut == "state_0":
            n.state[0] = sp.Symbol("state_0", **r)
            n.out[0] = n.o[0] * sp.tanh(n.state[0])
        out_in[1] = sp.Symbol("out_0", **r) if (t == 0 and cut == "out_0") else n.out[0]
    n.E = sum(sp.Rational(1, 2) * (n.out[t] - n.y[t]) ** 2 for t in (0, 1))
    return n


def gomez_lines(n: SimpleNamespace) -> dict:
    """Gomez's backward, line by line in his symbols, from the last step back (article 002).

    Returns {name: expression} for t = 1, 0: "Delta_t", "delta_out_t", "delta_state_t",
    "delta_a_t", "delta_i_t", "delta_f_t", "delta_o_t", "Delta_out_{t-1}" (the error the
    gates of step t send to out_{t-1}: Uᵀ δgates_t) and "delta_x_t" (Wᵀ δgates_t, 2 entries).
    """
    lines, Delta_out, delta_state_next, f_next = {}, sp.Integer(0), sp.Integer(0), sp.Integer(0)
    for t in (1, 0):
        Delta = n.out[t] - n.y[t]                                          # Δ_t
        delta_out = Delta + Delta_out                                      # δout_t
        tanh_state = sp.tanh(n.state[t])
        delta_state = (delta_out * n.o[t] * (1 - tanh_state ** 2)
                       + delta_state_next * f_next)                        # δstate_t
        gates = {"a": delta_state * n.i[t] * (1 - n.a[t] ** 2),            # δa_t
                 "i": delta_state * n.a[t] * n.i[t] * (1 - n.i[t]),        # δi_t
                 "f": delta_state * n.state[t - 1] * n.f[t] * (1 - n.f[t]),  # δf_t
                 "o": delta_out * tanh_state * n.o[t] * (1 - n.o[t])}      # δo_t
        delta_gates = sp.Matrix([gates[g] for g in GOMEZ_GATES])
        lines.update({f"Delta_{t}": Delta, f"delta_out_{t}": delta_out,
                      f"delta_state_{t}": delta_state,
                      **{f"delta_{g}_{t}": gates[g] for g in GOMEZ_GATES},
                      f"Delta_out_{t - 1}": (n.U.T * delta_gates)[0],       # Uᵀ δgates_t
                      f"delta_x_{t}": n.W.T * delta_gates})                 # Wᵀ δgates_t
        Delta_out, delta_state_next, f_next = lines[f"Delta_out_{t - 1}"], delta_state, n.f[t]
    return lines


def proof_lines() -> list:
    """(hand, E, node) triples proving each of Gomez's lines in his layout: δa, δi, δf, δo at
    both steps against ∂E/∂ε_{g,t}; δstate_0 against ∂E/∂state_0 (state_0 cut free);
    Δout_0 against ∂E/∂out_0 (out_0 cut free as step 1's input); δx_t against ∂E/∂x_t."""
    n = gomez_two_steps()
    lines = gomez_lines(n)
    triples = [(lines[f"delta_{g}_{t}"], n.E, n.eps[t][g]) for t in (0, 1) for g in GOMEZ_GATES]
    triples += [(lines[f"delta_x_{t}"], n.E, n.x[t]) for t in (0, 1)]
    cut = gomez_two_steps(cut="state_0")
    triples.append((gomez_lines(cut)["delta_state_0"], cut.E, cut.state[0]))
    cut = gomez_two_steps(cut="out_0")
    triples.append((gomez_lines(cut)["Delta_out_0"], cut.E, sp.Symbol("out_0", real=True)))
    return triples


def output_bound() -> sp.Interval:
    """The interval out_t = o_t tanh(state_t) can take, computed by SymPy, not argued.

    SymPy's function_range gives σ's range over the reals, (0, 1), and tanh's, (-1, 1); their
    product therefore lies in the open interval (-1, 1): whatever the weights and inputs, Gomez's
    label y_1 = 1.25 can never be reached.
    """
    from sympy.calculus.util import function_range
    a, s = sp.symbols("a s", real=True)
    sigma_range = function_range(1 / (1 + sp.exp(-a)), a, sp.S.Reals)       # (0, 1)
    tanh_range = function_range(sp.tanh(s), s, sp.S.Reals)                  # (-1, 1)
    bound = max(abs(sigma_range.inf), abs(sigma_range.sup)) * max(abs(tanh_range.inf),
                                                                  abs(tanh_range.sup))
    open_ends = sigma_range.right_open and tanh_range.left_open and tanh_range.right_open
    return sp.Interval(-bound, bound, left_open=open_ends, right_open=open_ends)
