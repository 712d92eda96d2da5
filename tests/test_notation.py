import numpy as np
import pytest
import sympy as sp

from conftest import random_params
from lstm_course.articles import gomez002, scalar003, seo000
from lstm_course.core import lstm


def test_seo_round_trip_and_forward(rng):
    H, D = 3, 2
    seo = {}
    for s in "fiao":
        seo[f"W{s}"] = rng.standard_normal((H, D))
        seo[f"Wrec{s}"] = rng.standard_normal((H, H))
    params = seo000.from_seo(seo)
    back = seo000.to_seo(params)
    assert back.keys() == seo.keys() and all(np.array_equal(back[k], seo[k]) for k in seo)
    # Seo's F(k) = sigma(Wf X(k) + Wrecf Out(k-1)): the course's forget gate
    x, out_prev, s_prev = rng.standard_normal(D), rng.standard_normal(H), rng.standard_normal(H)
    sig = lambda a: 1 / (1 + np.exp(-a))
    F = sig(seo["Wf"] @ x + seo["Wrecf"] @ out_prev)
    A = np.tanh(seo["Wa"] @ x + seo["Wreca"] @ out_prev)
    I = sig(seo["Wi"] @ x + seo["Wreci"] @ out_prev)
    O = sig(seo["Wo"] @ x + seo["Wreco"] @ out_prev)
    S = F * s_prev + I * A
    hs, cs, _ = lstm.forward(params, x[None, None], out_prev[None], s_prev[None])
    np.testing.assert_allclose(cs[0, 0], S, rtol=1e-13)
    np.testing.assert_allclose(hs[0, 0], O * np.tanh(S), rtol=1e-13)


def test_seo_refuses_biases_unless_told(rng):
    params = random_params(2, 3, rng)
    with pytest.raises(ValueError, match=r"params\['b_f'\] is non-zero but Seo's cell"):
        seo000.to_seo(params)
    assert set(seo000.to_seo(params, biases_must_be_zero=False)) == {
        "Wf", "Wrecf", "Wi", "Wreci", "Wa", "Wreca", "Wo", "Wreco"}
    with pytest.raises(ValueError, match="weights is missing"):
        seo000.from_seo({"Wf": 1.0})


def test_gomez_round_trip_and_gate_order(rng):
    H, D = 2, 3
    W, U, b = rng.standard_normal((4 * H, D)), rng.standard_normal((4 * H, H)), rng.standard_normal(4 * H)
    params = gomez002.from_gomez(W, U, b)
    W2, U2, b2 = gomez002.to_gomez(params)
    assert np.array_equal(W, W2) and np.array_equal(U, U2) and np.array_equal(b, b2)
    # Gomez's first block is the candidate a_t (tanh), the course's W_c
    np.testing.assert_array_equal(params["W_c"][:, H:], W[:H])
    np.testing.assert_array_equal(params["W_c"][:, :H], U[:H])
    np.testing.assert_array_equal(params["b_f"], b[2 * H:3 * H])
    with pytest.raises(ValueError, match=r"U must have shape \(8, 2\)"):
        gomez002.from_gomez(W, U[:, :1], b)


def test_gomez_gradients_convert_with_the_same_layout(rng):
    params = gomez002.from_gomez(rng.standard_normal((4, 2)), rng.standard_normal(4), rng.standard_normal(4))
    xs = rng.standard_normal((2, 1, 2))
    _, _, cache = lstm.forward(params, xs)
    grads = lstm.backward(params, cache, np.ones((2, 1, 1)))
    dW, dU, db = gomez002.to_gomez({k: grads[k] for k in params})
    assert dW.shape == (4, 2) and dU.shape == (4, 1) and db.shape == (4,)
    np.testing.assert_array_equal(db[0:1], grads["b_c"])


def test_scalar003_round_trip_float_and_sympy():
    vals = {f"{p}_{g}": 0.1 * k for k, (g, p) in enumerate((g, p) for g in "fico" for p in "wu")}
    params = scalar003.from_scalar003(vals)
    assert params["W_f"].shape == (1, 2)
    assert scalar003.to_scalar003(params) == vals
    syms = {k: sp.Symbol(k) for k in vals}
    sym_params = scalar003.from_scalar003(syms, dtype=object)
    assert scalar003.to_scalar003(sym_params) == syms
    x, h_prev = sp.Symbol("x"), sp.Symbol("h")
    hs, _, _ = lstm.forward(sym_params, np.array([[[x]]], dtype=object),
                            np.array([[h_prev]], dtype=object), np.array([[0]], dtype=object))
    point = {**{syms[k]: v for k, v in vals.items()}, x: 0.3, h_prev: -0.2}
    floats, _, _ = lstm.forward(params, np.array([[[0.3]]]), np.array([[-0.2]]))
    assert abs(float(hs[0, 0, 0].subs(point)) - floats[0, 0, 0]) < 1e-14
    with pytest.raises(ValueError, match="H = D = 1"):
        scalar003.to_scalar003(random_params(2, 2, np.random.default_rng(0)))
