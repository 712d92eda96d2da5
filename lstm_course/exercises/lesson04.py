"""Lesson 04 (backpropagation through time): your turn.

04.1 and 04.2 follow article 001's unrolling (a weight used at every step; the backward loop),
04.3 and 04.4 the cell-state factor dc_t/dc_{t-1} (held h_{t-1}, then article 003's total),
04.5 global-norm clipping, 04.6 Seo's two timestamps (article 000) with the S(1) -> S(2) path
the article leaves out.  Every truth is SymPy's derivative of a forward expression, or the
package's own function.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from ..articles.scalar003 import scalar003_step
from ..articles.seo000 import seo_dout2_dout1, seo_ts1_parts, seo_ts2_equations, seo_two_timestamps
from ..core import lstm
from ..core.gradcheck import numerical_gradient
from ..core.params import GATES, init_params
from ..core.symbolic import symbol_array
from ..hamlet import optim
from .framework import Exercise, Slip
from .functions import comparator

# ------------------------------------------------------------------ 04.1: one weight, two uses


def _two_uses():
    r = dict(real=True)
    ns = SimpleNamespace(u=sp.Symbol("u_g", **r), w=sp.Symbol("w_g", **r),
                         b=sp.Symbol("b_g", **r),
                         h={t: sp.Symbol(f"h_{t}", **r) for t in (0, 1)},
                         x={t: sp.Symbol(f"x_{t}", **r) for t in (1, 2)},
                         da={t: sp.Symbol(rf"\delta a_{{g,{t}}}", **r) for t in (1, 2)})
    # a_{g,t} = u_g h_{t-1} + w_g x_t + b_g at t = 1, 2; J reaches a_{g,t} through δa_{g,t},
    # which holds everything downstream of step t (so h_1 counts as given here)
    ns.a = {t: ns.u * ns.h[t - 1] + ns.w * ns.x[t] + ns.b for t in (1, 2)}
    ns.J = ns.da[1] * ns.a[1] + ns.da[2] * ns.a[2]
    return ns


# ------------------------------------------------------------- 04.2: the backward loop

_PIECES = tuple(f"{p}_{g}" for g in GATES for p in "Wb")
_BPTT_NAMES = _PIECES + ("h0", "c0")


def _bptt_params(D, H, rng):
    params = init_params(D, H, rng=rng)
    for k, g in enumerate(GATES):                  # non-zero biases, a different range per gate
        params[f"b_{g}"] = rng.uniform(0.2 + k, 0.8 + k, size=H) * rng.choice([-1.0, 1.0], H)
    return params


def _bptt_cases(ns=None):
    """(cache, dhs) for (D, H, B, T) = (1, 1, 1, 3) and (2, 3, 2, 4), from non-zero h0, c0."""
    rng = np.random.default_rng(404)
    cases = []
    for D, H, B, T in ((1, 1, 1, 3), (2, 3, 2, 4)):
        params = _bptt_params(D, H, rng)
        xs = rng.standard_normal((T, B, D))
        h0, c0 = 0.5 * rng.standard_normal((B, H)), 0.5 * rng.standard_normal((B, H))
        _, _, cache = lstm.forward(params, xs, h0, c0)
        cases.append((cache, rng.standard_normal((T, B, H))))
    return cases


def _bptt_symbolic(ns=None):
    """(cache, dhs) of SymPy symbols: T = 2, B = 1, H = D = 1, the readable forward on symbols."""
    T, B, H, D = 2, 1, 1, 1
    params = {f"W_{g}": symbol_array(f"W_{g}", (H, H + D)) for g in GATES}
    params.update({f"b_{g}": symbol_array(f"b_{g}", (H,)) for g in GATES})
    _, _, cache = lstm.forward(params, symbol_array("x", (T, B, D)), symbol_array("h0", (B, H)),
                               symbol_array("c0", (B, H)))
    return cache, symbol_array("dh", (T, B, H))


def _bptt_reference(cache, dhs):
    """The readable LSTM's backward, as the exercise's dict."""
    grads = lstm.backward(cache.params, cache, dhs)
    return {k: grads[k] for k in _BPTT_NAMES}


def _bptt_finite_differences(ns, args):
    """Centred differences of J = Σ_t dhs_t ⊙ h_t with respect to every parameter, h0 and c0."""
    cache, dhs = args
    first = cache.steps[0]
    H = first.c.shape[1]
    inputs = {**{k: v.copy() for k, v in cache.params.items()},
              "h0": first.Z[:, :H].copy(), "c0": first.c_prev.copy()}
    xs = np.stack([s.Z[:, H:] for s in cache.steps])
    params = {k: inputs[k] for k in cache.params}

    def J() -> float:
        hs, _, _ = lstm.forward(params, xs, inputs["h0"], inputs["c0"])
        return float(np.sum(dhs * hs))
    return {name: numerical_gradient(J, inputs[name]) for name in _BPTT_NAMES}


def _bptt_loop(carry_h=True, carry_c=True, c_from="dJ_dC_prev", last_only=False):
    """A backward loop over the steps, right with the defaults; each switch is a known slip."""
    def bptt(cache, dhs):
        dh_next = np.zeros_like(dhs[0])
        dc_next = np.zeros_like(dhs[0])
        grads = {k: np.zeros_like(cache.params[k]) for k in _PIECES}
        for t in reversed(range(len(cache.steps))):
            g = lstm.step_backward(dhs[t] + dh_next, dc_next, cache.steps[t])
            if not last_only or t == len(cache.steps) - 1:
                grads = {k: grads[k] + g.params[k] for k in _PIECES}
            dh_next = g.dJ_dh_prev if carry_h else np.zeros_like(dh_next)
            dc_next = getattr(g, c_from) if carry_c else np.zeros_like(dc_next)
        return {**grads, "h0": dh_next, "c0": dc_next}
    return bptt


def _bptt_solution(ns):
    def bptt(cache, dhs):
        dh_next = np.zeros_like(dhs[0])        # nothing comes back into the last step
        dc_next = np.zeros_like(dhs[0])
        grads = {k: 0 for g in "fico" for k in (f"W_{g}", f"b_{g}")}
        for t in reversed(range(len(cache.steps))):            # t = T-1, ..., 0
            g = lstm.step_backward(dhs[t] + dh_next, dc_next, cache.steps[t])
            for k in grads:
                grads[k] = grads[k] + g.params[k]               # summed over time
            dh_next, dc_next = g.dJ_dh_prev, g.dJ_dC_prev       # the two carried errors
        return {**grads, "h0": dh_next, "c0": dc_next}
    return bptt


# ------------------------------------------------------------ 04.3, 04.4: dc_t/dc_{t-1}

def _held():
    """Article 003's scalar cell, one step, h_{t-1} a free symbol (held fixed)."""
    n = scalar003_step(hold_h_prev=True)
    return SimpleNamespace(f=n.f, i=n.i, c_tilde=n.c_tilde, o=n.o, c_prev=n.c_prev,
                           h_prev=n.h_prev, x=n.x, w=n.w, c=n.c)


def _moving():
    """The same step with h_{t-1} = o_{t-1} tanh(c_{t-1}) moving with c_{t-1}."""
    n = scalar003_step(hold_h_prev=False)
    return SimpleNamespace(f=n.f, i=n.i, c_tilde=n.c_tilde, o_prev=n.o_prev, c_prev=n.c_prev,
                           h_prev=n.h_prev, x=n.x, w=n.w, c=n.c)


def _through_h(s, dh_dC, candidate=None):
    """Σ_g (dc_t/da_g) u_g times dh_{t-1}/dc_{t-1} (candidate: the candidate's local factor)."""
    cand = (1 - s.c_tilde ** 2) if candidate is None else candidate
    return (s.c_prev * s.f * (1 - s.f) * s.w["u_f"] + s.c_tilde * s.i * (1 - s.i) * s.w["u_i"]
            + s.i * cand * s.w["u_c"]) * dh_dC


# ------------------------------------------------------------------ 04.5: norm clipping

def _clip_cases(ns=None):
    """(grads, max_norm): a norm above max_norm, one below it, and a single array above it."""
    rng = np.random.default_rng(45)

    def grads(scale):
        return {"W_f": scale * rng.standard_normal((3, 5)), "b_f": scale * rng.standard_normal(3),
                "W_v": scale * rng.standard_normal((4, 3))}
    return [(grads(2.0), 1.0), (grads(0.05), 5.0), ({"W": 3.0 * rng.standard_normal((2, 2))}, 0.5)]


def _clip_reference(grads, max_norm):
    return optim.clip_by_global_norm(grads, max_norm)[0]


def _clip_elementwise(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}


def _clip_each_array(grads, max_norm):
    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}


def _clip_always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g * (max_norm / norm) for k, g in grads.items()}


def _clip_solution(ns):
    def clip_by_global_norm(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))   # one norm for all arrays
        scale = min(1.0, max_norm / norm)                              # shrink only when too long
        return {k: g * scale for k, g in grads.items()}
    return clip_by_global_norm


# ------------------------------------------------------------ 04.6: Seo's two timestamps

def _seo():
    """Seo's cell over two timestamps (article 000), with the pieces the lesson has proved."""
    n = seo_two_timestamps()
    e1, e2 = n.Out[1] - n.Y[1], n.Out[2] - n.Y[2]
    return SimpleNamespace(w=n.w, X=n.X, Y=n.Y, F=n.F, I=n.I, A=n.A, O=n.O, S=n.S, Out=n.Out,
                           cost=n.cost, e1=e1, e2=e2,
                           eq3=seo_ts2_equations(n)["Wa"],
                           dOut1=e1 + e2 * seo_dout2_dout1(n))


def _seo_article(s):
    """Equation 3 plus the TS = 1 chain built as for Wo: S(1) reached through Out(1) only."""
    n = SimpleNamespace(**vars(s))
    return s.eq3 + seo_ts1_parts(n, with_state_path=False)["Wa"]


def _seo_with(s, state_factor):
    """The complete gradient's form with another factor on the S(1) -> S(2) path."""
    dS1 = (s.dOut1 * s.O[1] * (1 - sp.tanh(s.S[1]) ** 2)
           + s.e2 * s.O[2] * (1 - sp.tanh(s.S[2]) ** 2) * state_factor)
    return s.eq3 + dS1 * s.I[1] * (1 - s.A[1] ** 2) * s.X[1]


EXERCISES = (
    Exercise(
        "04.1", "one weight, two uses: sum over time",
        "One gate of a scalar cell (H = D = 1) runs twice with the same weights: "
        "$a_{g,t} = u_g h_{t-1} + w_g x_t + b_g$ for $t = 1, 2$. Given $\\delta a_{g,t} = "
        "\\partial J/\\partial a_{g,t}$ (`s.da[1]`, `s.da[2]`: everything downstream of step $t$ "
        "already in them), write the pair $[\\partial J/\\partial u_g,\\ \\partial J/\\partial w_g]$ "
        "as a list, in `s.da`, `s.h[0]`, `s.h[1]`, `s.x[1]`, `s.x[2]`.",
        "expression", _two_uses, lambda s: [sp.diff(s.J, s.u), sp.diff(s.J, s.w)],
        lambda s: [s.da[1] * s.h[0] + s.da[2] * s.h[1], s.da[1] * s.x[1] + s.da[2] * s.x[2]],
        ("The weight has one edge into each $a_{g,t}$: one term per step.",
         "Each term is lesson 03's one-step formula: $\\delta a_{g,t}$ times what the weight "
         "multiplies at step $t$ ($h_{t-1}$ for $u_g$, $x_t$ for $w_g$); add the two steps."),
        (Slip("the last step's piece only",
              lambda s: [s.da[2] * s.h[1], s.da[2] * s.x[2]],
              "The same weight is used at step 1 too: figure 10 of article 001 sums one piece per "
              "step."),
         Slip("averaged over the steps instead of summed",
              lambda s: [(s.da[1] * s.h[0] + s.da[2] * s.h[1]) / 2,
                         (s.da[1] * s.x[1] + s.da[2] * s.x[2]) / 2],
              "J is a sum over the weight's uses: the chain rule adds the pieces, it does not "
              "average them."),
         Slip("h_{t-1} and x_t swapped between u_g and w_g",
              lambda s: [s.da[1] * s.x[1] + s.da[2] * s.x[2], s.da[1] * s.h[0] + s.da[2] * s.h[1]],
              "u_g multiplies the previous hidden state, w_g the input."))),
    Exercise(
        "04.2", "implement backpropagation through time",
        "Write `bptt(cache, dhs)`: `cache` is what `lstm.forward` returned (`cache.steps[t]` is "
        "step t's `StepCache`, `cache.params` the parameters), `dhs` (T, B, H) is $\\partial "
        "J/\\partial h_t$ from the loss at each step. Walk the steps from the last to the first "
        "with `lstm.step_backward(dh, dc_next, step)` (from `lstm_course.core`) and return a dict "
        "with `'W_f'` ... `'b_o'` (summed over time), `'h0'` and `'c0'` (what reaches $h_0$ and "
        "$C_0$). Checked against finite differences of the forward, and proved on symbols.",
        "function", lambda: SimpleNamespace(), lambda s: _bptt_reference, _bptt_solution,
        ("Two errors travel back from step t+1 to step t: one into $h_t$, one into $C_t$; both "
         "are zero at the last step.",
         "In the loop: `g = lstm.step_backward(dhs[t] + dh_next, dc_next, cache.steps[t])`, add "
         "`g.params` into the sums, then `dh_next, dc_next = g.dJ_dh_prev, g.dJ_dC_prev`."),
        (Slip("the cell error not carried (dc_next always zero)",
              lambda s: _bptt_loop(carry_c=False),
              "C_t also reaches the loss through C_{t+1}: pass step t+1's dJ_dC_prev on as dc_next "
              "(the route Liu's recursion drops, section 5.3)."),
         Slip("the hidden error not carried (steps not chained)",
              lambda s: _bptt_loop(carry_h=False),
              "h_t also feeds step t+1's gates: add step t+1's dJ_dh_prev to dhs[t]."),
         Slip("dJ_dC passed back instead of dJ_dC_prev (a missing f_t)",
              lambda s: _bptt_loop(c_from="dJ_dC"),
              "What reaches C_{t-1} is dJ/dC_t ⊙ f_t: step_backward's dJ_dC_prev."),
         Slip("the last step's weight piece only", lambda s: _bptt_loop(last_only=True),
              "Every step uses the same weights: add every step's g.params (article 001, "
              "figure 10).")),
        compare=comparator(_bptt_cases, expected=_bptt_finite_differences, expected_rtol=1e-6,
                           symbolic_case=_bptt_symbolic, what="the readable LSTM's backward"),
        level=3),
    Exercise(
        "04.3", "dc_t/dc_{t-1} with h_{t-1} held fixed",
        "Article 003's scalar cell, one step, $h_{t-1}$ a free symbol: $c_t = f_t c_{t-1} + i_t "
        "\\tilde c_t$ with the gates handed out as expressions of $h_{t-1}$ and $x_t$ (`s.f`, "
        "`s.i`, `s.c_tilde`; also `s.c_prev`, `s.h_prev`, `s.x` and the weights `s.w`). Write "
        "the partial derivative $\\partial c_t/\\partial c_{t-1}$.",
        "expression", _held, lambda s: sp.diff(s.c, s.c_prev), lambda s: s.f,
        ("With $h_{t-1}$ held, no gate of step $t$ depends on $c_{t-1}$.",
         "Only one term of $c_t$ contains $c_{t-1}$, multiplied by $f_t$."),
        (Slip("the derivative with respect to f_t", lambda s: s.c_prev,
              "d(f_t c_{t-1})/dc_{t-1} is f_t; c_{t-1} is the derivative with respect to f_t."),
         Slip("the constant error carousel's 1", lambda s: sp.Integer(1),
              "The cell state passes back through the forget gate: the factor is f_t, 1 only "
              "when the gate is fully open."))),
    Exercise(
        "04.4", "the full dc_t/dc_{t-1} (article 003)",
        "Now $h_{t-1} = o_{t-1}\\tanh(c_{t-1})$ moves with $c_{t-1}$ (`s.h_prev` is that "
        "expression), and through it all four gates of step $t$. Write the total "
        "$\\mathrm dc_t/\\mathrm dc_{t-1}$ in `s.f`, `s.i`, `s.c_tilde`, `s.c_prev`, `s.o_prev` "
        "and the recurrent weights `s.w['u_f']`, `s.w['u_i']`, `s.w['u_c']` (`sp.tanh` for tanh).",
        "expression", _moving, lambda s: sp.diff(s.c, s.c_prev),
        lambda s: s.f + (s.c_prev * s.f * (1 - s.f) * s.w["u_f"]
                         + s.c_tilde * s.i * (1 - s.i) * s.w["u_i"]
                         + s.i * (1 - s.c_tilde ** 2) * s.w["u_c"])
        * s.o_prev * (1 - sp.tanh(s.c_prev) ** 2),
        ("Two routes: the direct one (04.3), and $c_{t-1} \\to h_{t-1} \\to$ the gates $\\to c_t$.",
         "$\\mathrm dh_{t-1}/\\mathrm dc_{t-1} = o_{t-1}(1 - \\tanh^2 c_{t-1})$; through gate $g$ "
         "multiply by $u_g$, by $g$'s $\\sigma'$ or $\\tanh'$ and by what $g$ multiplies in $C_t$ "
         "($c_{t-1}$ for $f_t$, $\\tilde c_t$ for $i_t$, $i_t$ for $\\tilde c_t$). The output gate "
         "does not touch $c_t$."),
        (Slip("the naive f_t (h_{t-1} held fixed)", lambda s: s.f,
              "Along a sequence h_{t-1} = o_{t-1} tanh(c_{t-1}) moves with c_{t-1}, and every gate "
              "of step t moves with it: add the recurrent routes."),
         Slip("dh_{t-1}/dc_{t-1} taken as o_{t-1} (tanh' left out)",
              lambda s: s.f + _through_h(s, s.o_prev),
              "h_{t-1} = o_{t-1} tanh(c_{t-1}): its derivative is o_{t-1}(1 - tanh² c_{t-1})."),
         Slip("σ' where tanh' belongs (candidate)",
              lambda s: s.f + _through_h(s, s.o_prev * (1 - sp.tanh(s.c_prev) ** 2),
                                         candidate=s.c_tilde * (1 - s.c_tilde)),
              "The candidate is a tanh: its local factor is 1 - c~², not c~(1 - c~).")),
        level=2),
    Exercise(
        "04.5", "clip by the global norm, keeping the direction",
        "Write `clip_by_global_norm(grads, max_norm)`: `grads` a dict of float64 arrays, "
        "`max_norm` > 0. Return a new dict, every array scaled by one common factor so that the "
        "global norm $\\sqrt{\\sum_k \\|g_k\\|^2}$ is at most `max_norm`; a gradient already "
        "shorter is returned unchanged.",
        "function", lambda: SimpleNamespace(), lambda s: _clip_reference, _clip_solution,
        ("One norm over all arrays together, then one scale factor for all of them.",
         "`norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))`; scale by "
         "`min(1.0, max_norm / norm)`."),
        (Slip("elementwise clipping (article 004)", lambda s: _clip_elementwise,
              "np.clip caps each entry on its own and turns the vector: scale everything by one "
              "factor instead."),
         Slip("each array clipped by its own norm", lambda s: _clip_each_array,
              "Per-array factors differ, so the direction of the whole gradient changes: use one "
              "global norm."),
         Slip("always rescaled to max_norm", lambda s: _clip_always,
              "A gradient already shorter than max_norm must not be lengthened: scale by "
              "min(1, max_norm / norm).")),
        compare=comparator(_clip_cases, what="lstm_course.hamlet.optim.clip_by_global_norm"),
        level=2),
    Exercise(
        "04.6", "Seo's dE/dWa over both timestamps",
        "Seo's cell over two timestamps (article 000; `s.F`, `s.I`, `s.A`, `s.O`, `s.S`, `s.Out`, "
        "`s.X`, `s.Y` are dicts by timestamp, `s.S[0] = s.Out[0] = 0`). Handed out too: "
        "`s.e1`, `s.e2` ($Out(k) - Y(k)$), `s.eq3` (equation 3, the timestamp-2 part of "
        "$\\partial E/\\partial Wa$) and `s.dOut1` $= e_1 + e_2\\,\\partial Out(2)/\\partial Out(1)$ "
        "(the blue and green boxes: all that reaches $Out(1)$). Write the complete "
        "$\\partial E/\\partial Wa$ (`sp.tanh` for tanh).",
        "expression", _seo, lambda s: sp.diff(s.cost, s.w["Wa"]),
        lambda s: s.eq3 + (s.dOut1 * s.O[1] * (1 - sp.tanh(s.S[1]) ** 2)
                           + s.e2 * s.O[2] * (1 - sp.tanh(s.S[2]) ** 2) * s.F[2])
        * s.I[1] * (1 - s.A[1] ** 2) * s.X[1],
        ("$Wa$ acts at timestamp 1 through $A(1)$, which feeds $S(1)$; count every route from "
         "$S(1)$ to the cost.",
         "$S(1)$ reaches the cost through $Out(1)$ (`s.dOut1` times $O(1)(1 - \\tanh^2 S(1))$) and "
         "directly through $S(2) = F(2) S(1) + \\dots$ ($e_2\\,O(2)(1 - \\tanh^2 S(2))\\,F(2)$); "
         "add the two, then multiply by $I(1)(1 - A(1)^2)\\,X(1)$ and add `s.eq3`."),
        (Slip("the S(1) -> S(2) path left out (article 000's Wo chain copied to Wa)",
              _seo_article,
              "Wa sits behind the state: S(1) also reaches the TS = 2 cost through S(2) = F(2) S(1) "
              "+ ..., the clubbed term of article 001. Add e2 O(2)(1 - tanh² S(2)) F(2) to the "
              "error at S(1)."),
         Slip("timestamp 2 only (equation 3 alone)", lambda s: s.eq3,
              "Wa is used at timestamp 1 too: add its TS = 1 part."),
         Slip("F(1) where F(2) belongs on the state path", lambda s: _seo_with(s, s.F[1]),
              "S(1) enters S(2) = F(2) S(1) + I(2) A(2): the factor is the forget gate of "
              "timestamp 2.")),
        level=2),
)
