"""lstm.backward refuses params other than the ones its forward cache was made with."""
import copy

import numpy as np
import pytest

from conftest import random_params
from lstm_course.core.params import GATES
from lstm_course.hamlet import kernel as lstm
from lstm_course.hamlet.workspace import Workspace
from lstm_course.proofs import cell as symbolic


@pytest.fixture
def run(rng):
    """(params, cache, dhs) of a forward with D = 3, H = 4, T = 5, B = 2."""
    params = random_params(3, 4, rng)
    hs, _, cache = lstm.forward(params, rng.standard_normal((5, 2, 3)))
    return params, cache, rng.standard_normal(hs.shape)


@pytest.mark.parametrize("D,H", [(3, 5), (4, 4), (2, 4)])
def test_backward_refuses_params_of_other_shapes(run, rng, D, H):
    _, cache, dhs = run
    with pytest.raises(ValueError, match=r"params differ from the ones forward used .*"
                                         rf"H = {H}, D = {D}, forward's had H = 4, D = 3"):
        lstm.backward(random_params(D, H, rng), cache, dhs)


@pytest.mark.parametrize("name", [f"{p}_{g}" for g in GATES for p in ("W", "b")])
def test_backward_refuses_same_shapes_other_values(run, name):
    params, cache, dhs = run
    other = dict(params, **{name: params[name] * 1.1})
    with pytest.raises(ValueError, match=rf"params differ .*params\['{name}'\] has other values"):
        lstm.backward(other, cache, dhs)


def test_backward_refuses_params_changed_in_place_and_other_dtype(run):
    params, cache, dhs = run
    with pytest.raises(ValueError, match="params differ .* they are float32, forward's were float64"):
        lstm.backward({k: v.astype(np.float32) for k, v in params.items()}, cache,
                      dhs.astype(np.float32))
    params["W_o"][1, 2] += 1e-12            # an update between forward and backward
    with pytest.raises(ValueError, match=r"params\['W_o'\] has other values"):
        lstm.backward(params, cache, dhs)


def test_backward_accepts_an_equal_copy(run):
    params, cache, dhs = run
    same = lstm.backward(params, cache, dhs)
    copied = lstm.backward(copy.deepcopy(params), cache, dhs)
    for k in same:
        np.testing.assert_array_equal(same[k], copied[k])


def test_backward_refuses_other_params_with_workspace_and_ids(rng):
    params = random_params(3, 4, rng, dtype=np.float32)
    ws = Workspace()
    hs, _, cache = lstm.forward(params, rng.integers(0, 3, size=(6, 2)), workspace=ws)
    dhs = np.ones(hs.shape, dtype=np.float32)
    lstm.backward(params, cache, dhs, workspace=ws)
    other = dict(params, b_c=params["b_c"] + np.float32(0.5))
    with pytest.raises(ValueError, match=r"params\['b_c'\] has other values"):
        lstm.backward(other, cache, dhs, workspace=ws)


def test_backward_checks_symbolic_params():
    inputs, _, _ = symbolic.symbolic_lstm(1, 1, 1, 1)   # forward and backward on SymPy arrays
    params = {k: v for k, v in inputs.items() if k[:2] in ("W_", "b_")}
    _, _, cache = lstm.forward(params, inputs["xs"], ops=symbolic.SYMPY_OPS)
    R = np.ones((1, 1, 1), dtype=object)
    lstm.backward({k: v.copy() for k, v in params.items()}, cache, R)   # equal copy: accepted
    other = dict(params, W_i=params["W_i"] * 2)
    with pytest.raises(ValueError, match=r"params\['W_i'\] has other values"):
        lstm.backward(other, cache, R)


def test_backward_refuses_what_is_not_a_cache(run):
    params, _, dhs = run
    with pytest.raises(TypeError, match="cache must be the cache kernel.forward returned"):
        lstm.backward(params, {"gates": None}, dhs)
