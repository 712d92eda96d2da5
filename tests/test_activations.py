import warnings

import numpy as np
import pytest

from lstm_course.core import activations as act
from lstm_course.core.gradcheck import numerical_gradient, relative_error

EXTREMES = np.array([-1e4, -800.0, -100.0, -1.0, 0.0, 1.0, 100.0, 800.0, 1e4])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_and_exact_at_the_limits(dtype):
    z = EXTREMES.astype(dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        s = act.sigmoid(z)
    assert s.dtype == dtype
    assert s[0] == 0.0 and s[-1] == 1.0 and s[4] == 0.5
    assert np.all(np.diff(s) >= 0)
    np.testing.assert_allclose(act.sigmoid(np.array([1.0])), 1 / (1 + np.exp(-1.0)), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_log_softmax_are_stable(dtype):
    z = np.array([[1e4, 0.0, -1e4], [3.0, 3.0, 3.0]], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        p = act.softmax(z)
        lp = act.log_softmax(z)
    assert p.dtype == dtype and lp.dtype == dtype
    np.testing.assert_array_equal(p[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(p[1], [1 / 3] * 3, rtol=1e-6)
    assert lp[0, 0] == 0.0 and lp[0, 2] == -2e4
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_is_exact_at_the_limits(dtype):
    t = act.tanh(EXTREMES.astype(dtype))
    assert t.dtype == dtype and t[0] == -1.0 and t[-1] == 1.0


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_both_derivative_forms_match_finite_differences(name, rng):
    z = rng.uniform(-4, 4, size=20)
    f = getattr(act, name)
    fd = np.array([numerical_gradient(lambda: float(f(zk[0])), zk) [0]
                   for zk in (np.array([v]) for v in z)])
    from_input = getattr(act, f"{name}_grad_from_input")(z)
    from_output = getattr(act, f"{name}_grad_from_output")(f(z))
    assert relative_error(from_input, fd) < 1e-9
    np.testing.assert_array_equal(from_input, from_output)


def test_from_output_helper_on_a_preactivation_is_wrong():
    """Article 004's helpers take the activated value; feeding the pre-activation is a bug."""
    z = np.array([2.0])
    assert not np.allclose(act.sigmoid_grad_from_output(z), act.sigmoid_grad_from_input(z))


def test_non_float_input_is_rejected():
    with pytest.raises(TypeError, match="z must be a real floating array"):
        act.sigmoid(np.array(["a"]))
