r"""Article 001's cell in SymPy, and the package's LSTMs run on symbols.

* :func:`cell_step` / :func:`chain_001`: one step of article 001's cell as SymPy matrices, any
  node of which can be cut into a free symbol so that a local derivative dJ/d(node) can be
  taken with sympy.diff; and article 001's backward, one local derivative per line.  The
  catalogue's local entries (dJ/do_t, dJ/da_o, ...) prove each line in isolation.
* :func:`symbolic_lstm`: the readable LSTM (lstm_course.core.lstm) or the training kernel
  (lstm_course.hamlet.kernel) run forward and backward on numpy object arrays of symbols:
  what the catalogue's "readable backward" and "training kernel backward" entries
  prove, so the code itself is proved.
* :func:`symbolic_stack`: the character model's stacked layers (lstm_course.hamlet.model's
  stack_forward and stack_backward, the kernel once per layer) on symbols, dropout masks
  included: what the catalogue's "stacked layers backward" entry proves.

Symbols follow article 001: Z_t = [h_{t-1}; x_t], a_g = W_g Z_t + b_g, f_t, i_t, c~_t,
o_t, C_t, h_t, V_t = W_v h_t + b_v, J.  Local derivatives are proved with the loss
J = δh_tᵀ h_t + δC_tᵀ C_t, where δh_t and δC_t are free symbols standing for whatever
arrives from the readout and from step t+1: that makes each proof hold for any loss.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from ..core import lstm
from ..core.params import GATES, layer_key
from ..core.symbolic import Sigmoid, hadamard, matrix, sigmoid_of, symbol_array, tanh_of, vector
from ..hamlet import kernel, model

__all__ = ["cell_001_params", "cell_step", "chain_001", "single_step_001", "unroll_001",
           "two_steps_001", "readout_001", "SYMPY_OPS", "symbolic_lstm", "symbolic_stack"]


# ------------------------------------------------------------------ article 001's cell in SymPy

def _one_minus_square(m: sp.Matrix) -> sp.Matrix:
    return m.applyfunc(lambda e: 1 - e ** 2)


def _sig_prime(m: sp.Matrix) -> sp.Matrix:
    return m.applyfunc(lambda e: e * (1 - e))


def cell_001_params(H: int, D: int) -> dict:
    """Symbolic W_f, W_i, W_c, W_o (H, H + D) and b_f, b_i, b_c, b_o (H, 1)."""
    params = {f"W_{g}": matrix(f"W_{g}", H, H + D) for g in GATES}
    params.update({f"b_{g}": vector(f"b_{g}", H) for g in GATES})
    return params


def cell_step(params: dict, h_prev: sp.Matrix, x: sp.Matrix, C_prev: sp.Matrix,
              cut=(), label: str = "t") -> SimpleNamespace:
    """One step of article 001's cell (equations 1-6), every node a SymPy Matrix.

    cut: node names among Z, a_f, a_i, a_c, a_o, f, i, c_tilde, o, C, h that become free
    symbols instead of being computed, so that a local derivative d J / d node can be
    taken with sympy.diff.  Returns a namespace with every node.
    """
    H = h_prev.shape[0]
    n = SimpleNamespace(params=params, h_prev=h_prev, x=x, C_prev=C_prev, a={})
    n.Z = vector(f"Z_{label}", H + x.shape[0]) if "Z" in cut else h_prev.col_join(x)
    for g in GATES:
        n.a[g] = (vector(f"a_{{{g},{label}}}", H) if f"a_{g}" in cut
                  else params[f"W_{g}"] * n.Z + params[f"b_{g}"])
    n.f = vector(f"f_{label}", H) if "f" in cut else n.a["f"].applyfunc(Sigmoid)
    n.i = vector(f"i_{label}", H) if "i" in cut else n.a["i"].applyfunc(Sigmoid)
    n.c_tilde = (vector(rf"\tilde{{c}}_{label}", H) if "c_tilde" in cut
                 else n.a["c"].applyfunc(sp.tanh))
    n.o = vector(f"o_{label}", H) if "o" in cut else n.a["o"].applyfunc(Sigmoid)
    n.C = (vector(f"C_{label}", H) if "C" in cut
           else hadamard(n.f, C_prev) + hadamard(n.i, n.c_tilde))
    n.tanh_C = n.C.applyfunc(sp.tanh)
    n.h = vector(f"h_{label}", H) if "h" in cut else hadamard(n.o, n.tanh_C)
    return n


def chain_001(n: SimpleNamespace, dJ_dh: sp.Matrix, dJ_dC_next: sp.Matrix) -> dict:
    """Article 001's backward through one step, one local derivative per line.

    dJ_dh      : total dJ/dh_t (readout plus what step t+1 sends back through Z_{t+1})
    dJ_dC_next : what reaches C_t from step t+1, dJ/dC_{t+1} ∘ f_{t+1} (zero at the end)
    Returns a dict of Matrices keyed by node: "o", "a_o", "C", "c_tilde", "a_c", "i", "a_i",
    "f", "a_f", "C_prev", "Z", "h_prev", "x", "W_g", "b_g" for g in f, i, c, o.
    """
    H = n.h_prev.shape[0]
    d = {"h": dJ_dh}
    d["o"] = hadamard(dJ_dh, n.tanh_C)
    d["C"] = hadamard(dJ_dh, n.o, _one_minus_square(n.tanh_C)) + dJ_dC_next  # clubbed
    d["c_tilde"] = hadamard(d["C"], n.i)
    d["i"] = hadamard(d["C"], n.c_tilde)
    d["f"] = hadamard(d["C"], n.C_prev)
    d["C_prev"] = hadamard(d["C"], n.f)
    d["a_o"] = hadamard(d["o"], _sig_prime(n.o))
    d["a_c"] = hadamard(d["c_tilde"], _one_minus_square(n.c_tilde))
    d["a_i"] = hadamard(d["i"], _sig_prime(n.i))
    d["a_f"] = hadamard(d["f"], _sig_prime(n.f))
    d["Z"] = sum((n.params[f"W_{g}"].T * d[f"a_{g}"] for g in GATES),
                 sp.zeros(n.Z.shape[0], 1))
    d["h_prev"], d["x"] = d["Z"][:H, :], d["Z"][H:, :]
    for g in GATES:
        d[f"W_{g}"] = d[f"a_{g}"] * n.Z.T
        d[f"b_{g}"] = d[f"a_{g}"]
    return d


def single_step_001(H: int = 2, D: int = 1, cut=()) -> tuple[SimpleNamespace, dict, sp.Expr]:
    """A single step with the adjoint loss J = δh_tᵀ h_t + δC_tᵀ C_t.

    Returns (nodes, hand gradients from chain_001, J).
    """
    params = cell_001_params(H, D)
    n = cell_step(params, vector("h_{t-1}", H), vector("x_t", D), vector("C_{t-1}", H), cut)
    dh, dC = vector(r"\delta h_t", H), vector(r"\delta C_t", H)
    J = (dh.T * n.h)[0] + (dC.T * n.C)[0]
    return n, chain_001(n, dh, dC), J


def unroll_001(T: int, H: int = 1, D: int = 1, cut_first=()) -> tuple[list, list, sp.Expr]:
    """T unrolled steps sharing weights, J = Σ_t δh_tᵀ h_t (δh_t free symbols).

    Returns (steps, hands, J); the hand gradients are chained the way article 001 does
    BPTT: the last step first, then each earlier step t receives dJ/dh_t from the readout
    plus step t+1's dJ/dh_{t-1}, and the clubbed dJ/dC_{t+1} ∘ f_{t+1}.  cut_first makes
    nodes of step 1 free symbols (see cell_step).
    """
    params = cell_001_params(H, D)
    steps = []
    h, C = vector("h_0", H), vector("C_0", H)
    for t in range(1, T + 1):
        step = cell_step(params, h, vector(f"x_{t}", D), C, cut_first if t == 1 else (), str(t))
        steps.append(step)
        h, C = step.h, step.C
    dhs = [vector(rf"\delta h_{t}", H) for t in range(1, T + 1)]
    J = sum(((dh.T * s.h)[0] for dh, s in zip(dhs, steps)), sp.Integer(0))
    hands = [None] * T
    dh_back, dC_back = sp.zeros(H, 1), sp.zeros(H, 1)
    for t in range(T - 1, -1, -1):
        hands[t] = chain_001(steps[t], dhs[t] + dh_back, dC_back)
        dh_back, dC_back = hands[t]["h_prev"], hands[t]["C_prev"]
    return steps, hands, J


def two_steps_001(H: int = 1, D: int = 1, cut_first=()) -> tuple[list, list, sp.Expr]:
    """unroll_001 with T = 2: ([step1, step2], [hand1, hand2], J = δh_1ᵀ h_1 + δh_2ᵀ h_2)."""
    return unroll_001(2, H, D, cut_first)


def readout_001(H: int = 2, K: int = 3, target: int = 1, cut_V: bool = False):
    """Equations 7-8 of article 001: V_t = W_v h_t + b_v, ŷ = softmax(V_t), J = -log ŷ_target.

    J is written as -V_target + log Σ_k e^{V_k} (the same function).  Returns a namespace with
    h, W_v, b_v, V, y_hat, y (one-hot), J and the hand gradients dV, dh, dW_v, db_v.
    """
    n = SimpleNamespace(h=vector("h_t", H), W_v=matrix("W_v", K, H), b_v=vector("b_v", K))
    n.V = vector("V_t", K) if cut_V else n.W_v * n.h + n.b_v
    expV = n.V.applyfunc(sp.exp)
    n.y_hat = expV / sum(expV)
    n.y = sp.Matrix([1 if k == target else 0 for k in range(K)])
    n.J = -n.V[target] + sp.log(sum(expV))
    n.dV = n.y_hat - n.y
    n.dh = n.W_v.T * n.dV
    n.dW_v = n.dV * n.h.T
    n.db_v = n.dV
    return n


# -------------------------------------------------------------- the package's own backward

def _sympy_tanh_into(x, out):
    out[...] = tanh_of(x)


def _sympy_make_gates(H: int, dtype):
    def gates(a, out):  # a, out: (B, 4H) object arrays, blocks f, i, c~, o
        out[:, :2 * H] = sigmoid_of(a[:, :2 * H])
        out[:, 2 * H:3 * H] = tanh_of(a[:, 2 * H:3 * H])
        out[:, 3 * H:] = sigmoid_of(a[:, 3 * H:])
    return gates, None  # no scale: the SymPy gates take the pre-activations as they are


# the training kernel's nonlinearities, elementwise on object arrays of SymPy expressions
SYMPY_OPS = kernel.Elementwise(tanh_into=_sympy_tanh_into, make_gates=_sympy_make_gates)


def symbolic_lstm(T: int, B: int, H: int, D: int, *, fast: bool = False,
                  chunk: int | None = None):
    """Run an LSTM's forward and backward on object arrays of SymPy symbols.

    fast  : False runs the readable LSTM (lstm_course.core.lstm); True the training kernel
            (lstm_course.hamlet.kernel), with ``chunk`` passed to its backward (a chunk
            smaller than T proves the chunk boundaries too)
    The loss is L = Σ R_h * hs + Σ R_c * C_T with free symbols R (any upstream gradient).
    Returns (inputs, grads, L): inputs maps every parameter and "xs", "h0", "c0" to its
    object array of Symbols, grads is what the backward returned for them.
    """
    params = {f"W_{g}": symbol_array(f"W_{g}", (H, H + D)) for g in GATES}
    params.update({f"b_{g}": symbol_array(f"b_{g}", (H,)) for g in GATES})
    xs = symbol_array("x", (T, B, D))
    h0, c0 = symbol_array("h0", (B, H)), symbol_array("c0", (B, H))
    R_h, R_c = symbol_array("R_h", (T, B, H)), symbol_array("R_c", (B, H))
    if fast:
        hs, cs, cache = kernel.forward(params, xs, h0, c0, ops=SYMPY_OPS)
        grads = kernel.backward(params, cache, R_h, R_c, chunk=chunk)
    else:
        hs, cs, cache = lstm.forward(params, xs, h0, c0)
        grads = lstm.backward(params, cache, R_h, R_c)
    L = sp.Add(*(R_h * hs).reshape(-1)) + sp.Add(*(R_c * cs[-1]).reshape(-1))
    return {**params, "xs": xs, "h0": h0, "c0": c0}, grads, L


def symbolic_stack(T: int, B: int, H: int, D: int, layers: int = 2):
    """The stacked character model's layers forward and backward on SymPy symbols.

    Layer 1 reads x (T, B, D); layer k reads m_k ⊙ h^(k-1) with free mask symbols m_k (dropout
    is any such factor); every weight, bias, initial state and x is a symbol.  Runs
    lstm_course.hamlet.model.stack_forward (kernel.forward per layer, SymPy's nonlinearities)
    and stack_backward (kernel.backward per layer, the top first) with dJ/dh of the top layer
    R_h, the loss L = Σ R_h ⊙ h^(top).  Returns (inputs, grads, L) as :func:`symbolic_lstm`:
    inputs maps every parameter (its model key) and "xs" to its symbols.
    """
    params = {}
    for k in range(1, layers + 1):
        below = D if k == 1 else H
        for g in GATES:
            params[layer_key(k, f"W_{g}")] = symbol_array(f"W{k}_{g}", (H, H + below))
            params[layer_key(k, f"b_{g}")] = symbol_array(f"b{k}_{g}", (H,))
    xs = symbol_array("x", (T, B, D))
    h0s = [symbol_array(f"h0_{k}", (B, H)) for k in range(1, layers + 1)]
    c0s = [symbol_array(f"c0_{k}", (B, H)) for k in range(1, layers + 1)]
    masks = [symbol_array(f"m{k}", (T, B, H)) for k in range(2, layers + 1)]
    R_h = symbol_array("R_h", (T, B, H))
    hs, caches, _, _ = model.stack_forward(params, xs, h0s, c0s, masks, ops=SYMPY_OPS)
    grads = model.stack_backward(params, caches, masks, R_h)
    L = sp.Add(*(R_h * hs).reshape(-1))
    return {**params, "xs": xs}, grads, L
