"""gradcheck perturbs x itself, whatever its memory layout."""
import numpy as np
import pytest

from conftest import random_params
from lstm_course.core import gradcheck


def _layouts(rng):
    """(name, x) with x not C-contiguous: Fortran order, transposed, strided view."""
    base = rng.standard_normal((6, 8))
    return {
        "fortran": np.asfortranarray(rng.standard_normal((3, 4))),
        "transposed": rng.standard_normal((4, 3)).T,
        "strided": base[::2, 1::3],
    }


@pytest.mark.parametrize("layout", ["fortran", "transposed", "strided"])
def test_numerical_gradient_any_layout(rng, layout):
    x = _layouts(rng)[layout]
    assert not x.flags.c_contiguous
    A = rng.standard_normal(x.shape)
    before = x.copy()
    numeric = gradcheck.numerical_gradient(lambda: float(np.sum(A * x ** 3)), x)
    assert numeric.shape == x.shape
    assert gradcheck.relative_error(numeric, 3 * A * x ** 2) < 1e-8
    np.testing.assert_array_equal(x, before)      # restored exactly


def test_numerical_gradient_refuses_read_only_x():
    x = np.zeros(3)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="x must be writeable"):
        gradcheck.numerical_gradient(lambda: 0.0, x)


def test_check_lstm_gradients_non_contiguous_inputs(rng):
    D, H, T, B = 3, 4, 3, 2
    params = {k: (np.asfortranarray(v) if v.ndim == 2 else v)
              for k, v in random_params(D, H, rng).items()}
    params["W_c"] = np.ascontiguousarray(params["W_c"].T).T        # transposed view
    params["b_i"] = np.repeat(params["b_i"], 2)[::2]               # strided view
    xs = np.asfortranarray(rng.standard_normal((T, B, D)))
    h0 = rng.standard_normal((H, B)).T
    c0 = rng.standard_normal((B, 2 * H))[:, ::2]
    assert not any(a.flags.c_contiguous for a in (params["W_f"], params["W_c"], params["b_i"],
                                                   xs, h0, c0))
    errors = gradcheck.check_lstm_gradients(params, xs, h0, c0, rng=rng)
    assert max(errors.values()) < 1e-7, errors
