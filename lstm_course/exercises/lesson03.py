"""Lesson 03 (the hidden state): your turn."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from ..core import lstm
from ..core.params import GATES
from ..core.symbolic import matrix, vector
from .framework import Exercise, Slip
from .functions import comparator
from .lstm_steps import (GRAD_NAMES, backward_cases, backward_symbolic, finite_differences,
                         reference_backward)


def _output():
    r = dict(real=True)
    ns = SimpleNamespace(o=sp.Symbol("o_t", **r), C=sp.Symbol("C_t", **r),
                         dJ_dh=sp.Symbol(r"\delta h_t", **r))
    ns.J = ns.dJ_dh * ns.o * sp.tanh(ns.C)          # J reaches h_t = o_t tanh(C_t)
    return ns


def _softmax(K: int = 3, target: int = 1):
    ns = SimpleNamespace(V=list(vector("V_t", K)), target=target)
    total = sum(sp.exp(v) for v in ns.V)
    ns.y_hat = [sp.exp(v) / total for v in ns.V]    # ŷ = softmax(V_t), handed out
    ns.y = [1 if k == target else 0 for k in range(K)]
    ns.J = -ns.V[target] + sp.log(total)            # -log ŷ_target
    return ns


def _readout():
    ns = SimpleNamespace(W_v=matrix("W_v", 2, 2), h=vector("h_t", 2), b_v=vector("b_v", 2),
                         dV=vector(r"\delta V_t", 2))
    ns.J = (ns.dV.T * (ns.W_v * ns.h + ns.b_v))[0]  # J reaches V_t = W_v h_t + b_v
    return ns


def _split():
    r = dict(real=True)
    ns = SimpleNamespace(h_prev=sp.Symbol("h_{t-1}", **r), x=sp.Symbol("x_t", **r),
                         da={g: sp.Symbol(rf"\delta a_{g}", **r) for g in GATES},
                         u={g: sp.Symbol(f"u_{g}", **r) for g in GATES},
                         w={g: sp.Symbol(f"w_{g}", **r) for g in GATES})
    # H = D = 1: W_g = [u_g, w_g] acts on Z_t = [h_{t-1}; x_t]; J reaches each a_g through δa_g
    ns.J = sum(ns.da[g] * (ns.u[g] * ns.h_prev + ns.w[g] * ns.x) for g in GATES)
    return ns


# ------------------------------------------------------------- slips of step_backward

def _from_reference(change):
    """A wrong step_backward: the reference's StepGradients with one equation changed."""
    def step_backward(dh, dc_next, cache):
        return change(dh, dc_next, cache)
    return step_backward


def _assemble(cache, dJ_dC, dJ_do, dc_tilde_factor=None):
    """The rest of the backward from dJ/dC_t and dJ/do_t, as the exercise's dict."""
    s = cache
    H = s.c.shape[1]
    tanh_grad = (1 - s.c_tilde ** 2) if dc_tilde_factor is None else dc_tilde_factor
    da = {"f": dJ_dC * s.c_prev * s.f * (1 - s.f), "i": dJ_dC * s.c_tilde * s.i * (1 - s.i),
          "c": dJ_dC * s.i * tanh_grad, "o": dJ_do * s.o * (1 - s.o)}
    dZ = sum(da[g] @ s.params[f"W_{g}"] for g in GATES)
    out = {"h_prev": dZ[:, :H], "C_prev": dJ_dC * s.f, "x": dZ[:, H:]}
    for g in GATES:
        out[f"W_{g}"], out[f"b_{g}"] = da[g].T @ s.Z, da[g].sum(axis=0)
    return out


def _without_clubbed_term(dh, dc_next, s):
    return _assemble(s, dh * s.o * (1 - s.tanh_c ** 2), dh * s.tanh_c)


def _sigma_prime_for_candidate(dh, dc_next, s):
    return _assemble(s, dh * s.o * (1 - s.tanh_c ** 2) + dc_next, dh * s.tanh_c,
                     dc_tilde_factor=s.c_tilde * (1 - s.c_tilde))


def _no_tanh_prime_on_C(dh, dc_next, s):
    return _assemble(s, dh * s.o + dc_next, dh * s.tanh_c)


def _h_prev_from_the_x_columns(dh, dc_next, s):
    out = reference_backward(dh, dc_next, s)
    H = s.c.shape[1]
    g = lstm.step_backward(dh, dc_next, s)
    out["h_prev"] = sum(g.dJ_da[k] @ s.params[f"W_{k}"][:, -H:] for k in GATES)
    return out


def _step_backward_solution(ns):
    def step_backward(dh, dc_next, cache):
        s = cache
        H = s.c.shape[1]
        do = dh * s.tanh_c                                   # dJ/do_t
        dC = dh * s.o * (1 - s.tanh_c ** 2) + dc_next        # dJ/dC_t, clubbed
        da = {"f": dC * s.c_prev * s.f * (1 - s.f),          # dJ/da_g for each gate
              "i": dC * s.c_tilde * s.i * (1 - s.i),
              "c": dC * s.i * (1 - s.c_tilde ** 2),
              "o": do * s.o * (1 - s.o)}
        dZ = sum(da[g] @ s.params[f"W_{g}"] for g in "fico")  # dJ/dZ_t
        grads = {"h_prev": dZ[:, :H], "C_prev": dC * s.f, "x": dZ[:, H:]}
        for g in "fico":
            grads[f"W_{g}"] = da[g].T @ s.Z
            grads[f"b_{g}"] = da[g].sum(axis=0)
        return grads
    return step_backward


EXERCISES = (
    Exercise(
        "03.1", "dJ/do_t",
        "$h_t = o_t \\tanh(C_t)$. Given $\\delta h_t = \\partial J/\\partial h_t$ (`s.dJ_dh`), "
        "write $\\partial J/\\partial o_t$ in `s.dJ_dh`, `s.o`, `s.C` (`sp.tanh` for tanh).",
        "expression", _output, lambda s: sp.diff(s.J, s.o), lambda s: s.dJ_dh * sp.tanh(s.C),
        ("$o_t$ multiplies $\\tanh(C_t)$.", "$\\partial h_t/\\partial o_t = \\tanh(C_t)$."),
        (Slip("tanh' where tanh belongs", lambda s: s.dJ_dh * (1 - sp.tanh(s.C) ** 2),
              "o_t multiplies tanh(C_t) itself; tanh' appears in dJ/dC_t, not here."),
         Slip("C_t instead of tanh(C_t)", lambda s: s.dJ_dh * s.C,
              "h_t = o_t tanh(C_t): the cell state is squashed before o_t multiplies it."))),
    Exercise(
        "03.2", "dJ/dV_t of softmax cross-entropy",
        "With $\\hat y = \\operatorname{softmax}(V_t)$ (`s.y_hat`, a list of 3 expressions), the "
        "target class 1 (one-hot `s.y`) and $J = -\\log \\hat y_1$, write the list "
        "$[\\partial J/\\partial V_{t,k}]_{k=1..3}$ (article 001, equation 8).",
        "expression", _softmax, lambda s: [sp.diff(s.J, v) for v in s.V],
        lambda s: [p - y for p, y in zip(s.y_hat, s.y)],
        ("The answer is short: prediction minus target.",
         "$\\partial J/\\partial V_k = \\hat y_k - y_k$."),
        (Slip("a sign", lambda s: [y - p for p, y in zip(s.y_hat, s.y)],
              "Raising V_target lowers the loss: its derivative is ŷ - y, negative there."),
         Slip("the one-hot target left out", lambda s: list(s.y_hat),
              "-log ŷ_target = -V_target + log Σ e^V: the first term gives -y."))),
    Exercise(
        "03.3", "dJ/dh_t from the readout",
        "$V_t = W_v h_t + b_v$ with two classes and two hidden units: $W_v$ (2×2, `s.W_v`, a "
        "SymPy Matrix). Given $\\delta V_t = \\partial J/\\partial V_t$ (`s.dV`, a 2×1 Matrix), "
        "write $\\partial J/\\partial h_t$ as a 2×1 Matrix.",
        "expression", _readout, lambda s: [sp.diff(s.J, h) for h in s.h],
        lambda s: s.W_v.T * s.dV,
        ("Its shape is that of $h_t$: 2×1.", "Transpose $W_v$: $W_v^T \\delta V_t$."),
        (Slip("W_v where W_vᵀ belongs", lambda s: s.W_v * s.dV,
              "V_k = Σ_j W_v[k, j] h_j: h_j meets column j of W_v, so dJ/dh = W_vᵀ δV."),
         Slip("δV_t passed through unchanged", lambda s: s.dV,
              "h_t reaches V_t through W_v: the weights stay in the chain."))),
    Exercise(
        "03.4", "dJ/dh_{t-1}: the hidden part of dJ/dZ_t",
        "A scalar cell (H = D = 1): each gate has $W_g = [u_g, w_g]$ acting on $Z_t = [h_{t-1}; "
        "x_t]$. Given $\\delta a_g = \\partial J/\\partial a_g$ (`s.da['f']` ... `s.da['o']`), "
        "write $\\partial J/\\partial h_{t-1}$ with `s.da`, `s.u`, `s.w`.",
        "expression", _split, lambda s: sp.diff(s.J, s.h_prev),
        lambda s: sum(s.da[g] * s.u[g] for g in GATES),
        ("$h_{t-1}$ feeds all four gates.",
         "Sum over the four gates of $\\delta a_g$ times the weight that multiplies $h_{t-1}$."),
        (Slip("the x_t column instead of the h_{t-1} column",
              lambda s: sum(s.da[g] * s.w[g] for g in GATES),
              "That is dJ/dx_t: the first column of W_g meets h_{t-1}, the second x_t."),
         Slip("the output gate's path only", lambda s: s.da["o"] * s.u["o"],
              "h_{t-1} reaches J through every gate: sum the four paths (article 001, Z_t)."))),
    Exercise(
        "03.5", "implement step_backward",
        "Write `step_backward(dh, dc_next, cache)`: `dh` (B, H) the total $\\partial J/\\partial "
        "h_t$, `dc_next` (B, H) what reaches $C_t$ from step t+1 ($\\delta C_{t+1} \\odot "
        "f_{t+1}$), `cache` the `StepCache` of `lstm_course.core.lstm.step_forward` (fields "
        "`Z, c_prev, f, i, c_tilde, o, c, tanh_c, params`). Return a dict with the gradients "
        "`'h_prev'`, `'C_prev'`, `'x'` and `'W_f'` ... `'b_o'`. Checked against finite "
        "differences of the forward, and proved when it runs on symbols.",
        "function", lambda: SimpleNamespace(), lambda s: reference_backward,
        _step_backward_solution,
        ("Go in article 001's order: dJ/do_t, the clubbed dJ/dC_t, then dJ/dc~_t, dJ/di_t, "
         "dJ/df_t, then each dJ/da_g.",
         "dJ/dZ_t = Σ_g dJ/da_g @ W_g; its first H columns are dJ/dh_{t-1}, the rest dJ/dx_t; "
         "dJ/dW_g = dJ/da_gᵀ @ Z_t, dJ/db_g = dJ/da_g summed over the batch."),
        (Slip("a missing f_{t+1} path (dc_next ignored)", lambda s: _from_reference(
                  _without_clubbed_term),
              "dJ/dC_t has two parts: the one through h_t and dc_next from step t+1."),
         Slip("σ' where tanh' belongs (candidate)", lambda s: _from_reference(
                  _sigma_prime_for_candidate),
              "c~_t = tanh(a_c): its derivative is 1 - c~², not c~(1 - c~)."),
         Slip("tanh' left out of the path through h_t", lambda s: _from_reference(
                  _no_tanh_prime_on_C),
              "h_t = o_t tanh(C_t): dJ/dC_t gets dh ⊙ o_t ⊙ (1 - tanh² C_t)."),
         Slip("dJ/dh_{t-1} taken from the x_t columns", lambda s: _h_prev_from_the_x_columns,
              "Z_t = [h_{t-1}; x_t]: the first H columns of dJ/dZ_t belong to h_{t-1}.")),
        compare=comparator(backward_cases, expected=finite_differences, expected_rtol=1e-6,
                           symbolic_case=backward_symbolic,
                           what="the readable LSTM's step_backward"),
        level=3),
)
