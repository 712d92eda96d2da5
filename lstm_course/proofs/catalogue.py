"""The catalogue: every hand-derived gradient of the course, with its sources and its proof.

Each :class:`Entry` names a gradient, the articles and the figure/equation/section it
reproduces, its LaTeX in that article's symbols, and a builder that returns (hand, loss, wrt)
triples for :func:`lstm_course.proofs.verify.verify_gradient`.  Prove them all with
``python -m lstm_course verify``.  The "readable backward" and "training kernel backward"
entries run the package's own code on SymPy symbols: what is proved is what runs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import sympy as sp

from ..articles import gomez002, scalar003, seo000, zoo004
from ..core import activations
from ..core.params import GATES
from ..core.symbolic import Sigmoid
from .cell import (readout_001, single_step_001, symbolic_lstm, symbolic_stack,
                   two_steps_001)
from .verify import prove_sigmoid_rule, verify_gradient
from .zero import is_identically_zero

__all__ = ["Entry", "CATALOGUE", "Result", "find", "verify_entry", "verify_catalogue",
           "catalogue_table"]


@dataclass(frozen=True)
class Entry:
    """One hand-derived gradient: what it is, where it comes from, and how to prove it.

    build()   returns a list of (hand, loss, wrt) triples; the entry is proved when
              verify_gradient holds for every triple
    display() returns the formula shown for it, as a list of items (lhs, formula, meaning,
              hand): ``formula`` is written in display symbols (as the article writes it),
              ``meaning`` maps each display symbol to what it stands for in the proof, and
              ``hand`` is the proof's own expression; verify_entry checks that the formula,
              read through its meaning, *is* the proved expression, so the formula shown is
              the formula proved.  None for entries whose claim is about code (``statement``).
    """

    name: str
    articles: str
    build: Callable[[], list]
    display: Callable[[], list] | None = None
    statement: str = ""

    @property
    def latex(self) -> str:
        """The formula shown for this entry, generated from its display (or its statement)."""
        if self.display is None:
            return self.statement
        return r",\quad ".join(f"{lhs} = {sp.latex(formula, symbol_names=_TEX)}"
                               for lhs, formula, _, _ in self.display())

    def display_agrees(self) -> bool:
        """True when every displayed formula, read through its meaning, is the proved hand."""
        if self.display is None:
            return True
        for _, formula, meaning, hand in self.display():
            value = formula.subs(meaning)
            if isinstance(value, sp.MatrixExpr) and not isinstance(value, sp.MatrixBase):
                value = value.doit().as_explicit()
            values = list(value) if isinstance(value, sp.MatrixBase) else [value]
            hands = list(hand) if isinstance(hand, sp.MatrixBase) else [hand]
            if len(values) != len(hands) or not all(
                    is_identically_zero(sp.sympify(a) - sp.sympify(b))
                    for a, b in zip(values, hands)):
                return False
        return True


# ------------------------------------------------------------------ display symbols

_TEX: dict = {}          # display symbol -> its LaTeX


def _sym(tex: str) -> sp.Symbol:
    """A display symbol printed as ``tex`` (one per LaTeX string)."""
    symbol = sp.Symbol(tex, real=True)      # named by its LaTeX: sums print in reading order
    _TEX[symbol] = tex
    return symbol


def _mat(tex: str, rows: int, cols: int) -> sp.MatrixSymbol:
    """A display matrix symbol printed as ``tex``."""
    symbol = sp.MatrixSymbol(tex, rows, cols)
    _TEX[symbol] = tex
    return symbol


def _dJ(node: str) -> sp.Symbol:
    return _sym(rf"\frac{{\partial J}}{{\partial {node}}}")


# article 001's nodes, one unit (H = D = 1): a single step, cut where the entry says
def _shown_001(node: str, cut: tuple, formula: Callable, meaning: Callable, lhs: str):
    def display():
        n, d, J = single_step_001(H=1, D=1, cut=cut)
        nodes = {_sym("f_t"): n.f[0], _sym("i_t"): n.i[0], _sym(r"\tilde c_t"): n.c_tilde[0],
                 _sym("o_t"): n.o[0], _sym("C_t"): n.C[0], _sym("C_{t-1}"): n.C_prev[0],
                 _dJ("h_t"): d["h"][0], _dJ("C_t"): d["C"][0], _dJ("o_t"): d["o"][0],
                 _dJ(r"\tilde c_t"): d["c_tilde"][0], _dJ("i_t"): d["i"][0],
                 _dJ("f_t"): d["f"][0], _sym(r"\delta C_t"): sp.Symbol(r"\delta C_t", real=True)}
        return [(lhs, formula(), {**nodes, **meaning(n, d)}, d[node][0])]
    return display


def _none(n, d):
    return {}


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
        return [(d[f"{kind}_{g}"], J, n.params[f"{kind}_{g}"]) for g in GATES]
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
                    for g in GATES for k in ("W", "b")]
        return [(d1[node], J, getattr(s1, node))]
    return build


def _package(T, B, H, D, *, fast=False, chunk=None):
    def build():
        inputs, grads, L = symbolic_lstm(T, B, H, D, fast=fast, chunk=chunk)
        return [(grads[k], L, inputs[k]) for k in inputs]
    return build


def _stacked(T, B, H, D):
    def build():
        inputs, grads, L = symbolic_stack(T, B, H, D)
        return [(grads[k], L, inputs[k]) for k in inputs]
    return build


# ------------------------------------------------------------------ the displays

_F, _I, _CT, _O = _sym("f_t"), _sym("i_t"), _sym(r"\tilde c_t"), _sym("o_t")
_C, _CP, _DCN = _sym("C_t"), _sym("C_{t-1}"), _sym(r"\delta C_t")


def _rules():
    a = sp.Symbol("a", real=True)
    s, t = _sym(r"\sigma(a)"), _sym(r"\tanh(a)")
    return [(r"\sigma'(a)", s * (1 - s), {s: Sigmoid(a)},
             activations.sigmoid_grad_from_output(Sigmoid(a))),
            (r"\tanh'(a)", 1 - t ** 2, {t: sp.tanh(a)}, activations.tanh_grad_from_output(sp.tanh(a)))]


def _readout_display(lhs: str, hand: str, formula: Callable, cut_V=False):
    def display():
        n = readout_001(cut_V=cut_V)
        K, H = n.W_v.shape
        m = {"y_hat": _mat(r"\hat y_t", K, 1), "y": _mat("y_t", K, 1),
             "W_v": _mat("W_v", K, H), "h": _mat("h_t", H, 1)}
        meaning = {m["y_hat"]: n.y_hat, m["y"]: n.y, m["W_v"]: n.W_v, m["h"]: n.h}
        return [(lhs, formula(m), meaning, getattr(n, hand))]
    return display


def _da(g: str, t: str = "") -> str:
    return rf"\frac{{\partial J}}{{\partial a_{{{g}{',' + t if t else ''}}}}}"


def _split_display(lhs: str, node: str, columns: slice | None, cut=()):
    """dJ/dZ_t (columns None), or its h_{t-1} / x_t part: Σ_g W_gᵀ dJ/da_g (H = D = 1)."""
    part = "" if columns is None else ",h" if columns.start == 0 else ",x"

    def display():
        n, d, J = single_step_001(H=1, D=1, cut=cut)
        width = 2 if columns is None else 1
        Ws = {g: _mat(f"W_{{{g}{part}}}", 1, width) for g in GATES}
        das = {g: _mat(_da(g), 1, 1) for g in GATES}
        formula = sum((Ws[g].T * das[g] for g in GATES[1:]), Ws["f"].T * das["f"])
        meaning = {**{Ws[g]: n.params[f"W_{g}"] if columns is None
                      else n.params[f"W_{g}"][:, columns] for g in GATES},
                   **{das[g]: d[f"a_{g}"] for g in GATES}}
        return [(lhs, formula, meaning, d[node])]
    return display


def _gate_param_display(kind: str):
    def display():
        n, d, J = single_step_001(H=1, D=1)
        Z = _mat("Z_t", 2, 1)
        items = []
        for g in GATES:
            da = _mat(_da(g), 1, 1)
            formula = da * Z.T if kind == "W" else da
            items.append((rf"\frac{{\partial J}}{{\partial {kind}_{g}}}", formula,
                          {da: d[f"a_{g}"], Z: n.Z}, d[f"{kind}_{g}"]))
        return items
    return display


def _clubbed_two_steps():
    (s1, s2), (d1, d2), J = two_steps_001(H=1, D=1, cut_first=("C",))
    dh1, o1, C1, dC2, f2 = _dJ("h_1"), _sym("o_1"), _sym("C_1"), _dJ("C_2"), _sym("f_2")
    return [(r"\frac{\partial J}{\partial C_1}", dh1 * o1 * (1 - sp.tanh(C1) ** 2) + dC2 * f2,
             {dh1: d1["h"][0], o1: s1.o[0], C1: s1.C[0], dC2: d2["C"][0], f2: s2.f[0]},
             d1["C"][0])]


def _h_two_steps():
    (s1, s2), (d1, d2), J = two_steps_001(H=1, D=1, cut_first=("h",))
    delta = _sym(r"\delta h_1")
    Ws = {g: _sym(f"W_{{{g},h}}") for g in GATES}
    das = {g: _sym(_da(g, "2")) for g in GATES}
    meaning = {delta: sp.Symbol(r"\delta h_1", real=True),
               **{Ws[g]: s1.params[f"W_{g}"][0, 0] for g in GATES},
               **{das[g]: d2[f"a_{g}"][0] for g in GATES}}
    return [(r"\frac{\partial J}{\partial h_1}", delta + sum(Ws[g] * das[g] for g in GATES),
             meaning, d1["h"][0])]


def _bptt_sum():
    (s1, s2), (d1, d2), J = two_steps_001(H=1, D=1)
    da = {t: _mat(_da("f", str(t)), 1, 1) for t in (1, 2)}
    Z = {t: _mat(f"Z_{t}", 2, 1) for t in (1, 2)}
    meaning = {da[1]: d1["a_f"], da[2]: d2["a_f"], Z[1]: s1.Z, Z[2]: s2.Z}
    return [(r"\frac{\partial J}{\partial W_f}", da[1] * Z[1].T + da[2] * Z[2].T, meaning,
             d1["W_f"] + d2["W_f"]),
            (r"\frac{\partial J}{\partial b_f}", da[1] + da[2], meaning, d1["b_f"] + d2["b_f"])]


def _seo_nodes(n, steps=(1, 2)) -> dict:
    names = {}
    for k in steps:
        for letter, values in (("F", n.F), ("I", n.I), ("A", n.A), ("O", n.O), ("S", n.S),
                               ("Out", n.Out), ("X", n.X), ("Y", n.Y)):
            names[_sym(f"{letter}({k})")] = values[k]
    return names


def _seo_ts2():
    n = seo000.seo_two_timestamps(hold_ts1=True)
    eq = seo000.seo_ts2_equations(n)
    S = lambda name: _sym(name)                         # noqa: E731
    e2, t2 = S("Out(2)") - S("Y(2)"), sp.tanh(S("S(2)"))
    return [(r"\frac{\partial E}{\partial Wo}\Big|_{TS=2}",
             e2 * t2 * S("O(2)") * (1 - S("O(2)")) * S("X(2)"), _seo_nodes(n), eq["Wo"]),
            (r"\frac{\partial E}{\partial Wa}\Big|_{TS=2}",
             e2 * S("O(2)") * (1 - t2 ** 2) * S("I(2)") * (1 - S("A(2)") ** 2) * S("X(2)"),
             _seo_nodes(n), eq["Wa"])]


def _seo_ts1(weight: str, equation: str):
    """Seo's two timestamps with the TS=1 symbols (e_1, e_2, dOut(2)/dOut(1), the TS=2 equation
    of ``weight``): (namespace, the symbols, their meaning, the proved hand for ``weight``)."""
    n = seo000.seo_two_timestamps()
    eq, e1, e2 = _sym(rf"\text{{eq. {equation}}}"), _sym("e_1"), _sym("e_2")
    dout = _sym(r"\frac{\partial Out(2)}{\partial Out(1)}")
    meaning = {**_seo_nodes(n), eq: seo000.seo_ts2_equations(n)[weight],
               e1: n.Out[1] - n.Y[1], e2: n.Out[2] - n.Y[2], dout: seo000.seo_dout2_dout1(n)}
    hand = seo000.seo_ts2_equations(n)[weight] + seo000.seo_ts1_parts(n)[weight]
    return (eq, e1, e2, dout), meaning, hand


def _seo_wo_ts1():
    (eq1, e1, e2, dout), meaning, hand = _seo_ts1("Wo", "1")
    S = _sym
    formula = eq1 + (e1 + e2 * dout) * sp.tanh(S("S(1)")) * S("O(1)") * (1 - S("O(1)")) * S("X(1)")
    return [(r"\frac{\partial E}{\partial Wo}", formula, meaning, hand)]


def _seo_all():
    (eq3, e1, e2, dout), meaning, hand = _seo_ts1("Wa", "3")
    S = _sym
    delta_S1 = ((e1 + e2 * dout) * S("O(1)") * (1 - sp.tanh(S("S(1)")) ** 2)
                + e2 * S("O(2)") * (1 - sp.tanh(S("S(2)")) ** 2) * S("F(2)"))
    formula = eq3 + delta_S1 * S("I(1)") * (1 - S("A(1)") ** 2) * S("X(1)")
    return [(r"\frac{\partial E}{\partial Wa}", formula, meaning, hand)]


def _gomez():
    cut = gomez002.gomez_two_steps(cut="state_0")
    lines = gomez002.gomez_lines(cut)
    S = _sym
    meaning = {S(r"\delta out_0"): lines["delta_out_0"], S(r"\delta state_1"): lines["delta_state_1"],
               S("o_0"): cut.o[0], S("state_0"): cut.state[0], S("f_1"): cut.f[1]}
    first = (r"\delta state_0", S(r"\delta out_0") * S("o_0") * (1 - sp.tanh(S("state_0")) ** 2)
             + S(r"\delta state_1") * S("f_1"), meaning, lines["delta_state_0"])
    n = gomez002.gomez_two_steps()
    lines = gomez002.gomez_lines(n)
    second = (r"\delta a_0", S(r"\delta state_0") * S("i_0") * (1 - S("a_0") ** 2),
              {S(r"\delta state_0"): lines["delta_state_0"], S("i_0"): n.i[0], S("a_0"): n.a[0]},
              lines["delta_a_0"])
    return [first, second]


def _s003_nodes(n) -> dict:
    S = _sym
    return {S("f_t"): n.f, S("i_t"): n.i, S(r"\tilde c_t"): n.c_tilde, S("o_t"): n.o,
            S("c_t"): n.c, S("c_{t-1}"): n.c_prev, S("h_t"): n.h, S("h_{t-1}"): n.h_prev,
            S("x_t"): n.x, S("y_t"): n.y, **{S(k): v for k, v in n.w.items()}}


def _s003_chain():
    n = scalar003.scalar003_step()
    chain = scalar003.scalar003_chain(n)
    S = _sym
    err = S("h_t") - S("y_t")
    return [(r"\frac{\partial E}{\partial w_o}",
             err * sp.tanh(S("c_t")) * S("o_t") * (1 - S("o_t")) * S("x_t"), _s003_nodes(n),
             chain["w_o"]),
            (r"\frac{\partial E}{\partial u_f}",
             err * S("o_t") * (1 - sp.tanh(S("c_t")) ** 2) * S("c_{t-1}") * S("f_t")
             * (1 - S("f_t")) * S("h_{t-1}"), _s003_nodes(n), chain["u_f"])]


def _s003_over_time():
    n = scalar003.scalar003_over_time(3)
    record = {}
    grads = scalar003.scalar003_bptt(n, record)
    S = _sym
    formula, meaning = 0, {}
    for t in (1, 2, 3):
        dc, f, c_prev, x = (S(rf"\frac{{\partial E}}{{\partial c_{t}}}"), S(f"f_{t}"),
                            S(f"c_{t - 1}"), S(f"x_{t}"))
        formula += dc * c_prev * f * (1 - f) * x
        meaning.update({dc: record[("dc", t)], f: n.f[t], c_prev: n.c[t - 1], x: n.x[t]})
    return [(r"\frac{\partial E}{\partial w_f}", formula, meaning, grads["w_f"])]


def _s003_dc():
    n = scalar003.scalar003_step(hold_h_prev=False)
    S = _sym
    meaning = {**_s003_nodes(n), S("o_{t-1}"): n.o_prev}
    formula = S("f_t") + (S("c_{t-1}") * S("f_t") * (1 - S("f_t")) * S("u_f")
                          + S(r"\tilde c_t") * S("i_t") * (1 - S("i_t")) * S("u_i")
                          + S("i_t") * (1 - S(r"\tilde c_t") ** 2) * S("u_c")) * S("o_{t-1}") * (
        1 - sp.tanh(S("c_{t-1}")) ** 2)
    return [(r"\frac{\mathrm{d} c_t}{\mathrm{d} c_{t-1}}", formula, meaning,
             scalar003.scalar003_dc_dcprev(n))]


def _local_entry(name, articles, node, cut, lhs, formula, meaning=_none, wrt=None):
    return Entry(name, articles, _local(node, cut=cut, wrt=wrt),
                 _shown_001(node, cut, formula, meaning, lhs))


_dC, _dh = _dJ("C_t"), _dJ("h_t")

CATALOGUE: tuple[Entry, ...] = (
    Entry("sigma' and tanh' on activated outputs",
          "004 (derivative helpers); 001 (derivation prerequisites)", _activation_rules, _rules),
    Entry("dJ/dV_t", "001 eq. 8 backward; 004 error of the final gate",
          _readout("dV", "V", cut_V=True),
          _readout_display(r"\frac{\partial J}{\partial V_t}", "dV",
                           lambda m: m["y_hat"] - m["y"], cut_V=True)),
    Entry("dJ/dW_v", "001 (softmax layer weights); 004 error of the final gate weights",
          _readout("dW_v", "W_v"),
          _readout_display(r"\frac{\partial J}{\partial W_v}", "dW_v",
                           lambda m: (m["y_hat"] - m["y"]) * m["h"].T)),
    Entry("dJ/db_v", "001 (softmax layer bias); 004 error of the final gate biases",
          _readout("db_v", "b_v"),
          _readout_display(r"\frac{\partial J}{\partial b_v}", "db_v",
                           lambda m: m["y_hat"] - m["y"])),
    Entry("dJ/dh_t from the readout", "001 hidden state; 004 error of the hidden state",
          _readout("dh", "h"),
          _readout_display(r"\frac{\partial J}{\partial h_t}", "dh",
                           lambda m: m["W_v"].T * (m["y_hat"] - m["y"]))),
    _local_entry("dJ/do_t", "001 output gate; 004 error of the output gate", "o", ("o",),
                 r"\frac{\partial J}{\partial o_t}", lambda: _dh * sp.tanh(_C)),
    _local_entry("dJ/da_o", "001 output gate", "a_o", ("a_o",),
                 r"\frac{\partial J}{\partial a_o}", lambda: _dJ("o_t") * _O * (1 - _O),
                 wrt=lambda n: n.a["o"]),
    _local_entry("dJ/dC_t (clubbed)",
                 "001 cell state; 004 error of the cell state (one step: δC_t is what reaches "
                 "C_t from step t+1, dJ/dC_{t+1} f_{t+1}; proved over two steps below)",
                 "C", ("C",), r"\frac{\partial J}{\partial C_t}",
                 lambda: _dh * _O * (1 - sp.tanh(_C) ** 2) + _DCN),
    _local_entry("dJ/dc~_t", "001 cell state (candidate)", "c_tilde", ("c_tilde",),
                 r"\frac{\partial J}{\partial \tilde c_t}", lambda: _dC * _I),
    _local_entry("dJ/da_c", "001 cell state (candidate)", "a_c", ("a_c",),
                 r"\frac{\partial J}{\partial a_c}",
                 lambda: _dJ(r"\tilde c_t") * (1 - _CT ** 2), wrt=lambda n: n.a["c"]),
    _local_entry("dJ/di_t", "001 input gate", "i", ("i",), r"\frac{\partial J}{\partial i_t}",
                 lambda: _dC * _CT),
    _local_entry("dJ/da_i", "001 input gate", "a_i", ("a_i",), r"\frac{\partial J}{\partial a_i}",
                 lambda: _dJ("i_t") * _I * (1 - _I), wrt=lambda n: n.a["i"]),
    _local_entry("dJ/df_t", "001 forget gate", "f", ("f",), r"\frac{\partial J}{\partial f_t}",
                 lambda: _dC * _CP),
    _local_entry("dJ/da_f", "001 forget gate (the text's df_t/da_t means da_f)", "a_f",
                 ("a_f",), r"\frac{\partial J}{\partial a_f}",
                 lambda: _dJ("f_t") * _F * (1 - _F), wrt=lambda n: n.a["f"]),
    _local_entry("dJ/dC_{t-1}", "001 cell state (one step back)", "C_prev", (),
                 r"\frac{\partial J}{\partial C_{t-1}}", lambda: _dC * _F),
    Entry("dJ/dZ_t", "001 input to the LSTM (four paths)", _local("Z", cut=("Z",)),
          _split_display(r"\frac{\partial J}{\partial Z_t}", "Z", None, cut=("Z",))),
    Entry("dJ/dh_{t-1}", "001 input to the LSTM (Z_t split, hidden part)", _local("h_prev"),
          _split_display(r"\frac{\partial J}{\partial h_{t-1}}", "h_prev", slice(0, 1))),
    Entry("dJ/dx_t", "001 input to the LSTM (Z_t split, input part)", _local("x"),
          _split_display(r"\frac{\partial J}{\partial x_t}", "x", slice(1, 2))),
    Entry("dJ/dW_g", "001 weights and biases; 004 backward", _gate_param("W"),
          _gate_param_display("W")),
    Entry("dJ/db_g", "001 weights and biases; 004 backward", _gate_param("b"),
          _gate_param_display("b")),
    Entry("dJ/dC_t clubbed over two steps", "001 cell state (the clubbed gradient), BPTT",
          _two_step("C", cut_first=("C",)), _clubbed_two_steps),
    Entry("dJ/dh_t over two steps", "001 hidden state (+ what flows back from step t+1)",
          _two_step("h", cut_first=("h",)), _h_two_steps),
    Entry("BPTT: weights summed over time", "001 figure 10 (sum of per-step gradients)",
          _two_step("", every_gate=True), _bptt_sum),
    Entry("readable backward, one step (H=2, D=2)",
          "lstm_course.core.lstm on SymPy arrays: article 001's step, as the code reads",
          _package(T=1, B=1, H=2, D=2),
          statement=r"\texttt{core.lstm.backward} = \nabla L,\ L = R_h\cdot h + R_c\cdot C_T"),
    Entry("readable backward, three steps (H=1, D=1)",
          "lstm_course.core.lstm on SymPy arrays: BPTT as the code reads",
          _package(T=3, B=1, H=1, D=1),
          statement=r"\texttt{core.lstm.backward} = \nabla L,\ L = \sum_t R_{h,t} h_t + R_c C_3"),
    Entry("readable backward, batch of two (T=2, H=1, D=1)",
          "lstm_course.core.lstm on SymPy arrays: batched sequences",
          _package(T=2, B=2, H=1, D=1),
          statement=r"\texttt{core.lstm.backward} = \nabla L,\ L = \sum_{t,b} R_{h,t,b} h_{t,b}"
                    r" + R_c\cdot C_2"),
    Entry("training kernel backward, one step (H=2, D=2)",
          "lstm_course.hamlet.kernel on SymPy arrays: 001 and 004 as training runs them",
          _package(T=1, B=1, H=2, D=2, fast=True),
          statement=r"\texttt{kernel.backward} = \nabla L,\ L = R_h\cdot h + R_c\cdot C_T"),
    Entry("training kernel backward, three steps (H=1, D=1)",
          "lstm_course.hamlet.kernel on SymPy arrays: BPTT as training runs it, in chunks of 2 "
          "steps", _package(T=3, B=1, H=1, D=1, fast=True, chunk=2),
          statement=r"\texttt{kernel.backward} = \nabla L,\ L = \sum_t R_{h,t} h_t + R_c C_3"),
    Entry("training kernel backward, batch of two (T=2, H=1, D=1)",
          "lstm_course.hamlet.kernel on SymPy arrays: batched sequences",
          _package(T=2, B=2, H=1, D=1, fast=True),
          statement=r"\texttt{kernel.backward} = \nabla L,\ L = \sum_{t,b} R_{h,t,b} h_{t,b}"
                    r" + R_c\cdot C_2"),
    Entry("stacked layers backward, two layers (T=2, H=1, D=1)",
          "lstm_course.hamlet.model on SymPy arrays: the character model's two stacked layers, "
          "dropout masks as free symbols (beyond the articles)",
          _stacked(T=2, B=1, H=1, D=1),
          statement=r"\mathtt{model.stack\_backward} = \nabla L,\ L = \sum_t R_{h,t} "
                    r"h^{(2)}_t,\ x^{(2)}_t = m_t \odot h^{(1)}_t"),
    Entry("000 TS=2 equations 1-8",
          "000 'backpropagation at timestamp 2', equations 1-8 (Wo, Wreco, Wa, Wreca, Wi, Wreci, "
          "Wf, Wrecf); the equations shown are the course's reconstructions (R)",
          seo000.proof_ts2, _seo_ts2),
    Entry("000 TS=1 chain for Wo",
          "000 'backpropagation at timestamp 1 for Wo' (the five equations, combined here into "
          "one; blue and green boxes); reconstruction (R)", seo000.proof_wo_ts1, _seo_wo_ts1),
    Entry("000 all eight weights over two timestamps",
          "000 (completed: the S(1) -> S(2) path the article leaves out, shown for Wa)",
          seo000.proof_all_weights, _seo_all),
    Entry("002 Gomez's backward lines in his symbols",
          "002 (Gomez's example): delta_state_t, delta_a/i/f/o_t, Delta_out_{t-1} = U^T "
          "delta_gates_t, delta_x_t = W^T delta_gates_t, over his two steps",
          gomez002.proof_lines, _gomez),
    Entry("004 backward in its code's names",
          "004 (its computational graphs, as its code writes them: d_hs, d_o, d_cs, d_f, d_i, "
          "d_c, d_z, dh_next, dc_next; errors = label - softmax, minus the gradient)",
          zoo004.proof_backward,
          statement=r"\mathtt{d\_cs} = \tanh'(\tanh cs_t)\, o_t\, \mathtt{d\_hs} + "
                    r"\mathtt{dc\_next},\ \mathtt{d\_w} = -\frac{\partial J}{\partial w}"),
    Entry("003 chain rule for every weight",
          "003 (the derivative of each of w_f, u_f, w_i, u_i, w_c, u_c, w_o, u_o); the equations "
          "shown are the course's reconstructions (R)", scalar003.proof_weights, _s003_chain),
    Entry("003 chain rule over three timesteps",
          "003 (its chain rule carried over time, in its symbols: the claim about time)",
          lambda: scalar003.proof_over_time(3), _s003_over_time),
    Entry("003 full dc_t/dc_{t-1}",
          "003 (vanishing/exploding: the naive f_t misses the recurrent terms)",
          scalar003.proof_dc_dcprev, _s003_dc),
)


def find(name: str) -> Entry:
    """The catalogue entry with this exact name (see ``[e.name for e in CATALOGUE]``)."""
    for entry in CATALOGUE:
        if entry.name == name:
            return entry
    raise KeyError(f"no catalogue entry named {name!r}; names: {[e.name for e in CATALOGUE]}")


@dataclass(frozen=True)
class Result:
    name: str
    articles: str
    proved: bool
    seconds: float


def verify_entry(entry: Entry | str) -> Result:
    """Build and prove one catalogue entry (by Entry or by name)."""
    if isinstance(entry, str):
        entry = find(entry)
    start = time.perf_counter()
    proved = (all(verify_gradient(hand, loss, wrt) for hand, loss, wrt in entry.build())
              and entry.display_agrees())
    return Result(entry.name, entry.articles, proved, time.perf_counter() - start)


def verify_catalogue(names=None) -> list[Result]:
    """Prove every catalogue entry (or those named), plus the sigmoid rule itself first."""
    start = time.perf_counter()
    rule = prove_sigmoid_rule()
    results = [Result("sigmoid rule: d/dz 1/(1+e^-z) = s(1-s)", "004, 001", rule,
                      time.perf_counter() - start)]
    for entry in CATALOGUE:
        if names is None or entry.name in names:
            results.append(verify_entry(entry))
    return results


def catalogue_table(results: list[Result], with_seconds: bool = True) -> str:
    """A plain-text table: gradient, articles, proved yes/no (and seconds, unless told not to:
    timings differ from run to run, so notebooks checked by nbval leave them out)."""
    w_name = max(len(r.name) for r in results)
    w_art = max(len(r.articles) for r in results)
    head, rule = f"{'gradient':<{w_name}}  {'articles':<{w_art}}  proved", f"{'-' * w_name}  {'-' * w_art}  ------"
    lines = [head + ("  seconds" if with_seconds else ""), rule + ("  -------" if with_seconds else "")]
    for r in results:
        row = f"{r.name:<{w_name}}  {r.articles:<{w_art}}  {'yes' if r.proved else 'NO':<6}"
        lines.append(row + (f"  {r.seconds:7.3f}" if with_seconds else ""))
    return "\n".join(line.rstrip() for line in lines)
