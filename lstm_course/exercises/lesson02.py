"""Lesson 02 (the cell state): your turn.

Scalar symbols (H = 1) stand for one unit of the cell; J is whatever loss sits downstream,
reached through dJ/dC_t (and, for 02.4, through h_t and the next step).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from ..core.activations import sigmoid, tanh
from ..core.params import GATES
from .framework import Exercise, Slip
from .functions import comparator
from .lstm_steps import forward_cases, forward_symbolic, reference_forward


def _cell():
    r = dict(real=True)
    ns = SimpleNamespace(f=sp.Symbol("f_t", **r), i=sp.Symbol("i_t", **r),
                         c_tilde=sp.Symbol(r"\tilde{c}_t", **r), C_prev=sp.Symbol("C_{t-1}", **r),
                         a_c=sp.Symbol("a_c", **r), dJ_dC=sp.Symbol(r"\delta C_t", **r))
    ns.C = ns.f * ns.C_prev + ns.i * ns.c_tilde        # C_t = f_t C_{t-1} + i_t c~_t
    ns.J = ns.dJ_dC * ns.C                             # J reaches C_t through dJ/dC_t
    return ns


def _two_steps():
    r = dict(real=True)
    ns = SimpleNamespace(C=sp.Symbol("C_t", **r), o=sp.Symbol("o_t", **r),
                         dJ_dh=sp.Symbol(r"\delta h_t", **r), f_next=sp.Symbol("f_{t+1}", **r),
                         rest_next=sp.Symbol(r"i_{t+1}\tilde{c}_{t+1}", **r),
                         dJ_dC_next=sp.Symbol(r"\delta C_{t+1}", **r))
    ns.h = ns.o * sp.tanh(ns.C)                                    # h_t = o_t tanh(C_t)
    ns.C_next = ns.f_next * ns.C + ns.rest_next                    # C_{t+1}
    ns.J = ns.dJ_dh * ns.h + ns.dJ_dC_next * ns.C_next
    return ns


# ------------------------------------------------------------- slips of step_forward

def _z_backwards(params, x_t, h_prev, c_prev):
    Z = np.concatenate([x_t, h_prev], axis=1)          # [x_t; h_{t-1}]: the wrong order
    a = {g: Z @ params[f"W_{g}"].T + params[f"b_{g}"] for g in GATES}
    c = sigmoid(a["f"]) * c_prev + sigmoid(a["i"]) * tanh(a["c"])
    return sigmoid(a["o"]) * tanh(c), c


def _no_tanh_on_h(params, x_t, h_prev, c_prev):
    _, c = reference_forward(params, x_t, h_prev, c_prev)
    Z = np.concatenate([h_prev, x_t], axis=1)
    o = sigmoid(Z @ params["W_o"].T + params["b_o"])
    return o * c, c                                    # h_t = o_t C_t


def _sigmoid_candidate(params, x_t, h_prev, c_prev):
    Z = np.concatenate([h_prev, x_t], axis=1)
    a = {g: Z @ params[f"W_{g}"].T + params[f"b_{g}"] for g in GATES}
    c = sigmoid(a["f"]) * c_prev + sigmoid(a["i"]) * sigmoid(a["c"])   # σ for the candidate
    return sigmoid(a["o"]) * tanh(c), c


def _forget_and_input_swapped(params, x_t, h_prev, c_prev):
    swapped = dict(params, W_f=params["W_i"], b_f=params["b_i"], W_i=params["W_f"],
                   b_i=params["b_f"])
    return reference_forward(swapped, x_t, h_prev, c_prev)


def _step_forward_solution(ns):
    def step_forward(params, x_t, h_prev, c_prev):
        Z = np.concatenate([h_prev, x_t], axis=1)                 # Z_t = [h_{t-1}; x_t]
        f = sigmoid(Z @ params["W_f"].T + params["b_f"])
        i = sigmoid(Z @ params["W_i"].T + params["b_i"])
        c_tilde = tanh(Z @ params["W_c"].T + params["b_c"])
        o = sigmoid(Z @ params["W_o"].T + params["b_o"])
        c = f * c_prev + i * c_tilde
        return o * tanh(c), c
    return step_forward


EXERCISES = (
    Exercise(
        "02.1", "dJ/df_t",
        "The forget gate enters the cell state once: $C_t = f_t C_{t-1} + i_t \\tilde c_t$. "
        "Given $\\delta C_t = \\partial J/\\partial C_t$ (`s.dJ_dC`), write $\\partial J/\\partial "
        "f_t$ in the symbols `s.f`, `s.i`, `s.c_tilde`, `s.C_prev`, `s.dJ_dC`.",
        "expression", _cell, lambda s: sp.diff(s.J, s.f), lambda s: s.dJ_dC * s.C_prev,
        ("Only one term of $C_t$ contains $f_t$.",
         "$\\partial C_t/\\partial f_t = C_{t-1}$; multiply by what arrives from above."),
        (Slip("a missing C_{t-1}", lambda s: s.dJ_dC,
              "The chain rule multiplies dJ/dC_t by dC_t/df_t, which is C_{t-1}, not 1."),
         Slip("the derivative with respect to i_t", lambda s: s.dJ_dC * s.c_tilde,
              "That is dJ/di_t: f_t multiplies C_{t-1}, i_t multiplies c~_t."))),
    Exercise(
        "02.2", "dJ/dc~_t and dJ/di_t",
        "Write the pair $[\\partial J/\\partial \\tilde c_t,\\ \\partial J/\\partial i_t]$ as a "
        "Python list of two expressions, in the symbols of `s`.",
        "expression", _cell, lambda s: [sp.diff(s.J, s.c_tilde), sp.diff(s.J, s.i)],
        lambda s: [s.dJ_dC * s.i, s.dJ_dC * s.c_tilde],
        ("Both come from the same product $i_t \\tilde c_t$.",
         "Each factor's derivative is the other factor, times $\\delta C_t$."),
        (Slip("the two swapped", lambda s: [s.dJ_dC * s.c_tilde, s.dJ_dC * s.i],
              "d(i c~)/dc~ = i and d(i c~)/di = c~: each factor's derivative is the other."),
         Slip("dJ/dC_t passed through unchanged", lambda s: [s.dJ_dC, s.dJ_dC],
              "A product's derivative keeps the other factor."))),
    Exercise(
        "02.3", "dJ/da_c through the candidate",
        "Now let $\\tilde c_t = \\tanh(a_c)$. Write $\\partial J/\\partial a_c$ with "
        "`s.dJ_dC`, `s.i` and `s.a_c` (write $\\tanh$ as `sp.tanh`).",
        "expression", _cell,
        lambda s: sp.diff(s.J.subs(s.c_tilde, sp.tanh(s.a_c)), s.a_c),
        lambda s: s.dJ_dC * s.i * (1 - sp.tanh(s.a_c) ** 2),
        ("First $\\partial J/\\partial \\tilde c_t$ (exercise 02.2), then through the tanh.",
         "$\\tanh'(a) = 1 - \\tanh^2(a)$."),
        (Slip("σ' where tanh' belongs",
              lambda s: s.dJ_dC * s.i * sp.tanh(s.a_c) * (1 - sp.tanh(s.a_c)),
              "The candidate is a tanh: its derivative is 1 - c~², not c~(1 - c~)."),
         Slip("a missing i_t", lambda s: s.dJ_dC * (1 - sp.tanh(s.a_c) ** 2),
              "c~_t reaches C_t multiplied by i_t: that factor stays in the chain."))),
    Exercise(
        "02.4", "the clubbed dJ/dC_t",
        "$C_t$ reaches the loss twice: through $h_t = o_t\\tanh(C_t)$ (with $\\delta h_t$ = "
        "`s.dJ_dh` arriving at $h_t$) and through the next cell state $C_{t+1} = f_{t+1} C_t + "
        "\\dots$ (with $\\delta C_{t+1}$ = `s.dJ_dC_next`). Write the whole $\\partial J/\\partial "
        "C_t$ in `s.dJ_dh`, `s.o`, `s.C`, `s.f_next`, `s.dJ_dC_next`.",
        "expression", _two_steps, lambda s: sp.diff(s.J, s.C),
        lambda s: s.dJ_dh * s.o * (1 - sp.tanh(s.C) ** 2) + s.dJ_dC_next * s.f_next,
        ("Two paths: add their contributions.",
         "Through $h_t$: $\\delta h_t\\, o_t (1 - \\tanh^2 C_t)$. Through $C_{t+1}$: what "
         "multiplies $C_t$ there?"),
        (Slip("a missing f_{t+1} path", lambda s: s.dJ_dh * s.o * (1 - sp.tanh(s.C) ** 2),
              "C_t also flows into C_{t+1} = f_{t+1} C_t + ...: add dJ/dC_{t+1} f_{t+1} (the "
              "'clubbed' term of article 001)."),
         Slip("tanh' taken as 1 - C_t² instead of 1 - tanh²(C_t)",
              lambda s: s.dJ_dh * s.o * (1 - s.C ** 2) + s.dJ_dC_next * s.f_next,
              "tanh'(C) = 1 - tanh²(C): square the tanh, not C."),
         Slip("a missing o_t", lambda s: s.dJ_dh * (1 - sp.tanh(s.C) ** 2)
              + s.dJ_dC_next * s.f_next,
              "h_t = o_t tanh(C_t): the output gate multiplies the path through h_t."))),
    Exercise(
        "02.5", "implement step_forward",
        "Write `step_forward(params, x_t, h_prev, c_prev)` returning `(h_t, C_t)` for a batch: "
        "`x_t` (B, D), `h_prev` and `c_prev` (B, H), `params` the course's dict (`W_g` (H, H+D) "
        "acting on $Z_t = [h_{t-1}; x_t]$, `b_g` (H,)). Use `sigmoid` and `tanh` from "
        "`lstm_course.core.activations` (they also take SymPy symbols, so your function can be "
        "proved).",
        "function", lambda: SimpleNamespace(), lambda s: reference_forward,
        _step_forward_solution,
        ("Build $Z_t$ with `np.concatenate([h_prev, x_t], axis=1)`; then $a_g = Z_t W_g^T + b_g$.",
         "Three sigmoids (f, i, o), one tanh (the candidate); then equation 5 for $C_t$ and "
         "$h_t = o_t \\tanh(C_t)$."),
        (Slip("Z_t stacked as [x_t; h_{t-1}]", lambda s: _z_backwards,
              "The course's W_g has the h_{t-1} columns first: Z_t = [h_{t-1}; x_t]."),
         Slip("h_t = o_t C_t without the tanh", lambda s: _no_tanh_on_h,
              "h_t = o_t tanh(C_t): the cell state is squashed before the output gate."),
         Slip("σ for the candidate", lambda s: _sigmoid_candidate,
              "The candidate c~_t is a tanh (values in (-1, 1)); only f, i and o are sigmoids."),
         Slip("the forget and input gates swapped", lambda s: _forget_and_input_swapped,
              "f_t multiplies C_{t-1}; i_t multiplies the candidate.")),
        compare=comparator(forward_cases, names=["h_t", "C_t"], symbolic_case=forward_symbolic,
                           what="the readable LSTM's step_forward"),
        level=3),
)
