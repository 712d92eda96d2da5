"""The catalogue: every hand-derived gradient of the course, with its sources and its proof.

Each :class:`~lstm_course.symbolic.Entry` names a gradient, the articles and the
figure/equation/section it reproduces, its LaTeX in that article's symbols, and a builder
that returns (hand, loss, wrt) triples for :func:`lstm_course.symbolic.verify_gradient`.
Prove them all with ``python -m lstm_course verify``.
"""
from __future__ import annotations

import sympy as sp

from . import activations, lstm
from .symbolic import (Entry, Sigmoid, readout_001, single_step_001, symbolic_lstm,
                       two_steps_001)

def _local(node: str, cut=(), wrt=None):
    """Entry builder for a single-step local derivative of article 001."""
    def build():
        n, d, J = single_step_001(cut=cut)
        target = wrt(n) if wrt else getattr(n, node)
        return [(d[node], J, target)]
    return build


def _gate_param(kind: str):
    def build():
        n, d, J = single_step_001()
        return [(d[f"{kind}_{g}"], J, n.params[f"{kind}_{g}"]) for g in lstm.GATES]
    return build


def _readout(hand: str, wrt: str, cut_V=False):
    def build():
        n = readout_001(cut_V=cut_V)
        return [(getattr(n, hand), n.J, getattr(n, wrt))]
    return build


def _activation_rules():
    a = sp.Symbol("a", real=True)
    sig_exp = 1 / (1 + sp.exp(-a))
    tanh_exp = (sp.exp(a) - sp.exp(-a)) / (sp.exp(a) + sp.exp(-a))
    return [(activations.sigmoid_grad_from_output(sig_exp), sig_exp, a),
            (activations.tanh_grad_from_output(tanh_exp), tanh_exp, a),
            (activations.sigmoid_grad_from_output(Sigmoid(a)), Sigmoid(a), a),
            (activations.tanh_grad_from_output(sp.tanh(a)), sp.tanh(a), a)]


def _two_step(node: str, cut_first=(), every_gate=False):
    def build():
        (s1, s2), (d1, d2), J = two_steps_001(cut_first=cut_first)
        if every_gate:  # BPTT: the gradient of a shared weight is the sum over steps
            return [(d1[f"{k}_{g}"] + d2[f"{k}_{g}"], J, s1.params[f"{k}_{g}"])
                    for g in lstm.GATES for k in ("W", "b")]
        return [(d1[node], J, getattr(s1, node))]
    return build


def _package(T, B, H, D, chunk=None):
    def build():
        inputs, grads, L = symbolic_lstm(T, B, H, D, chunk)
        return [(grads[k], L, inputs[k]) for k in inputs]
    return build


CATALOGUE: tuple[Entry, ...] = (
    Entry("sigma' and tanh' on activated outputs",
          "004 (derivative helpers); 001 (derivation prerequisites)",
          r"\sigma'(a) = \sigma(a)\,(1-\sigma(a)),\quad \tanh'(a) = 1-\tanh^2(a)",
          _activation_rules),
    Entry("dJ/dV_t", "001 eq. 8 backward; 004 error of the final gate",
          r"\frac{\partial J}{\partial V_t} = \hat y_t - y_t", _readout("dV", "V", cut_V=True)),
    Entry("dJ/dW_v", "001 (softmax layer weights); 004 error of the final gate weights",
          r"\frac{\partial J}{\partial W_v} = (\hat y_t - y_t)\,h_t^\top", _readout("dW_v", "W_v")),
    Entry("dJ/db_v", "001 (softmax layer bias); 004 error of the final gate biases",
          r"\frac{\partial J}{\partial b_v} = \hat y_t - y_t", _readout("db_v", "b_v")),
    Entry("dJ/dh_t from the readout", "001 hidden state; 004 error of the hidden state",
          r"\frac{\partial J}{\partial h_t} = W_v^\top(\hat y_t - y_t)", _readout("dh", "h")),
    Entry("dJ/do_t", "001 output gate; 004 error of the output gate",
          r"\frac{\partial J}{\partial o_t} = \frac{\partial J}{\partial h_t}\odot\tanh(C_t)",
          _local("o", cut=("o",))),
    Entry("dJ/da_o", "001 output gate",
          r"\frac{\partial J}{\partial a_o} = \frac{\partial J}{\partial o_t}\odot o_t(1-o_t)",
          _local("a_o", cut=("a_o",), wrt=lambda n: n.a["o"])),
    Entry("dJ/dC_t (clubbed)", "001 cell state; 004 error of the cell state",
          r"\frac{\partial J}{\partial C_t} = \frac{\partial J}{\partial h_t}\odot o_t\odot"
          r"(1-\tanh^2 C_t) + \frac{\partial J}{\partial C_{t+1}}\odot f_{t+1}",
          _local("C", cut=("C",))),
    Entry("dJ/dc~_t", "001 cell state (candidate)",
          r"\frac{\partial J}{\partial \tilde c_t} = \frac{\partial J}{\partial C_t}\odot i_t",
          _local("c_tilde", cut=("c_tilde",))),
    Entry("dJ/da_c", "001 cell state (candidate)",
          r"\frac{\partial J}{\partial a_c} = \frac{\partial J}{\partial \tilde c_t}\odot"
          r"(1-\tilde c_t^2)", _local("a_c", cut=("a_c",), wrt=lambda n: n.a["c"])),
    Entry("dJ/di_t", "001 input gate",
          r"\frac{\partial J}{\partial i_t} = \frac{\partial J}{\partial C_t}\odot \tilde c_t",
          _local("i", cut=("i",))),
    Entry("dJ/da_i", "001 input gate",
          r"\frac{\partial J}{\partial a_i} = \frac{\partial J}{\partial i_t}\odot i_t(1-i_t)",
          _local("a_i", cut=("a_i",), wrt=lambda n: n.a["i"])),
    Entry("dJ/df_t", "001 forget gate",
          r"\frac{\partial J}{\partial f_t} = \frac{\partial J}{\partial C_t}\odot C_{t-1}",
          _local("f", cut=("f",))),
    Entry("dJ/da_f", "001 forget gate (the text's df_t/da_t means da_f)",
          r"\frac{\partial J}{\partial a_f} = \frac{\partial J}{\partial f_t}\odot f_t(1-f_t)",
          _local("a_f", cut=("a_f",), wrt=lambda n: n.a["f"])),
    Entry("dJ/dC_{t-1}", "001 cell state (one step back)",
          r"\frac{\partial J}{\partial C_{t-1}} = \frac{\partial J}{\partial C_t}\odot f_t",
          _local("C_prev")),
    Entry("dJ/dZ_t", "001 input to the LSTM (four paths)",
          r"\frac{\partial J}{\partial Z_t} = \sum_{g\in\{f,i,c,o\}} W_g^\top"
          r"\frac{\partial J}{\partial a_g}", _local("Z", cut=("Z",))),
    Entry("dJ/dh_{t-1}", "001 input to the LSTM (Z_t split, hidden part)",
          r"\frac{\partial J}{\partial h_{t-1}} = \left[\frac{\partial J}{\partial Z_t}"
          r"\right]_{1:H}", _local("h_prev")),
    Entry("dJ/dx_t", "001 input to the LSTM (Z_t split, input part)",
          r"\frac{\partial J}{\partial x_t} = \left[\frac{\partial J}{\partial Z_t}"
          r"\right]_{H+1:H+D}", _local("x")),
    Entry("dJ/dW_g", "001 weights and biases; 004 backward",
          r"\frac{\partial J}{\partial W_g} = \frac{\partial J}{\partial a_g} Z_t^\top",
          _gate_param("W")),
    Entry("dJ/db_g", "001 weights and biases; 004 backward",
          r"\frac{\partial J}{\partial b_g} = \frac{\partial J}{\partial a_g}", _gate_param("b")),
    Entry("dJ/dC_t clubbed over two steps", "001 cell state (the clubbed gradient), BPTT",
          r"\frac{\partial J}{\partial C_1} = \frac{\partial J}{\partial h_1}\odot o_1\odot"
          r"(1-\tanh^2 C_1) + \frac{\partial J}{\partial C_2}\odot f_2",
          _two_step("C", cut_first=("C",))),
    Entry("dJ/dh_t over two steps", "001 hidden state (+ what flows back from step t+1)",
          r"\frac{\partial J}{\partial h_1} = \delta h_1 + \left[\sum_g W_g^\top"
          r"\frac{\partial J}{\partial a_{g,2}}\right]_{1:H}", _two_step("h", cut_first=("h",))),
    Entry("BPTT: weights summed over time", "001 figure 10 (sum of per-step gradients)",
          r"\frac{\partial J}{\partial W_g} = \sum_t \frac{\partial J}{\partial a_{g,t}}"
          r"Z_t^\top,\quad \frac{\partial J}{\partial b_g} = \sum_t"
          r"\frac{\partial J}{\partial a_{g,t}}", _two_step("", every_gate=True)),
    Entry("package backward, one step (H=2, D=2)",
          "lstm_course.lstm.backward on SymPy arrays: 001 and 004 as the code runs",
          r"\texttt{lstm.backward} = \nabla L,\ L = R_h\cdot h + R_c\cdot C_T",
          _package(T=1, B=1, H=2, D=2)),
    Entry("package backward, three steps (H=1, D=1)",
          "lstm_course.lstm.backward on SymPy arrays: BPTT as the code runs, in chunks of 2 steps",
          r"\texttt{lstm.backward} = \nabla L,\ L = \sum_t R_{h,t} h_t + R_c C_3",
          _package(T=3, B=1, H=1, D=1, chunk=2)),
    Entry("package backward, batch of two (T=2, H=1, D=1)",
          "lstm_course.lstm.backward on SymPy arrays: batched sequences",
          r"\texttt{lstm.backward} = \nabla L,\ L = \sum_{t,b} R_{h,t,b} h_{t,b} + R_c\cdot C_2",
          _package(T=2, B=2, H=1, D=1)),
)




# ----------------------------------------------------------------- article 000 (Seo), scalar

SEO_WEIGHTS = ("Wo", "Wreco", "Wa", "Wreca", "Wi", "Wreci", "Wf", "Wrecf")  # equations 1..8


def seo_two_timestamps(hold_ts1: bool = False):
    """Seo's cell (article 000) over two timestamps, run by the package on SymPy symbols.

    Scalar X(k), Out(k), S(k); eight weights, no biases; Out(0) = S(0) = 0;
    cost = 1/2 (Out(1) - Y(1))^2 + 1/2 (Out(2) - Y(2))^2.
    hold_ts1=True makes Out(1) and S(1) free symbols (held fixed): what remains of the cost's
    gradient is the article's same-timestep "TS=2" part.
    Returns a namespace with the weights w (dict), X, Y, F, I, A, O, S, Out (dicts k -> expr),
    and cost.
    """
    from types import SimpleNamespace

    import numpy as np

    from .notation import from_seo
    from .symbolic import SYMPY_OPS

    w = {k: sp.Symbol(k, real=True) for k in SEO_WEIGHTS}
    params = from_seo(w)  # object arrays, zero biases
    n = SimpleNamespace(w=w, X={k: sp.Symbol(f"X{k}", real=True) for k in (1, 2)},
                        Y={k: sp.Symbol(f"Y{k}", real=True) for k in (1, 2)},
                        F={}, I={}, A={}, O={}, S={0: 0}, Out={0: 0})

    def run(k, out_prev, s_prev):
        xs = np.array([[[n.X[k]]]], dtype=object)                   # (1, 1, 1)
        h0, c0 = np.array([[out_prev]], dtype=object), np.array([[s_prev]], dtype=object)
        hs, cs, cache = lstm.forward(params, xs, h0, c0, ops=SYMPY_OPS)
        n.F[k], n.I[k], n.A[k], n.O[k] = cache["gates"][0, 0]        # order f, i, c~, o
        n.S[k], n.Out[k] = cs[0, 0, 0], hs[0, 0, 0]

    run(1, 0, 0)
    if hold_ts1:
        n.S[1], n.Out[1] = sp.Symbol("S1", real=True), sp.Symbol("Out1", real=True)
    run(2, n.Out[1], n.S[1])
    n.cost = sum(sp.Rational(1, 2) * (n.Out[k] - n.Y[k]) ** 2 for k in (1, 2))
    return n


def seo_ts2_equations(n) -> dict:
    """The article's eight TS=2 equations (same-timestep part), keyed by weight name."""
    e2, t2 = n.Out[2] - n.Y[2], sp.tanh(n.S[2])
    dS2 = e2 * n.O[2] * (1 - t2 ** 2)
    gate_o = e2 * t2 * n.O[2] * (1 - n.O[2])
    gate_a = dS2 * n.I[2] * (1 - n.A[2] ** 2)
    gate_i = dS2 * n.A[2] * n.I[2] * (1 - n.I[2])
    gate_f = dS2 * n.S[1] * n.F[2] * (1 - n.F[2])
    out = {}
    for g, local in (("o", gate_o), ("a", gate_a), ("i", gate_i), ("f", gate_f)):
        out[f"W{g}"], out[f"Wrec{g}"] = local * n.X[2], local * n.Out[1]
    return out


def seo_dout2_dout1(n):
    """dOut(2)/dOut(1) with S(1) held fixed: the four recurrent paths (the "black stars")."""
    w, t2 = n.w, sp.tanh(n.S[2])
    return (t2 * n.O[2] * (1 - n.O[2]) * w["Wreco"]
            + n.O[2] * (1 - t2 ** 2) * (n.S[1] * n.F[2] * (1 - n.F[2]) * w["Wrecf"]
                                        + n.A[2] * n.I[2] * (1 - n.I[2]) * w["Wreci"]
                                        + n.I[2] * (1 - n.A[2] ** 2) * w["Wreca"]))


def seo_ts1_parts(n, with_state_path: bool = True) -> dict:
    """The TS=1 part of each weight's gradient: errors reaching Out(1) and S(1), times step 1.

    dOut1 = e1 + e2 dOut(2)/dOut(1);  dS1 = dOut1 O(1)(1 - tanh^2 S(1)) + e2 O(2)(1 - t2^2) F(2),
    the last term being the S(1) -> S(2) path the article leaves out (with_state_path=False
    drops it, to show that the result is then wrong).
    """
    e1, e2 = n.Out[1] - n.Y[1], n.Out[2] - n.Y[2]
    t1, t2 = sp.tanh(n.S[1]), sp.tanh(n.S[2])
    dOut1 = e1 + e2 * seo_dout2_dout1(n)
    dS1 = dOut1 * n.O[1] * (1 - t1 ** 2)
    if with_state_path:
        dS1 += e2 * n.O[2] * (1 - t2 ** 2) * n.F[2]
    local = {"o": dOut1 * t1 * n.O[1] * (1 - n.O[1]),
             "a": dS1 * n.I[1] * (1 - n.A[1] ** 2),
             "i": dS1 * n.A[1] * n.I[1] * (1 - n.I[1]),
             "f": dS1 * n.S[0] * n.F[1] * (1 - n.F[1])}
    out = {}
    for g, value in local.items():
        out[f"W{g}"], out[f"Wrec{g}"] = value * n.X[1], value * n.Out[0]
    return out


def _seo_ts2():
    n = seo_two_timestamps(hold_ts1=True)
    hands = seo_ts2_equations(n)
    return [(hands[k], n.cost, n.w[k]) for k in SEO_WEIGHTS]


def _seo_wo_ts1():
    n = seo_two_timestamps()
    return [(seo_ts2_equations(n)["Wo"] + seo_ts1_parts(n)["Wo"], n.cost, n.w["Wo"])]


def _seo_all():
    n = seo_two_timestamps()
    ts2, ts1 = seo_ts2_equations(n), seo_ts1_parts(n)
    return [(ts2[k] + ts1[k], n.cost, n.w[k]) for k in SEO_WEIGHTS]


# ------------------------------------------------------------------ article 003, scalar cell

W003 = tuple(f"{p}_{g}" for g in ("f", "i", "c", "o") for p in ("w", "u"))


def scalar003_step(hold_h_prev: bool = True):
    """One step of article 003's scalar, bias-free cell, run by the package on SymPy symbols.

    h_{t-1} = o_{t-1} tanh(c_{t-1}) when hold_h_prev is False (so that c_{t-1} reaches
    step t through h_{t-1} as well), else a free symbol.  Loss E = 1/2 (h_t - y_t)^2.
    Returns a namespace with w (dict of the eight weights), x, y, h_prev, c_prev, o_prev,
    f, i, c_tilde, o, c, h, E.
    """
    from types import SimpleNamespace

    import numpy as np

    from .notation import from_scalar003
    from .symbolic import SYMPY_OPS

    w = {k: sp.Symbol(k, real=True) for k in W003}
    n = SimpleNamespace(w=w, x=sp.Symbol("x_t", real=True), y=sp.Symbol("y_t", real=True),
                        c_prev=sp.Symbol("c_{t-1}", real=True),
                        o_prev=sp.Symbol("o_{t-1}", real=True))
    n.h_prev = (sp.Symbol("h_{t-1}", real=True) if hold_h_prev
                else n.o_prev * sp.tanh(n.c_prev))
    params = from_scalar003(w, dtype=object)
    hs, cs, cache = lstm.forward(params, np.array([[[n.x]]], dtype=object),
                                 np.array([[n.h_prev]], dtype=object),
                                 np.array([[n.c_prev]], dtype=object), ops=SYMPY_OPS)
    n.f, n.i, n.c_tilde, n.o = cache["gates"][0, 0]
    n.c, n.h = cs[0, 0, 0], hs[0, 0, 0]
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


def _scalar003_weights():
    n = scalar003_step()
    hands = scalar003_chain(n)
    return [(hands[k], n.E, n.w[k]) for k in W003]


def _scalar003_dc():
    n = scalar003_step(hold_h_prev=False)
    return [(scalar003_dc_dcprev(n), n.c, n.c_prev)]


CATALOGUE = CATALOGUE + (
    Entry("000 TS=2 equations 1-8",
          "000 'backpropagation at timestamp 2', equations 1-8 (Wo, Wreco, Wa, Wreca, Wi, Wreci, "
          "Wf, Wrecf)",
          r"\frac{\partial E}{\partial W_o}\Big|_{TS=2} = (Out_2 - Y_2)\tanh(S_2)\,O_2(1-O_2)\,"
          r"X_2,\ \dots", _seo_ts2),
    Entry("000 TS=1 chain for Wo",
          "000 'backpropagation at timestamp 1 for Wo' (the five equations; blue and green boxes)",
          r"\frac{\partial E}{\partial W_o} = \text{eq. 1} + \Big[e_1 + e_2\,"
          r"\frac{\partial Out_2}{\partial Out_1}\Big]\tanh(S_1)\,O_1(1-O_1)\,X_1", _seo_wo_ts1),
    Entry("000 all eight weights over two timestamps",
          "000 (completed: the S(1) -> S(2) path the article leaves out)",
          r"\delta S_1 = \delta Out_1\,O_1(1-\tanh^2 S_1) + e_2\,O_2(1-\tanh^2 S_2)\,F_2",
          _seo_all),
    Entry("003 chain rule for every weight",
          "003 (the derivative of each of w_f, u_f, w_i, u_i, w_c, u_c, w_o, u_o)",
          r"\frac{\partial E}{\partial w_o} = (h_t - y_t)\tanh(c_t)\,o_t(1-o_t)\,x_t,\ \dots",
          _scalar003_weights),
    Entry("003 full dc_t/dc_{t-1}",
          "003 (vanishing/exploding: the naive f_t misses the recurrent terms)",
          r"\frac{\partial c_t}{\partial c_{t-1}} = f_t + \big[c_{t-1}f_t(1-f_t)u_f + "
          r"\tilde c_t i_t(1-i_t)u_i + i_t(1-\tilde c_t^2)u_c\big]\,o_{t-1}(1-\tanh^2 c_{t-1})",
          _scalar003_dc),
)
