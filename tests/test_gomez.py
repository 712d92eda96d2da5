"""Gomez's two-step example (article 002), recomputed independently of the package.

The reference below is plain-Python scalar arithmetic written from the CSDN post's formulas
(EQUATIONS.md, section 002); the package computes the same numbers through
gomez002.from_gomez, the readable lstm.forward/backward and layers.half_squared_error.
"""
import math

import numpy as np

from lstm_course.articles import gomez002
from lstm_course.core import layers, lstm

W = [[0.45, 0.25], [0.95, 0.80], [0.70, 0.45], [0.60, 0.40]]   # rows a, i, f, o
U = [0.15, 0.80, 0.10, 0.25]
b = [0.20, 0.65, 0.15, 0.10]
X = [[1.0, 2.0], [0.5, 3.0]]
Y = [0.5, 1.25]


def sig(z):
    return 1 / (1 + math.exp(-z))


def reference():
    """Forward, deltas and gradients by the post's formulas, one scalar at a time."""
    out_prev, state_prev, steps = 0.0, 0.0, []
    for x in X:
        pre = [W[r][0] * x[0] + W[r][1] * x[1] + U[r] * out_prev + b[r] for r in range(4)]
        a, i, f, o = math.tanh(pre[0]), sig(pre[1]), sig(pre[2]), sig(pre[3])
        state = a * i + f * state_prev
        out = math.tanh(state) * o
        steps.append(dict(a=a, i=i, f=f, o=o, state=state, out=out, state_prev=state_prev,
                          out_prev=out_prev, x=x))
        out_prev, state_prev = out, state
    dW = [[0.0, 0.0] for _ in range(4)]
    dU, db = [0.0] * 4, [0.0] * 4
    Delta_out, dstate_next, f_next = 0.0, 0.0, 0.0
    for t in (1, 0):
        s = steps[t]
        delta_out = (s["out"] - Y[t]) + Delta_out
        dstate = delta_out * s["o"] * (1 - math.tanh(s["state"]) ** 2) + dstate_next * f_next
        gates = [dstate * s["i"] * (1 - s["a"] ** 2),
                 dstate * s["a"] * s["i"] * (1 - s["i"]),
                 dstate * s["state_prev"] * s["f"] * (1 - s["f"]),
                 delta_out * math.tanh(s["state"]) * s["o"] * (1 - s["o"])]
        for r in range(4):
            dW[r][0] += gates[r] * s["x"][0]
            dW[r][1] += gates[r] * s["x"][1]
            dU[r] += gates[r] * s["out_prev"]
            db[r] += gates[r]
        Delta_out = sum(U[r] * gates[r] for r in range(4))
        dstate_next, f_next = dstate, s["f"]
    return steps, np.array(dW), np.array(dU), np.array(db)


def package():
    params = gomez002.from_gomez(np.array(W), np.array(U), np.array(b))
    xs = np.array(X)[:, None, :]                                  # (T=2, B=1, D=2)
    hs, cs, cache = lstm.forward(params, xs)
    _, dout = layers.half_squared_error(hs, np.array(Y).reshape(2, 1, 1))
    grads = lstm.backward(params, cache, dout)
    return hs, cs, gomez002.to_gomez({k: grads[k] for k in params})


def test_forward_values():
    steps, *_ = reference()
    hs, cs, _ = package()
    for t in (0, 1):
        assert abs(hs[t, 0, 0] - steps[t]["out"]) < 1e-15
        assert abs(cs[t, 0, 0] - steps[t]["state"]) < 1e-15
    # the article's printed values (5 decimals)
    assert round(steps[0]["out"], 5) == 0.53631 and round(steps[1]["state"], 5) == 1.51763


def test_gradients_and_update():
    _, dW, dU, db = reference()
    _, _, (pW, pU, pb) = package()
    np.testing.assert_allclose(pW, dW, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(pU[:, 0], dU, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(pb, db, rtol=1e-13, atol=1e-16)
    W_new = np.array(W) - 0.1 * pW
    # Gomez's updated input weights for the candidate row (a): [0.45267, 0.25922]
    np.testing.assert_allclose(np.round(W_new[0], 5), [0.45267, 0.25922])
