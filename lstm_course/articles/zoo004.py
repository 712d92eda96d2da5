"""Article 004 ("Building a Neural Network Zoo From Scratch: The Long Short-Term Memory Network").

004 writes the cell as 001 does (Z_t = [h_{t-1}; x_t], hidden state first, so its weights wf,
wi, wc, wo are the course's W_f, W_i, W_c, W_o as they are) plus a "final gate"
y_t = W_y h_t + b_y with no activation, scored by softmax cross-entropy.  It derives the
backward with computational graphs and writes it in its code, whose names are used here:
forget_gates, input_gates, candidate_gates, output_gates, cell_states, hidden_states; the
errors d_hs, d_o, d_cs, d_f, d_i, d_c, d_z, dh_next, dc_next.

Two conventions of 004's own: its errors are e = onehot(label) - softmax(y_t), the *negative*
of dJ/dy_t (and its update adds them: w += d_w * learning_rate), and its derivative helpers
take already-activated values (sigmoid'(s) = s(1 - s), tanh'(t) = 1 - t^2), so the cell state
is passed through tanh before its derivative is taken.  :func:`zoo_backward` transcribes the
backward in those names; :func:`proof_backward` proves it is exactly -dJ/d(weight) for every
weight over the steps (before 004's elementwise clipping to [-1, 1]).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from ..core import lstm
from ..core.params import GATES
from ..core.symbolic import matrix, symbol_array, vector

__all__ = ["ZOO_NAMES", "zoo_forward", "zoo_backward", "proof_backward"]

# the course's gate -> 004's code names (weights w*, biases b*, the gate dictionaries)
ZOO_NAMES = {"f": ("wf", "bf", "forget_gates"), "i": ("wi", "bi", "input_gates"),
             "c": ("wc", "bc", "candidate_gates"), "o": ("wo", "bo", "output_gates")}


def zoo_forward(T: int = 2, hidden_size: int = 1, char_size: int = 2,
                labels=(1, 0)) -> SimpleNamespace:
    """004's forward over T steps on SymPy symbols, in its code's names.

    inputs[q] (char_size,) are free symbols (004 feeds one-hot vectors; symbols cover those);
    the cell runs through the course's readable LSTM (004's wf... are its W_f...), then
    outputs[q] = wy hidden_states[q] + by and J = Σ_q -log softmax(outputs[q])[labels[q]].
    """
    H, V = hidden_size, char_size
    w = {}
    for g, (wname, bname, _) in ZOO_NAMES.items():
        w[wname], w[bname] = symbol_array(wname, (H, H + V)), symbol_array(bname, (H,))
    w["wy"], w["by"] = matrix("wy", V, H), vector("by", V)
    params = {f"W_{g}": w[ZOO_NAMES[g][0]] for g in GATES}
    params.update({f"b_{g}": w[ZOO_NAMES[g][1]] for g in GATES})
    n = SimpleNamespace(w=w, T=T, H=H, labels=tuple(labels), inputs={}, concat_inputs={},
                        hidden_states={-1: np.zeros((1, H), dtype=object)},
                        cell_states={-1: np.zeros((1, H), dtype=object)},
                        outputs={}, **{name: {} for _, _, name in ZOO_NAMES.values()})
    J = sp.Integer(0)
    for q in range(T):
        n.inputs[q] = symbol_array(f"x{q}", (1, V))
        h, c, step = lstm.step_forward(params, n.inputs[q], n.hidden_states[q - 1],
                                       n.cell_states[q - 1])
        n.concat_inputs[q] = step.Z
        for g, (_, _, name) in ZOO_NAMES.items():
            getattr(n, name)[q] = {"f": step.f, "i": step.i, "c": step.c_tilde, "o": step.o}[g]
        n.hidden_states[q], n.cell_states[q] = h, c
        n.outputs[q] = w["wy"] * sp.Matrix(h.T.tolist()) + w["by"]      # the final gate
        J += -n.outputs[q][labels[q]] + sp.log(sum(sp.exp(v) for v in n.outputs[q]))
    n.J = J
    return n


def zoo_backward(n: SimpleNamespace, *, tanh_first: bool = True) -> dict:
    """004's backward, line by line in its code's names (row vectors: (1, H) each).

    tanh_first: 004's helper tanh'(t) = 1 - t² expects an activated value, so its cell-state
                line applies tanh to cell_states[q] first (the article points this out);
                False feeds the raw cell state, the pitfall it warns against.
    Returns {"d_wf", "d_bf", ..., "d_wy", "d_by"}: 004's accumulated errors, before clipping.
    """
    w, H = n.w, n.H
    sig_d = lambda s: s * (1 - s)                 # noqa: E731  004's sigmoid(·, derivative=True)
    tanh_d = lambda t: 1 - t ** 2                 # noqa: E731  004's tanh(·, derivative=True)
    d = {f"d_{k}": 0 for k in w}
    dh_next, dc_next = np.zeros((1, H), dtype=object), np.zeros((1, H), dtype=object)
    wy = np.array(w["wy"].tolist(), dtype=object)
    for q in reversed(range(n.T)):
        y = n.outputs[q]
        total = sum(sp.exp(v) for v in y)
        error = np.array([[(1 if k == n.labels[q] else 0) - sp.exp(v) / total
                           for k, v in enumerate(y)]], dtype=object)        # label - softmax
        hs, cs, cs_prev = n.hidden_states[q], n.cell_states[q], n.cell_states[q - 1]
        f, i, c, o = (n.forget_gates[q], n.input_gates[q], n.candidate_gates[q],
                      n.output_gates[q])
        d["d_wy"] = d["d_wy"] + error.T @ hs
        d["d_by"] = d["d_by"] + error.reshape(-1)
        d_hs = error @ wy + dh_next                                        # hidden state error
        tanh_cs = np.vectorize(sp.tanh, otypes=[object])(cs)
        d_o = tanh_cs * d_hs * sig_d(o)                                    # output gate error
        d_cs = tanh_d(tanh_cs if tanh_first else cs) * o * d_hs + dc_next  # cell state error
        d_f = d_cs * cs_prev * sig_d(f)                                    # forget gate error
        d_i = d_cs * c * sig_d(i)                                          # input gate error
        d_c = d_cs * i * tanh_d(c)                                         # candidate gate error
        z = n.concat_inputs[q]
        for wname, bname, err in (("wf", "bf", d_f), ("wi", "bi", d_i), ("wc", "bc", d_c),
                                  ("wo", "bo", d_o)):
            d[f"d_{wname}"] = d[f"d_{wname}"] + err.T @ z
            d[f"d_{bname}"] = d[f"d_{bname}"] + err.reshape(-1)
        d_z = d_f @ w["wf"] + d_i @ w["wi"] + d_c @ w["wc"] + d_o @ w["wo"]  # sum over gates
        dh_next, dc_next = d_z[:, :H], f * d_cs
    return d


def proof_backward() -> list:
    """(hand, J, weight): 004's errors are minus the gradient, for every weight, over two steps."""
    n = zoo_forward()
    d = zoo_backward(n)
    triples = []
    for name, value in n.w.items():
        hand = -np.asarray(d[f"d_{name}"], dtype=object).reshape(np.shape(value))
        triples.append((hand if not isinstance(value, sp.MatrixBase)
                        else sp.Matrix(hand.tolist()), n.J, value))
    return triples
