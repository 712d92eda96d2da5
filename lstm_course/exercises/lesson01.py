"""Lesson 01 (the gates): your turn.

Scalar symbols stand for one unit of a gate; σ is the course's SymPy ``Sigmoid`` (whose
derivative rule σ' = σ(1 - σ) is proved once, lesson 01 section 1), so a truth such as
sympy.diff(σ(a), a) is computed by SymPy, never typed.  J is whatever loss sits downstream,
reached through the gate's output.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from ..core.activations import (sigmoid, sigmoid_grad_from_input, sigmoid_grad_from_output,
                                tanh, tanh_grad_from_output)
from ..core.gradcheck import numerical_gradient
from ..core.params import GATES
from ..core.symbolic import Sigmoid, matrix, symbol_array, vector
from .framework import Exercise, Slip
from .functions import comparator


# ------------------------------------------------------------------ handouts (symbols)

def _sigma():
    ns = SimpleNamespace(a=sp.Symbol("a", real=True))
    ns.s = Sigmoid(ns.a)                      # s = σ(a): the output the forward pass stored
    return ns


def _tanh():
    ns = SimpleNamespace(a=sp.Symbol("a", real=True))
    ns.t = sp.tanh(ns.a)                      # t = tanh(a)
    return ns


def _columns():
    H, D = 2, 2                               # H = D, so both halves of W_f have one shape
    ns = SimpleNamespace(H=H, D=D, W_f=matrix("W_f", H, H + D), h_prev=vector("h_{t-1}", H),
                         x=vector("x_t", D), b_f=vector("b_f", H))
    ns.Z = ns.h_prev.col_join(ns.x)                       # Z_t = [h_{t-1}; x_t]
    ns.a_f = ns.W_f * ns.Z + ns.b_f                       # a_f = W_f Z_t + b_f
    return ns


def _forget():
    r = dict(real=True)
    ns = SimpleNamespace(a_f=sp.Symbol("a_f", **r), dJ_df=sp.Symbol(r"\delta f_t", **r))
    ns.f = Sigmoid(ns.a_f)                    # f_t = σ(a_f)
    ns.J = ns.dJ_df * ns.f                    # J reaches f_t through dJ/df_t
    return ns


# ------------------------------------------------- 01.5: the four local steps, on arrays

def _gate_cases(ns=None) -> list:
    """Three (dJ_dg, gates) cases of (B, H) = (1, 1), (2, 3), (3, 2) float64 arrays."""
    rng = np.random.default_rng(101)
    cases = []
    for B, H in ((1, 1), (2, 3), (3, 2)):
        a = {g: rng.uniform(-3.0, 3.0, size=(B, H)) for g in GATES}
        gates = {g: tanh(a[g]) if g == "c" else sigmoid(a[g]) for g in GATES}
        cases.append(({g: rng.standard_normal((B, H)) for g in GATES}, gates))
    return cases


def _gate_symbolic(ns=None) -> tuple:
    """(dJ_dg, gates) on SymPy symbols: B = 1, H = 2, gates = σ(a_g) or tanh(a_c)."""
    a = {g: symbol_array(f"a_{g}", (1, 2)) for g in GATES}
    gates = {g: tanh(a[g]) if g == "c" else sigmoid(a[g]) for g in GATES}
    return {g: symbol_array(f"dJ_d{g}", (1, 2)) for g in GATES}, gates


def _gate_reference(dJ_dg, gates) -> dict:
    """The package's local step: dJ/dg times the output-form slope (article 004's helpers)."""
    return {g: dJ_dg[g] * (tanh_grad_from_output(gates[g]) if g == "c"
                           else sigmoid_grad_from_output(gates[g])) for g in GATES}


def _gate_finite_differences(ns, args) -> dict:
    """dJ/da_g by centred differences of J = Σ_g Σ dJ/dg ⊙ g(a_g), a_g read back from g."""
    dJ_dg, gates = args
    out = {}
    for g in GATES:
        fn = tanh if g == "c" else sigmoid
        a = (np.arctanh(gates[g]) if g == "c"
             else np.log(gates[g]) - np.log1p(-gates[g])).copy()   # a_g = σ⁻¹(g) or artanh
        out[g] = numerical_gradient(lambda: float(np.sum(dJ_dg[g] * fn(a))), a)
    return out


def _gate_backward_solution(ns):
    def gate_backward(dJ_dg, gates):
        f, i, c, o = gates["f"], gates["i"], gates["c"], gates["o"]
        return {"f": dJ_dg["f"] * f * (1 - f),          # σ' = f (1 - f)
                "i": dJ_dg["i"] * i * (1 - i),
                "c": dJ_dg["c"] * (1 - c ** 2),          # tanh' = 1 - c~²
                "o": dJ_dg["o"] * o * (1 - o)}
    return gate_backward


def _every_gate(slope):
    """A wrong gate_backward: one slope rule (on the gate's output) for all four gates."""
    def gate_backward(dJ_dg, gates):
        return {g: dJ_dg[g] * slope(gates[g]) for g in GATES}
    return gate_backward


def _sigma_prime_for_the_candidate(dJ_dg, gates):
    return {g: dJ_dg[g] * gates[g] * (1 - gates[g]) for g in GATES}


def _passed_through(dJ_dg, gates):
    return {g: dJ_dg[g] for g in GATES}


def _saturated_slope(ns=None) -> float:
    """σ'(a_f) at the a_f where f_t = 0.98, computed by the package from the pre-activation."""
    a_f = np.log(0.98 / 0.02)                 # σ(a_f) = 0.98
    return float(sigmoid_grad_from_input(np.array([a_f]))[0])


EXERCISES = (
    Exercise(
        "01.1", "σ' written on the output",
        "The forward pass stored the output $s = \\sigma(a)$ (`s.s`); `s.a` is the "
        "pre-activation. Write $d\\sigma(a)/da$ using only `s.s` (article 004's helper form).",
        "expression", _sigma, lambda s: sp.diff(s.s, s.a), lambda s: s.s * (1 - s.s),
        ("Section 1 split $e^{-a}/(1+e^{-a})^2$ into two fractions: what is each?",
         "$\\sigma'(a) = \\sigma(a)\\,(1 - \\sigma(a))$: write it with `s.s`."),
        (Slip("the helper fed the pre-activation", lambda s: s.a * (1 - s.a),
              "a(1 - a) is 004's helper fed a instead of σ(a): the helper takes the output."),
         Slip("tanh's rule where σ' belongs", lambda s: 1 - s.s ** 2,
              "1 - s² is the slope of tanh; the sigmoid's is s(1 - s)."),
         Slip("the derivative of s(1 - s) with respect to s", lambda s: 1 - 2 * s.s,
              "Differentiate σ with respect to a, not the formula s(1 - s) with respect to s."))),
    Exercise(
        "01.2", "tanh' written on the output",
        "The candidate stored $t = \\tanh(a)$ (`s.t`); `s.a` is its pre-activation. Write "
        "$d\\tanh(a)/da$ using only `s.t`.",
        "expression", _tanh, lambda s: sp.diff(s.t, s.a), lambda s: 1 - s.t ** 2,
        ("$\\tanh = \\sinh/\\cosh$ and the quotient rule: $(\\cosh^2 - \\sinh^2)/\\cosh^2$.",
         "$\\tanh'(a) = 1 - \\tanh^2(a)$: write it with `s.t`."),
        (Slip("σ's rule where tanh' belongs", lambda s: s.t * (1 - s.t),
              "t(1 - t) is the sigmoid's slope; the candidate is a tanh: 1 - t²."),
         Slip("the helper fed the pre-activation", lambda s: 1 - s.a ** 2,
              "1 - a² is 004's helper fed a instead of tanh(a): square the output, not a."))),
    Exercise(
        "01.3", "the columns of W_f that meet h_{t-1}",
        "Take $H = 2$ hidden units and $D = 2$ inputs (`s.H`, `s.D`): `s.W_f` is the $2\\times 4$ "
        "SymPy Matrix $W_f$ acting on $Z_t = [h_{t-1}; x_t]$ (`s.Z`). Write the $2\\times 2$ block "
        "of $W_f$ that multiplies $h_{t-1}$, i.e. the Jacobian $\\partial a_f/\\partial h_{t-1}$, "
        "by slicing `s.W_f`.",
        "expression", _columns, lambda s: s.a_f.jacobian(s.h_prev),
        lambda s: s.W_f[:, :s.H],
        ("$Z_t$ stacks $h_{t-1}$ first: which columns of $W_f$ does it meet?",
         "The first $H$ columns: `s.W_f[:, :s.H]` (Gomez's $U_f$)."),
        (Slip("the x_t columns", lambda s: s.W_f[:, s.H:],
              "Those meet x_t (Gomez's W): Z_t = [h_{t-1}; x_t] puts h_{t-1} first."),
         Slip("a transpose", lambda s: s.W_f[:, :s.H].T,
              "Row k of the Jacobian is unit k of a_f: a_f = W_f Z_t keeps W_f's rows as they are."))),
    Exercise(
        "01.4", "dJ/da_f from dJ/df_t",
        "The forget gate is $f_t = \\sigma(a_f)$ (`s.f`, an expression in `s.a_f`). Given "
        "$\\delta f_t = \\partial J/\\partial f_t$ (`s.dJ_df`), write $\\partial J/\\partial a_f$ in "
        "`s.dJ_df` and `s.f`.",
        "expression", _forget, lambda s: sp.diff(s.J, s.a_f),
        lambda s: s.dJ_df * s.f * (1 - s.f),
        ("One more link of the chain: $\\partial J/\\partial a_f = \\partial J/\\partial f_t\\, "
         "df_t/da_f$.",
         "$df_t/da_f = \\sigma'(a_f) = f_t(1 - f_t)$ (exercise 01.1)."),
        (Slip("dJ/df_t used as dJ/da_f (001's df_t/da_t)", lambda s: s.dJ_df,
              "The step through σ is missing: multiply by f_t(1 - f_t)."),
         Slip("tanh' where σ' belongs", lambda s: s.dJ_df * (1 - s.f ** 2),
              "The forget gate is a sigmoid: its slope is f_t(1 - f_t), not 1 - f_t²."),
         Slip("the helper fed the pre-activation", lambda s: s.dJ_df * s.a_f * (1 - s.a_f),
              "σ' on the output means f_t(1 - f_t), not a_f(1 - a_f)."))),
    Exercise(
        "01.5", "implement the local step through the four gates",
        "Write `gate_backward(dJ_dg, gates)`: both are dicts with keys `'f'`, `'i'`, `'c'`, "
        "`'o'` of (B, H) arrays, `dJ_dg[g]` $= \\partial J/\\partial g$ and `gates[g]` the gate's "
        "output ($f_t, i_t, \\tilde c_t, o_t$, as `step.f` ... hold them). Return the dict of "
        "$\\partial J/\\partial a_g$, same keys. Checked against finite differences, and proved "
        "on SymPy symbols.",
        "function", lambda: SimpleNamespace(), lambda s: _gate_reference,
        _gate_backward_solution,
        ("Each gate acts entry by entry: multiply $\\partial J/\\partial g$ by the gate's slope, "
         "written on its output.",
         "Three sigmoids ($g(1-g)$) and one tanh, the candidate `'c'` ($1 - \\tilde c^2$)."),
        (Slip("σ' where tanh' belongs (candidate)", lambda s: _sigma_prime_for_the_candidate,
              "The candidate c~_t is a tanh: its slope is 1 - c~², not c~(1 - c~)."),
         Slip("tanh' for every gate", lambda s: _every_gate(lambda y: 1 - y ** 2),
              "f_t, i_t and o_t are sigmoids: their slope is g(1 - g)."),
         Slip("dJ/dg passed through unchanged", lambda s: _passed_through,
              "The step through the activation is missing: multiply by the slope.")),
        compare=comparator(_gate_cases, names=None, expected=_gate_finite_differences,
                           expected_rtol=1e-6, symbolic_case=_gate_symbolic,
                           what="the package's local step"),
        level=2),
    Exercise(
        "01.6", "below the ceiling: a saturated forget gate",
        "A forget gate is saturated: $f_t = 0.98$. A gradient $\\partial J/\\partial f_t = 1$ "
        "arrives at it. How much of it reaches $a_f$, i.e. what is $\\partial J/\\partial a_f$? "
        "Work it by hand and give 4 decimals (a plain Python number).",
        "number", lambda: SimpleNamespace(), _saturated_slope, lambda s: 0.0196,
        ("The ceiling $\\tfrac14$ holds only at $a_f = 0$, where $f_t = 0.5$.",
         "$f_t(1 - f_t)$ with $f_t = 0.98$."),
        (Slip("the ceiling ¼", lambda s: 0.25,
              "¼ is σ' at a_f = 0 (f_t = 0.5); a saturated gate passes far less."),
         Slip("tanh's rule where σ' belongs", lambda s: 1 - 0.98 ** 2,
              "1 - f² is the slope of tanh; the forget gate is a sigmoid: f(1 - f)."),
         Slip("dJ/df_t passed through unchanged", lambda s: 1.0,
              "The step through σ multiplies by its slope f_t(1 - f_t).")),
        tolerance=5e-5),
)
