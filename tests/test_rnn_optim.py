import numpy as np
import pytest

from lstm_course.core import gradcheck, rnn
from lstm_course.hamlet import optim


def test_rnn_backward_matches_finite_differences(rng):
    params = rnn.init_params(3, 4, rng=rng)
    params["b"] = rng.uniform(-1, 1, 4)
    xs, h0 = rng.standard_normal((5, 2, 3)), rng.standard_normal((2, 4))
    R = rng.standard_normal((5, 2, 4))
    inputs = {**params, "xs": xs, "h0": h0}
    loss = lambda: float(np.sum(R * rnn.forward(params, inputs["xs"], inputs["h0"])[0]))
    _, cache = rnn.forward(params, xs, h0)
    grads = rnn.backward(params, cache, R)
    for k in inputs:
        assert gradcheck.relative_error(grads[k], gradcheck.numerical_gradient(loss, inputs[k])) < 1e-7


def test_clipping(rng):
    grads = {"a": np.array([3.0, -0.5]), "b": np.array([[4.0]])}
    el = optim.clip_elementwise(grads)
    np.testing.assert_array_equal(el["a"], [1.0, -0.5])
    assert grads["a"][0] == 3.0  # inputs untouched
    clipped, norm = optim.clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(np.sqrt(9 + 0.25 + 16))
    assert optim.global_norm(clipped) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["a"] / clipped["b"][0, 0], grads["a"] / 4.0)  # direction kept
    same, _ = optim.clip_by_global_norm(grads, 100.0)
    np.testing.assert_array_equal(same["a"], grads["a"])
    with pytest.raises(ValueError, match="max_norm must be positive"):
        optim.clip_by_global_norm(grads, 0)
    with pytest.raises(FloatingPointError, match="gradient norm is nan"):
        optim.clip_by_global_norm({"a": np.array([np.nan])}, 1.0)
