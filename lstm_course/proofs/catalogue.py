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
from .cell import readout_001, single_step_001, symbolic_lstm, two_steps_001
from .verify import prove_sigmoid_rule, verify_gradient

__all__ = ["Entry", "CATALOGUE", "Result", "find", "verify_entry", "verify_catalogue",
           "catalogue_table"]


@dataclass(frozen=True)
class Entry:
    """One hand-derived gradient: what it is, where it comes from, and how to prove it.

    build() returns a list of (hand, loss, wrt) triples; the entry is proved when
    verify_gradient holds for every triple.
    """

    name: str
    articles: str
    latex: str
    build: Callable[[], list]


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
    Entry("readable backward, one step (H=2, D=2)",
          "lstm_course.core.lstm on SymPy arrays: article 001's step, as the code reads",
          r"\texttt{core.lstm.backward} = \nabla L,\ L = R_h\cdot h + R_c\cdot C_T",
          _package(T=1, B=1, H=2, D=2)),
    Entry("readable backward, three steps (H=1, D=1)",
          "lstm_course.core.lstm on SymPy arrays: BPTT as the code reads",
          r"\texttt{core.lstm.backward} = \nabla L,\ L = \sum_t R_{h,t} h_t + R_c C_3",
          _package(T=3, B=1, H=1, D=1)),
    Entry("readable backward, batch of two (T=2, H=1, D=1)",
          "lstm_course.core.lstm on SymPy arrays: batched sequences",
          r"\texttt{core.lstm.backward} = \nabla L,\ L = \sum_{t,b} R_{h,t,b} h_{t,b} + R_c\cdot C_2",
          _package(T=2, B=2, H=1, D=1)),
    Entry("training kernel backward, one step (H=2, D=2)",
          "lstm_course.hamlet.kernel on SymPy arrays: 001 and 004 as training runs them",
          r"\texttt{kernel.backward} = \nabla L,\ L = R_h\cdot h + R_c\cdot C_T",
          _package(T=1, B=1, H=2, D=2, fast=True)),
    Entry("training kernel backward, three steps (H=1, D=1)",
          "lstm_course.hamlet.kernel on SymPy arrays: BPTT as training runs it, in chunks of 2 steps",
          r"\texttt{kernel.backward} = \nabla L,\ L = \sum_t R_{h,t} h_t + R_c C_3",
          _package(T=3, B=1, H=1, D=1, fast=True, chunk=2)),
    Entry("training kernel backward, batch of two (T=2, H=1, D=1)",
          "lstm_course.hamlet.kernel on SymPy arrays: batched sequences",
          r"\texttt{kernel.backward} = \nabla L,\ L = \sum_{t,b} R_{h,t,b} h_{t,b} + R_c\cdot C_2",
          _package(T=2, B=2, H=1, D=1, fast=True)),
    Entry("000 TS=2 equations 1-8",
          "000 'backpropagation at timestamp 2', equations 1-8 (Wo, Wreco, Wa, Wreca, Wi, Wreci, "
          "Wf, Wrecf)",
          r"\frac{\partial E}{\partial W_o}\Big|_{TS=2} = (Out_2 - Y_2)\tanh(S_2)\,O_2(1-O_2)\,"
          r"X_2,\ \dots", seo000.proof_ts2),
    Entry("000 TS=1 chain for Wo",
          "000 'backpropagation at timestamp 1 for Wo' (the five equations; blue and green boxes)",
          r"\frac{\partial E}{\partial W_o} = \text{eq. 1} + \Big[e_1 + e_2\,"
          r"\frac{\partial Out_2}{\partial Out_1}\Big]\tanh(S_1)\,O_1(1-O_1)\,X_1", seo000.proof_wo_ts1),
    Entry("000 all eight weights over two timestamps",
          "000 (completed: the S(1) -> S(2) path the article leaves out)",
          r"\delta S_1 = \delta Out_1\,O_1(1-\tanh^2 S_1) + e_2\,O_2(1-\tanh^2 S_2)\,F_2",
          seo000.proof_all_weights),
    Entry("002 Gomez's backward lines in his symbols",
          "002 (Gomez's example): delta_state_t, delta_a/i/f/o_t, Delta_out_{t-1} = U^T "
          "delta_gates_t, delta_x_t = W^T delta_gates_t, over his two steps",
          r"\delta state_t = \delta out_t\, o_t (1-\tanh^2 state_t) + \delta state_{t+1} "
          r"f_{t+1},\ \delta a_t = \delta state_t\, i_t (1-a_t^2),\ \dots",
          gomez002.proof_lines),
    Entry("004 backward in its code's names",
          "004 (its computational graphs, as its code writes them: d_hs, d_o, d_cs, d_f, d_i, "
          "d_c, d_z, dh_next, dc_next; errors = label - softmax, minus the gradient)",
          r"\mathtt{d\_cs} = \tanh'(\tanh cs_t)\, o_t\, \mathtt{d\_hs} + \mathtt{dc\_next},"
          r"\ \mathtt{d\_w} = -\frac{\partial J}{\partial w}",
          zoo004.proof_backward),
    Entry("003 chain rule for every weight",
          "003 (the derivative of each of w_f, u_f, w_i, u_i, w_c, u_c, w_o, u_o)",
          r"\frac{\partial E}{\partial w_o} = (h_t - y_t)\tanh(c_t)\,o_t(1-o_t)\,x_t,\ \dots",
          scalar003.proof_weights),
    Entry("003 chain rule over three timesteps",
          "003 (its chain rule carried over time, in its symbols: the claim about time)",
          r"\frac{\partial E}{\partial w_g} = \sum_t \delta_{g,t}\,x_t,\ "
          r"\frac{\partial E}{\partial c_t} = \frac{\partial E}{\partial h_t} o_t (1-\tanh^2 c_t)"
          r" + \frac{\partial E}{\partial c_{t+1}} f_{t+1}",
          lambda: scalar003.proof_over_time(3)),
    Entry("003 full dc_t/dc_{t-1}",
          "003 (vanishing/exploding: the naive f_t misses the recurrent terms)",
          r"\frac{\partial c_t}{\partial c_{t-1}} = f_t + \big[c_{t-1}f_t(1-f_t)u_f + "
          r"\tilde c_t i_t(1-i_t)u_i + i_t(1-\tilde c_t^2)u_c\big]\,o_{t-1}(1-\tanh^2 c_{t-1})",
          scalar003.proof_dc_dcprev),
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
    proved = all(verify_gradient(hand, loss, wrt) for hand, loss, wrt in entry.build())
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
