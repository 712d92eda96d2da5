"""Article 000 (Jae Duk Seo, "Only Numpy: Deriving Forward feed and Back Propagation in LSTM").

Seo's cell: scalar X(k), Out(k), S(k); per gate an input weight W* (H, D) on X(k) and a
recurrent weight Wrec* (H, H) on Out(k-1); no biases; the candidate is the "activation gate"
A(k).  So the course's W_g = [Wrec* | W*].  Below: the layout converters, then Seo's two
timestamps and his chains (equations 1-8 at TS=2, the TS=1 chain) run by the readable LSTM on
SymPy symbols, which lstm_course.proofs proves.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from ..core import lstm
from ..core.params import GATES, check_params
from .weights import as_matrix, check_one_dtype, zero_biases

__all__ = ["SEO_NAMES", "SEO_WEIGHTS", "from_seo", "to_seo", "seo_two_timestamps",
           "seo_ts2_equations", "seo_dout2_dout1", "seo_ts1_parts", "proof_ts2",
           "proof_wo_ts1", "proof_all_weights"]

SEO_NAMES = {"f": "f", "i": "i", "c": "a", "o": "o"}   # course gate -> Seo's letter


def from_seo(weights: dict) -> dict:
    """Seo's eight weights -> course params (zero biases).

    weights: {"Wf", "Wrecf", "Wi", "Wreci", "Wa", "Wreca", "Wo", "Wreco"}; W* (H, D) or a
    scalar, Wrec* (H, H) or a scalar: numpy arrays or numbers (SymPy ones for the proofs).
    """
    if not isinstance(weights, dict):
        raise TypeError(f"weights must be a dict of Seo's eight weights, got "
                        f"{type(weights).__name__}")
    needed = [f"{p}{SEO_NAMES[g]}" for g in GATES for p in ("W", "Wrec")]
    missing = [k for k in needed if k not in weights]
    if missing:
        raise ValueError(f"weights is missing {missing}; Seo's cell has the eight weights "
                         f"{needed}")
    arrays = {k: as_matrix(weights[k], k) for k in needed}
    check_one_dtype(arrays)
    params = {}
    for g in GATES:
        s = SEO_NAMES[g]
        W_in, W_rec = arrays[f"W{s}"], arrays[f"Wrec{s}"]
        if W_rec.shape != (W_in.shape[0], W_in.shape[0]):
            raise ValueError(f"Wrec{s} must have shape {(W_in.shape[0],) * 2} to match W{s} "
                             f"{W_in.shape}, got {W_rec.shape}")
        params[f"W_{g}"] = np.concatenate([W_rec, W_in], axis=1)  # (H, H + D)
    for g in GATES:
        params[f"b_{g}"] = zero_biases(params[f"W_{g}"])     # (H,)
    check_params(params)
    return params


def to_seo(params: dict, *, biases_must_be_zero: bool = True) -> dict:
    """Course params (or gradients) -> Seo's {"Wf": (H, D), "Wrecf": (H, H), ...}.

    Seo's cell has no biases: by default non-zero biases are an error (for gradients, whose
    bias entries are dJ/db, pass biases_must_be_zero=False; they are dropped).
    """
    H, _, _ = check_params(params)
    out = {}
    for g in GATES:
        if biases_must_be_zero and np.any(params[f"b_{g}"] != 0):
            raise ValueError(f"params['b_{g}'] is non-zero but Seo's cell (article 000) has no "
                             f"biases; pass biases_must_be_zero=False to drop them")
        s = SEO_NAMES[g]
        out[f"Wrec{s}"] = params[f"W_{g}"][:, :H]   # (H, H)
        out[f"W{s}"] = params[f"W_{g}"][:, H:]      # (H, D)
    return out


# ------------------------------------------------------------ two timestamps, in SymPy

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
    w = {k: sp.Symbol(k, real=True) for k in SEO_WEIGHTS}
    params = from_seo(w)  # object arrays, zero biases
    n = SimpleNamespace(w=w, X={k: sp.Symbol(f"X{k}", real=True) for k in (1, 2)},
                        Y={k: sp.Symbol(f"Y{k}", real=True) for k in (1, 2)},
                        F={}, I={}, A={}, O={}, S={0: 0}, Out={0: 0})

    def run(k, out_prev, s_prev):
        x = np.array([[n.X[k]]], dtype=object)                      # (1, 1)
        h, c, step = lstm.step_forward(params, x, np.array([[out_prev]], dtype=object),
                                       np.array([[s_prev]], dtype=object))
        n.F[k], n.I[k], n.A[k], n.O[k] = step.f[0, 0], step.i[0, 0], step.c_tilde[0, 0], step.o[0, 0]
        n.S[k], n.Out[k] = c[0, 0], h[0, 0]

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


def proof_ts2() -> list:
    """(hand, cost, weight) for the eight TS=2 equations, Out(1) and S(1) held fixed."""
    n = seo_two_timestamps(hold_ts1=True)
    hands = seo_ts2_equations(n)
    return [(hands[k], n.cost, n.w[k]) for k in SEO_WEIGHTS]


def proof_wo_ts1() -> list:
    """(hand, cost, Wo): the TS=2 equation for Wo plus its TS=1 chain."""
    n = seo_two_timestamps()
    return [(seo_ts2_equations(n)["Wo"] + seo_ts1_parts(n)["Wo"], n.cost, n.w["Wo"])]


def proof_all_weights() -> list:
    """(hand, cost, weight) for all eight weights over both timestamps, S(1) -> S(2) included."""
    n = seo_two_timestamps()
    ts2, ts1 = seo_ts2_equations(n), seo_ts1_parts(n)
    return [(ts2[k] + ts1[k], n.cost, n.w[k]) for k in SEO_WEIGHTS]
