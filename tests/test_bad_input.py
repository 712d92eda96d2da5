"""Bad input gets a clear error, raised early, naming the argument and what was expected."""
import numpy as np
import pytest

from conftest import random_params
from lstm_course.core import gradcheck, layers
from lstm_course.core import lstm as readable
from lstm_course.core import params as core_params
from lstm_course.hamlet import kernel as lstm


@pytest.fixture
def model(rng):
    return random_params(3, 4, rng)  # D = 3, H = 4


def test_init_params_arguments(rng):
    with pytest.raises(ValueError, match="input_size must be a positive integer"):
        core_params.init_params(0, 4, rng=rng)
    with pytest.raises(TypeError, match="hidden_size must be a positive integer"):
        core_params.init_params(3, 2.5, rng=rng)
    with pytest.raises(TypeError, match="hidden_size must be a positive integer"):
        core_params.init_params(3, True, rng=rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        core_params.init_params(3, 4, rng=42)
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        core_params.init_params(3, 4, rng=rng, dtype=np.int32)


@pytest.mark.parametrize("shape,message", [
    ((5, 3), r"xs must have 3 dimensions, got 2"),
    ((5, 2, 3, 1), r"xs must have 3 dimensions, got 4"),
    ((5, 2, 2), r"xs must have size 3 in its last dimension"),
    ((0, 2, 3), r"xs is empty"),
    ((5, 0, 3), r"xs is empty"),
])
def test_forward_rejects_bad_xs_shapes(model, shape, message):
    with pytest.raises(ValueError, match=message):
        lstm.forward(model, np.zeros(shape))


def test_forward_rejects_non_finite_and_wrong_dtypes(model):
    xs = np.zeros((2, 1, 3))
    xs[1, 0, 2] = np.nan
    with pytest.raises(ValueError, match="xs contains NaN or infinite values"):
        lstm.forward(model, xs)
    with pytest.raises(TypeError, match=r"xs has dtype float32 but the model's parameters are float64"):
        lstm.forward(model, np.zeros((2, 1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"xs of integer dtype int64 must be \(T, B\) one-hot ids"):
        lstm.forward(model, np.zeros((2, 1, 3), dtype=np.int64))
    with pytest.raises(ValueError, match=r"integer ids \(one-hot inputs\) that must lie in \[0, 3\)"):
        lstm.forward(model, np.array([[0, 3]]))
    with pytest.raises(TypeError, match="xs must be a numpy array"):
        lstm.forward(model, "abc")


def test_forward_rejects_bad_initial_states(model):
    xs = np.zeros((2, 3, 3))
    with pytest.raises(ValueError, match=r"h0 must have shape \(3, 4\), got \(3, 5\)"):
        lstm.forward(model, xs, h0=np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"c0 must have shape \(3, 4\), got \(4,\)"):
        lstm.forward(model, xs, c0=np.zeros(4))
    with pytest.raises(ValueError, match="h0 contains NaN"):
        lstm.forward(model, xs, h0=np.full((3, 4), np.inf))


def test_params_are_checked(model, rng):
    bad = dict(model)
    del bad["b_o"]
    with pytest.raises(ValueError, match=r"params is missing \['b_o'\]"):
        lstm.forward(bad, np.zeros((1, 1, 3)))
    bad = dict(model, W_i=np.zeros((4, 8)))  # mismatched D
    with pytest.raises(ValueError, match=r"params\['W_i'\] must have shape \(4, 7\), got \(4, 8\)"):
        lstm.forward(bad, np.zeros((1, 1, 3)))
    bad = dict(model, b_c=np.zeros(5))  # mismatched H
    with pytest.raises(ValueError, match=r"params\['b_c'\] must have shape \(4,\), got \(5,\)"):
        lstm.forward(bad, np.zeros((1, 1, 3)))
    bad = dict(model, W_o=model["W_o"].astype(np.float32))
    with pytest.raises(TypeError, match=r"params\['W_o'\] has dtype float32"):
        lstm.forward(bad, np.zeros((1, 1, 3)))
    bad = dict(model, W_f=np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"params\['W_f'\] must have shape \(H, H \+ D\) with D >= 1"):
        lstm.forward(bad, np.zeros((1, 1, 3)))
    with pytest.raises(TypeError, match="params must be a dict"):
        lstm.forward([1, 2], np.zeros((1, 1, 3)))


def test_backward_checks_its_upstream_gradients(model):
    _, _, cache = lstm.forward(model, np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match=r"dhs must have shape \(2, 3, 4\), got \(2, 3, 5\)"):
        lstm.backward(model, cache, np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match=r"dc_last must have shape \(3, 4\)"):
        lstm.backward(model, cache, np.zeros((2, 3, 4)), dc_last=np.zeros((1, 4)))
    with pytest.raises(ValueError, match="dhs contains NaN"):
        lstm.backward(model, cache, np.full((2, 3, 4), np.nan))


def test_readout_arguments(rng):
    W_v, b_v = np.zeros((5, 4)), np.zeros(5)
    with pytest.raises(ValueError, match=r"hs must have size 4 in its last dimension"):
        layers.readout_forward(W_v, b_v, np.zeros((2, 1, 3)))
    with pytest.raises(ValueError, match=r"b_v must have shape \(5,\)"):
        layers.readout_forward(W_v, np.zeros(4), np.zeros((2, 1, 4)))
    with pytest.raises(ValueError, match=r"dlogits must have shape \(2, 1, 5\)"):
        layers.readout_backward(W_v, np.zeros((2, 1, 4)), np.zeros((2, 1, 4)))
    with pytest.raises(ValueError, match="output_size must be a positive integer"):
        layers.init_readout(4, 0, rng=rng)


def test_gradcheck_arguments():
    with pytest.raises(TypeError, match="x must be a float64 numpy array"):
        gradcheck.numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))
    with pytest.raises(ValueError, match="eps must be positive"):
        gradcheck.numerical_gradient(lambda: 0.0, np.zeros(3), eps=0)
    with pytest.raises(ValueError, match="a and b must have the same shape"):
        gradcheck.relative_error(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize("call,error,message", [
    (lambda p: readable.forward(p, np.zeros((2, 1, 2))), ValueError,
     r"xs must have size 3 in its last dimension"),
    (lambda p: readable.forward(p, np.zeros((2, 1, 3), dtype=np.float32)), TypeError,
     r"xs has dtype float32 but the model's parameters are float64"),
    (lambda p: readable.forward(p, np.zeros((2, 3))), ValueError, r"xs must have 3 dimensions"),
    (lambda p: readable.forward(p, np.zeros((2, 1, 3)), h0=np.zeros((1, 5))), ValueError,
     r"h_prev must have shape \(1, 4\)"),
    (lambda p: readable.step_forward(p, np.zeros((1, 3)), np.zeros((1, 4)), np.zeros((2, 4))),
     ValueError, r"c_prev must have shape \(1, 4\)"),
    (lambda p: readable.step_forward(p, np.zeros(3), np.zeros((1, 4)), np.zeros((1, 4))),
     ValueError, r"x_t must have 2 dimensions"),
    (lambda p: readable.backward(p, {"steps": []}, np.zeros((2, 1, 4))), TypeError,
     r"cache must be the Cache that forward returned"),
    (lambda p: readable.backward(dict(p, W_f=p["W_f"] + 1.0),
                                 readable.forward(p, np.zeros((2, 1, 3)))[2],
                                 np.zeros((2, 1, 4))), ValueError,
     r"params differ from the ones forward used"),
    (lambda p: readable.backward(p, readable.forward(p, np.zeros((2, 1, 3)))[2],
                                 np.zeros((2, 1, 5))), ValueError,
     r"dhs must have shape \(2, 1, 4\)"),
])
def test_the_readable_lstm_checks_its_arguments(model, call, error, message):
    with pytest.raises(error, match=message):
        call(model)
