"""What the "implement a step" exercises hand out and check against: cases, symbols, slips.

The learner's step_forward(params, x_t, h_prev, c_prev) returns (h_t, C_t); her
step_backward(dh, dc_next, cache) returns a dict of gradients keyed "h_prev", "C_prev", "x"
and "W_f" ... "b_o", given the StepCache of lstm_course.core.lstm.step_forward.  Both are
checked on random float64 steps with non-zero biases that differ per gate, the backward
against finite differences of the forward, and proved on SymPy symbols when they run on them.
"""
from __future__ import annotations

import numpy as np

from ..core import lstm
from ..core.gradcheck import numerical_gradient
from ..core.params import GATES, init_params
from ..core.symbolic import symbol_array

__all__ = ["forward_cases", "forward_symbolic", "reference_forward", "backward_cases",
           "backward_symbolic", "reference_backward", "finite_differences", "GRAD_NAMES"]

GRAD_NAMES = ("h_prev", "C_prev", "x") + tuple(f"{p}_{g}" for p in "Wb" for g in GATES)


def _params(D: int, H: int, rng: np.random.Generator) -> dict:
    params = init_params(D, H, rng=rng)
    for k, g in enumerate(GATES):                  # non-zero biases, a different range per gate
        params[f"b_{g}"] = rng.uniform(0.2 + k, 0.8 + k, size=H) * rng.choice([-1.0, 1.0], H)
    return params


def forward_cases(ns=None) -> list:
    """Three (params, x_t, h_prev, c_prev) float64 cases: (D, H, B) = (1, 1, 1), (3, 2, 2), (2, 4, 3)."""
    rng = np.random.default_rng(2026)
    cases = []
    for D, H, B in ((1, 1, 1), (3, 2, 2), (2, 4, 3)):
        cases.append((_params(D, H, rng), rng.standard_normal((B, D)),
                      rng.standard_normal((B, H)), rng.standard_normal((B, H))))
    return cases


def forward_symbolic(ns=None) -> tuple:
    """One (params, x_t, h_prev, c_prev) case of SymPy symbols: D = 1, H = 2, B = 1."""
    D, H, B = 1, 2, 1
    params = {f"W_{g}": symbol_array(f"W_{g}", (H, H + D)) for g in GATES}
    params.update({f"b_{g}": symbol_array(f"b_{g}", (H,)) for g in GATES})
    return (params, symbol_array("x", (B, D)), symbol_array("h", (B, H)),
            symbol_array("C", (B, H)))


def reference_forward(params, x_t, h_prev, c_prev):
    """(h_t, C_t) of the readable LSTM's step."""
    h, c, _ = lstm.step_forward(params, x_t, h_prev, c_prev)
    return h, c


def _backward_case(forward_args, rng):
    params, x, h_prev, c_prev = forward_args
    h, c, cache = lstm.step_forward(params, x, h_prev, c_prev)
    return (rng.standard_normal(h.shape), rng.standard_normal(c.shape), cache)


def backward_cases(ns=None) -> list:
    """(dh, dc_next, cache) for each forward case: upstream gradients drawn at random."""
    rng = np.random.default_rng(7)
    return [_backward_case(args, rng) for args in forward_cases()]


def backward_symbolic(ns=None) -> tuple:
    """(dh, dc_next, cache) of SymPy symbols, the cache made by the readable step on symbols."""
    params, x, h_prev, c_prev = forward_symbolic()
    _, _, cache = lstm.step_forward(params, x, h_prev, c_prev)
    return symbol_array("dh", h_prev.shape), symbol_array("dc", c_prev.shape), cache


def reference_backward(dh, dc_next, cache) -> dict:
    """The readable LSTM's step_backward, as the exercise's dict."""
    g = lstm.step_backward(dh, dc_next, cache)
    return {"h_prev": g.dJ_dh_prev, "C_prev": g.dJ_dC_prev, "x": g.dJ_dx, **g.params}


def finite_differences(ns, args) -> dict:
    """Centred differences of J = Σ dh ⊙ h_t + Σ dc_next ⊙ C_t with respect to every input of
    the step (its h_{t-1}, C_{t-1}, x_t and every parameter), for the cache's step."""
    dh, dc_next, cache = args
    H = cache.c.shape[1]
    inputs = {"h_prev": cache.Z[:, :H].copy(), "C_prev": cache.c_prev.copy(),
              "x": cache.Z[:, H:].copy(),
              **{k: v.copy() for k, v in cache.params.items()}}
    params = {k: inputs[k] for k in cache.params}

    def J() -> float:
        h, c, _ = lstm.step_forward(params, inputs["x"], inputs["h_prev"], inputs["C_prev"])
        return float(np.sum(dh * h) + np.sum(dc_next * c))
    return {name: numerical_gradient(J, inputs[name]) for name in GRAD_NAMES}
