import warnings

import numpy as np
import pytest

from conftest import random_params
from lstm_course.core import layers, lstm
from lstm_course.core.gradcheck import numerical_gradient, relative_error


def test_softmax_cross_entropy_value_and_gradient(rng):
    T, B, V = 3, 4, 5
    logits = rng.standard_normal((T, B, V))
    targets = rng.integers(0, V, size=(T, B))
    loss, dlogits = layers.softmax_cross_entropy(logits, targets)
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected = -np.log(p[np.arange(T)[:, None], np.arange(B)[None, :], targets]).sum() / B
    assert abs(loss - expected) < 1e-12
    numeric = numerical_gradient(lambda: layers.softmax_cross_entropy(logits, targets)[0], logits)
    assert relative_error(dlogits, numeric) < 1e-8


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[[1e4, -1e4, 0.0]]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        loss, d = layers.softmax_cross_entropy(logits, np.array([[1]]))
    assert loss == 2e4 and np.all(np.isfinite(d))


def test_half_squared_error(rng):
    out, y = rng.standard_normal((2, 3, 1)), rng.standard_normal((2, 3, 1))
    loss, d = layers.half_squared_error(out, y)
    assert abs(loss - 0.5 * np.sum((out - y) ** 2)) < 1e-14
    assert relative_error(d, numerical_gradient(lambda: layers.half_squared_error(out, y)[0], out)) < 1e-8


def test_readout_and_full_model_gradients(rng):
    """Softmax cross-entropy of the readout of the LSTM: every gradient vs finite differences."""
    T, B, D, H, V = 4, 3, 3, 4, 5
    params = random_params(D, H, rng)
    params.update(layers.init_readout(H, V, rng=rng))
    params["b_v"] = rng.uniform(-1, 1, V)
    xs = rng.standard_normal((T, B, D))
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    targets = rng.integers(0, V, size=(T, B))
    inputs = {**params, "xs": xs, "h0": h0, "c0": c0}

    def loss():
        hs, _, _ = lstm.forward(params, xs, h0, c0)
        return layers.softmax_cross_entropy(layers.readout_forward(params["W_v"], params["b_v"], hs), targets)[0]

    hs, _, cache = lstm.forward(params, xs, h0, c0)
    _, dlogits = layers.softmax_cross_entropy(layers.readout_forward(params["W_v"], params["b_v"], hs), targets)
    rg = layers.readout_backward(params["W_v"], hs, dlogits)
    grads = lstm.backward(params, cache, rg["hs"])
    grads.update(W_v=rg["W_v"], b_v=rg["b_v"])
    errors = {k: relative_error(grads[k], numerical_gradient(loss, inputs[k])) for k in inputs}
    assert all(e < 1e-7 for e in errors.values()), errors


def test_bad_targets_are_rejected():
    logits = np.zeros((2, 1, 3))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 3\)"):
        layers.softmax_cross_entropy(logits, np.array([[0], [3]]))
    with pytest.raises(ValueError, match=r"targets must lie in"):
        layers.softmax_cross_entropy(logits, np.array([[-1], [0]]))
    with pytest.raises(TypeError, match="targets must be an integer array"):
        layers.softmax_cross_entropy(logits, np.array([[0.0], [1.0]]))
    with pytest.raises(ValueError, match=r"targets must have shape \(2, 1\)"):
        layers.softmax_cross_entropy(logits, np.array([0, 1]))
    with pytest.raises(ValueError, match="targets must have shape"):
        layers.half_squared_error(np.zeros((2, 1)), np.zeros((1, 2)))
