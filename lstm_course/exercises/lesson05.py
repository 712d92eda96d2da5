"""Lesson 05 (Gomez's two-timestep example, article 002): your turn.

Expressions in Gomez's symbols (one unit, H = 1); numbers worked by hand from his example, the
truth computed by the readable LSTM (core.lstm) on his parameters; and his whole backward pass
to implement in his layout W (4H, D), U (4H, H), b (4H,), rows a, i, f, o.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from ..articles import gomez002
from ..core import lstm
from ..core.activations import sigmoid, tanh
from ..core.gradcheck import numerical_gradient
from ..core.symbolic import Sigmoid, symbol_array
from .framework import Exercise, Slip
from .functions import comparator

# Gomez's case study (002, "we first define the parameters" and "define two data")
W_GOMEZ = np.array([[0.45, 0.25], [0.95, 0.80], [0.70, 0.45], [0.60, 0.40]])   # rows a, i, f, o
U_GOMEZ = np.array([[0.15], [0.80], [0.10], [0.25]])
B_GOMEZ = np.array([0.20, 0.65, 0.15, 0.10])
XS_GOMEZ = np.array([[1.0, 2.0], [0.5, 3.0]])                                   # x_0, x_1
YS_GOMEZ = np.array([[0.5], [1.25]])                                            # y_0, y_1
LR = 0.1


# ----------------------------------------------------------------- the expressions

def _loss():
    r = dict(real=True)
    ns = SimpleNamespace(out=sp.Symbol("out_t", **r), y=sp.Symbol("y_t", **r),
                         x=sp.Symbol("x_t", **r))
    ns.E = sp.Rational(1, 2) * (ns.out - ns.y) ** 2          # E_t = 1/2 (out_t - y_t)^2
    return ns


def _gates():
    r = dict(real=True)
    z = {g: sp.Symbol(rf"\hat{{{g}}}_t", **r) for g in "aifo"}   # pre-activations
    ns = SimpleNamespace(z=z, a=sp.tanh(z["a"]), i=Sigmoid(z["i"]), f=Sigmoid(z["f"]),
                         o=Sigmoid(z["o"]), state_prev=sp.Symbol("state_{t-1}", **r),
                         state=sp.Symbol("state_t", **r),
                         d_state=sp.Symbol(r"\delta state_t", **r),
                         d_out=sp.Symbol(r"\delta out_t", **r))
    # J reaches state_t = a_t i_t + f_t state_{t-1} through the clubbed δstate_t, and
    # out_t = tanh(state_t) o_t through δout_t (state_t's own path is inside δstate_t)
    ns.J = (ns.d_state * (ns.a * ns.i + ns.f * ns.state_prev)
            + ns.d_out * sp.tanh(ns.state) * ns.o)
    return ns


def _gate_truth(s):
    return [sp.diff(s.J, s.z[g]) for g in "aifo"]


# ----------------------------------------------------------------- the numbers

def _example():
    """Gomez's example run by the readable LSTM: forward, Δ_t, and the backward step by step."""
    params = gomez002.from_gomez(W_GOMEZ, U_GOMEZ, B_GOMEZ)
    hs, cs, cache = lstm.forward(params, XS_GOMEZ[:, None, :])
    Delta = hs - YS_GOMEZ[:, None, :]                          # Δ_t = out_t - y_t, (T, 1, 1)
    g1 = lstm.step_backward(Delta[1], np.zeros((1, 1)), cache.steps[1])
    g0 = lstm.step_backward(Delta[0] + g1.dJ_dh_prev, g1.dJ_dC_prev, cache.steps[0])
    grads = lstm.backward(params, cache, Delta)
    new = {k: params[k] - LR * grads[k] for k in params}
    s1 = cache.steps[1]
    return SimpleNamespace(
        out_1=float(hs[1, 0, 0]), y_1=float(YS_GOMEZ[1, 0]), o_1=float(s1.o[0, 0]),
        state_1=float(s1.c[0, 0]), x_1=XS_GOMEZ[1].copy(),
        b_o=float(B_GOMEZ[3]), delta_o_0=float(g0.dJ_da["o"][0, 0]),
        delta_o_1=float(g1.dJ_da["o"][0, 0]), lr=LR,
        delta_state_1=float(g1.dJ_dC[0, 0]), new_b_o=float(gomez002.to_gomez(new)[2][3]))


def _delta_state_1_handout():
    e = _example()
    return SimpleNamespace(out_1=e.out_1, y_1=e.y_1, o_1=e.o_1, state_1=e.state_1, x_1=e.x_1)


def _update_handout():
    e = _example()
    return SimpleNamespace(b_o=e.b_o, delta_o_0=e.delta_o_0, delta_o_1=e.delta_o_1, lr=e.lr)


# ----------------------------------------------------------------- the whole backward

def _gomez_backward(W, U, b, xs, ys, *, delta_from_x=False, no_Delta_out=False,
                    no_state_path=False, sigma_prime_for_a=False, dU_with_out_t=False):
    """Gomez's backward pass over a whole sequence, with optional slips (for the checker)."""
    T, H = len(xs), U.shape[1]
    out, state = np.zeros(H), np.zeros(H)
    memory = []
    for t in range(T):
        z = W @ xs[t] + U @ out + b
        a, i, f, o = tanh(z[:H]), sigmoid(z[H:2 * H]), sigmoid(z[2 * H:3 * H]), sigmoid(z[3 * H:])
        state_prev, out_prev = state, out
        state = a * i + f * state_prev
        out = tanh(state) * o
        memory.append((a, i, f, o, state, state_prev, out_prev, out))
    dW, dU, db = np.zeros(W.shape), np.zeros(U.shape), np.zeros(b.shape)
    Delta_out, dstate_next = np.zeros(H), np.zeros(H)
    for t in reversed(range(T)):
        a, i, f, o, state, state_prev, out_prev, out = memory[t]
        Delta = (xs[t][:H] if delta_from_x else out) - ys[t]
        delta_out = Delta if no_Delta_out else Delta + Delta_out
        dstate = delta_out * o * (1 - tanh(state) ** 2) + (0 if no_state_path else dstate_next)
        da = dstate * i * (a * (1 - a) if sigma_prime_for_a else 1 - a ** 2)
        gates = np.concatenate([da, dstate * a * i * (1 - i), dstate * state_prev * f * (1 - f),
                                delta_out * tanh(state) * o * (1 - o)])
        dW = dW + np.outer(gates, xs[t])
        dU = dU + np.outer(gates, out if dU_with_out_t else out_prev)
        db = db + gates
        Delta_out, dstate_next = U.T @ gates, dstate * f
    return dW, dU, db


def _reference_backward(W, U, b, xs, ys):
    """The package's answer: from_gomez, the readable LSTM's forward and backward, to_gomez."""
    params = gomez002.from_gomez(W, U, b)
    hs, _, cache = lstm.forward(params, xs[:, None, :])
    return gomez002.to_gomez(lstm.backward(params, cache, hs - ys[:, None, :]))


def _backward_cases(ns=None) -> list:
    rng = np.random.default_rng(5)
    cases = [(W_GOMEZ.copy(), U_GOMEZ.copy(), B_GOMEZ.copy(), XS_GOMEZ.copy(), YS_GOMEZ.copy())]
    for H, D, T in ((1, 2, 3), (2, 3, 3)):
        cases.append((rng.uniform(-1, 1, (4 * H, D)), rng.uniform(-1, 1, (4 * H, H)),
                      rng.uniform(-1, 1, 4 * H), rng.standard_normal((T, D)),
                      rng.uniform(-0.9, 0.9, (T, H))))
    return cases


def _backward_symbolic(ns=None) -> tuple:
    H, D, T = 1, 1, 2
    return (symbol_array("W", (4 * H, D)), symbol_array("U", (4 * H, H)),
            symbol_array("b", (4 * H,)), symbol_array("x", (T, D)), symbol_array("y", (T, H)))


def _finite_differences(ns, args) -> tuple:
    """Centred differences of E = Σ_t 1/2 |out_t - y_t|^2 with respect to W, U and b."""
    W, U, b, xs, ys = (np.array(a, dtype=np.float64) for a in args)

    def E() -> float:
        params = gomez002.from_gomez(W, U, b)
        hs, _, _ = lstm.forward(params, xs[:, None, :])
        return 0.5 * float(np.sum((hs - ys[:, None, :]) ** 2))
    return tuple(numerical_gradient(E, p) for p in (W, U, b))


def _slip(**flags):
    return lambda s: (lambda W, U, b, xs, ys: _gomez_backward(W, U, b, xs, ys, **flags))


def _backward_solution(ns):
    def gomez_backward(W, U, b, xs, ys):
        T, H = len(xs), U.shape[1]
        out, state = np.zeros(H), np.zeros(H)                 # out_{-1} = state_{-1} = 0
        memory = []
        for t in range(T):                                    # forward, keeping every value
            z = W @ xs[t] + U @ out + b                       # rows a, i, f, o
            a, i = tanh(z[:H]), sigmoid(z[H:2 * H])
            f, o = sigmoid(z[2 * H:3 * H]), sigmoid(z[3 * H:])
            state_prev, out_prev = state, out
            state = a * i + f * state_prev
            out = tanh(state) * o
            memory.append((a, i, f, o, state, state_prev, out_prev, out))
        dW, dU, db = np.zeros(W.shape), np.zeros(U.shape), np.zeros(b.shape)
        Delta_out, dstate_next = np.zeros(H), np.zeros(H)    # nothing after the last step
        for t in reversed(range(T)):
            a, i, f, o, state, state_prev, out_prev, out = memory[t]
            delta_out = (out - ys[t]) + Delta_out             # Δ_t + Δout_t
            dstate = delta_out * o * (1 - tanh(state) ** 2) + dstate_next
            gates = np.concatenate([dstate * i * (1 - a ** 2), dstate * a * i * (1 - i),
                                    dstate * state_prev * f * (1 - f),
                                    delta_out * tanh(state) * o * (1 - o)])
            dW = dW + np.outer(gates, xs[t])
            dU = dU + np.outer(gates, out_prev)
            db = db + gates
            Delta_out, dstate_next = U.T @ gates, dstate * f  # handed to step t-1
        return dW, dU, db
    return gomez_backward


EXERCISES = (
    Exercise(
        "05.1", "Δ_t, the error of the step's own loss",
        "Gomez's loss at one step is $E_t = \\tfrac12 (out_t - y_t)^2$. Write $\\Delta_t = "
        "\\partial E_t/\\partial out_t$ in the symbols `s.out` ($out_t$) and `s.y` ($y_t$). "
        "(`s.x`, the input $x_t$, is handed out too: the post's words name it.)",
        "expression", _loss, lambda s: sp.diff(s.E, s.out), lambda s: s.out - s.y,
        ("Differentiate with respect to the prediction $out_t$: the chain rule on a square.",
         "$\\frac{d}{du}\\tfrac12 u^2 = u$ with $u = out_t - y_t$."),
        (Slip("x where the prediction belongs", lambda s: s.x - s.y,
              "x_t is the input; the loss scores the prediction out_t. (The post's words, "
              "'substituting the input value x and the predicted value x^', invite this "
              "reading; its formula is lost: section 8 of the lesson.) Differentiate with "
              "respect to out_t."),
         Slip("the factor 1/2 kept", lambda s: sp.Rational(1, 2) * (s.out - s.y),
              "The 2 of the square cancels the 1/2: d/du (u²/2) = u."),
         Slip("the loss itself, not its derivative",
              lambda s: sp.Rational(1, 2) * (s.out - s.y) ** 2,
              "Δ_t is the derivative of E_t with respect to out_t, a first-degree expression."))),
    Exercise(
        "05.2", "Gomez's four gate deltas",
        "Given $\\delta state_t$ (`s.d_state`, the clubbed gradient of the state) and $\\delta "
        "out_t$ (`s.d_out`), write Gomez's list $[\\delta a_t, \\delta i_t, \\delta f_t, \\delta "
        "o_t]$: the gradients of the **pre-activations** $\\hat a_t, \\hat i_t, \\hat f_t, "
        "\\hat o_t$ (`s.z['a']` ... `s.z['o']`, the arguments of tanh and σ). Use the activated "
        "gates `s.a` $= \\tanh(\\hat a_t)$, `s.i`, `s.f`, `s.o` $= \\sigma(\\cdot)$, the states "
        "`s.state_prev` ($state_{t-1}$) and `s.state` ($state_t$), and `sp.tanh`. The forward: "
        "$state_t = a_t i_t + f_t\\, state_{t-1}$, $out_t = \\tanh(state_t)\\, o_t$.",
        "expression", _gates, _gate_truth,
        lambda s: [s.d_state * s.i * (1 - s.a ** 2), s.d_state * s.a * s.i * (1 - s.i),
                   s.d_state * s.state_prev * s.f * (1 - s.f),
                   s.d_out * sp.tanh(s.state) * s.o * (1 - s.o)],
        ("Three gates meet the state, one meets the output. In $a_t i_t$ each factor's "
         "derivative is its partner; $f_t$'s partner is $state_{t-1}$.",
         "Then through the activation, written on its output: $1 - a_t^2$ for tanh, "
         "$s(1 - s)$ for σ; $\\delta o_t$ starts from $\\delta out_t \\tanh(state_t)$."),
        (Slip("σ' where tanh' belongs (δa_t)",
              lambda s: [s.d_state * s.i * s.a * (1 - s.a), s.d_state * s.a * s.i * (1 - s.i),
                         s.d_state * s.state_prev * s.f * (1 - s.f),
                         s.d_out * sp.tanh(s.state) * s.o * (1 - s.o)],
              "a_t = tanh(â_t): its derivative is 1 - a_t², not a_t (1 - a_t)."),
         Slip("δstate_t where δout_t belongs (δo_t)",
              lambda s: [s.d_state * s.i * (1 - s.a ** 2), s.d_state * s.a * s.i * (1 - s.i),
                         s.d_state * s.state_prev * s.f * (1 - s.f),
                         s.d_state * sp.tanh(s.state) * s.o * (1 - s.o)],
              "o_t does not touch the state: it multiplies tanh(state_t) in out_t, so its "
              "error comes from δout_t."),
         Slip("a missing state_{t-1} (δf_t)",
              lambda s: [s.d_state * s.i * (1 - s.a ** 2), s.d_state * s.a * s.i * (1 - s.i),
                         s.d_state * s.f * (1 - s.f),
                         s.d_out * sp.tanh(s.state) * s.o * (1 - s.o)],
              "f_t multiplies state_{t-1}: that factor stays in the chain."),
         Slip("the gradients of the activated gates, not of the pre-activations",
              lambda s: [s.d_state * s.i, s.d_state * s.a, s.d_state * s.state_prev,
                         s.d_out * sp.tanh(s.state)],
              "Gomez's deltas go one step further, through tanh or σ: multiply by 1 - a_t² "
              "or s (1 - s).")),
        level=2),
    Exercise(
        "05.3", "δstate_1 by hand",
        "At the last step, $t = 1$, nothing comes back from the future ($\\Delta out_1 = 0$, no "
        "$\\delta state_2$). From the forward values `s.out_1`, `s.y_1`, `s.o_1`, `s.state_1` "
        "(the table of section 2, full precision), compute $\\delta state_1$ and give it to 5 "
        "decimals. (`s.x_1`, the input, is handed out too.)",
        "number", _delta_state_1_handout, lambda s: _example().delta_state_1,
        lambda s: (s.out_1 - s.y_1) * s.o_1 * (1 - np.tanh(s.state_1) ** 2),
        ("$\\delta out_1 = \\Delta_1 = out_1 - y_1$; then the path through "
         "$out_1 = \\tanh(state_1)\\, o_1$.",
         "$\\delta state_1 = (out_1 - y_1)\\, o_1 (1 - \\tanh^2 state_1)$, about $-0.07$."),
        (Slip("x where the prediction belongs", lambda s: (s.x_1[0] - s.y_1) * s.o_1 * (
                  1 - np.tanh(s.state_1) ** 2),
              "Δ_1 = out_1 - y_1 = -0.47802: the post's x stands for the prediction there."),
         Slip("a missing o_1", lambda s: (s.out_1 - s.y_1) * (1 - np.tanh(s.state_1) ** 2),
              "out_1 = tanh(state_1) o_1: the output gate multiplies the path."),
         Slip("tanh' taken as 1 - state_1² instead of 1 - tanh²(state_1)",
              lambda s: (s.out_1 - s.y_1) * s.o_1 * (1 - s.state_1 ** 2),
              "Square the tanh of the state, not the state (state_1 = 1.5176 is above 1)."),
         Slip("tanh where tanh' belongs", lambda s: (s.out_1 - s.y_1) * s.o_1 * np.tanh(
                  s.state_1),
              "d tanh(s)/ds = 1 - tanh²(s); tanh(state_1) itself belongs in δo_1.")),
        tolerance=1.5e-5, level=2),
    Exercise(
        "05.4", "one update of b_o",
        "The output gate's bias starts at `s.b_o` $= 0.10$. Its gradient is the sum of the two "
        "steps' deltas `s.delta_o_0` and `s.delta_o_1` (the table of section 5). With the "
        "learning rate `s.lr` $= 0.1$, give the updated $b_o$ to 5 decimals.",
        "number", _update_handout, lambda s: _example().new_b_o,
        lambda s: s.b_o - s.lr * (s.delta_o_0 + s.delta_o_1),
        ("$b \\leftarrow b - \\lambda\\, db$, and $db_o = \\sum_t \\delta o_t$.",
         "$0.10 - 0.1\\,(\\delta o_0 + \\delta o_1)$: slightly above 0.105."),
        (Slip("the step-1 delta only", lambda s: s.b_o - s.lr * s.delta_o_1,
              "b_o is shared by both steps: its gradient sums δo_0 and δo_1."),
         Slip("a step up the gradient", lambda s: s.b_o + s.lr * (s.delta_o_0 + s.delta_o_1),
              "Gradient descent subtracts: b ← b - λ db."),
         Slip("the learning rate left out", lambda s: s.b_o - (s.delta_o_0 + s.delta_o_1),
              "The step is λ db with λ = 0.1.")),
        tolerance=1.5e-5),
    Exercise(
        "05.5", "implement Gomez's backward pass",
        "Write `gomez_backward(W, U, b, xs, ys)` returning `(dW, dU, db)` for Gomez's cell and "
        "loss $E = \\sum_t \\tfrac12 \\lVert out_t - y_t\\rVert^2$: `W` (4H, D), `U` (4H, H), "
        "`b` (4H,) with the blocks of rows $a, i, f, o$ (H rows each); `xs` (T, D), `ys` (T, H); "
        "$out_{-1} = state_{-1} = 0$. Run the forward, keep each step's values, then walk back "
        "with his lines. Use `sigmoid` and `tanh` from `lstm_course.core.activations` (they "
        "take SymPy symbols too, so your function can be proved). Checked on his numbers and "
        "on random cases against finite differences of $E$.",
        "function", lambda: SimpleNamespace(), lambda s: _reference_backward,
        _backward_solution,
        ("Forward: $z = W x_t + U\\, out_{t-1} + b$, cut into four blocks of H; keep "
         "$a, i, f, o, state_t, state_{t-1}, out_{t-1}, out_t$ of every step.",
         "Backward from $t = T-1$: $\\delta out_t = (out_t - y_t) + \\Delta out_t$, then "
         "$\\delta state_t$, the four gate deltas stacked as $\\delta gates_t$; add "
         "$\\delta gates_t \\otimes x_t$ to dW, $\\delta gates_t \\otimes out_{t-1}$ to dU, "
         "$\\delta gates_t$ to db; hand back $\\Delta out_{t-1} = U^\\top \\delta gates_t$ and "
         "$\\delta state_t\\, f_t$."),
        (Slip("a missing Δout_t (the error from step t+1)", _slip(no_Delta_out=True),
              "out_t feeds step t+1's gates through U: δout_t = Δ_t + Δout_t, with "
              "Δout_t = U^T δgates_{t+1}."),
         Slip("a missing δstate_{t+1} f_{t+1} path", _slip(no_state_path=True),
              "state_t also flows into state_{t+1} = a i + f_{t+1} state_t: add "
              "δstate_{t+1} f_{t+1} to δstate_t."),
         Slip("σ' where tanh' belongs (δa_t)", _slip(sigma_prime_for_a=True),
              "a_t = tanh(â_t): δa_t = δstate_t i_t (1 - a_t²)."),
         Slip("dU built with out_t instead of out_{t-1}", _slip(dU_with_out_t=True),
              "At step t, U multiplies out_{t-1}: dU gets δgates_t ⊗ out_{t-1} (Gomez writes "
              "it δgates_{t+1} ⊗ out_t, the same sum shifted by one)."),
         Slip("x where the prediction belongs", _slip(delta_from_x=True),
              "Δ_t = out_t - y_t, the derivative with respect to the prediction.")),
        compare=comparator(_backward_cases, names=["dW", "dU", "db"],
                           expected=_finite_differences, expected_rtol=1e-6,
                           symbolic_case=_backward_symbolic,
                           what="the package"),
        level=3),
)
