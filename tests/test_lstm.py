import copy
import itertools

import numpy as np
import pytest

from conftest import random_params
from lstm_course.core import activations, gradcheck, lstm, params as core_params
from lstm_course.core.params import GATES
from lstm_course.hamlet import kernel

IMPLEMENTATIONS = {"readable": lstm, "kernel": kernel}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def impl(request):
    """Both LSTMs: the readable one (core.lstm) and the training kernel (hamlet.kernel)."""
    return IMPLEMENTATIONS[request.param]


@pytest.mark.parametrize("T,B", [(1, 1), (1, 3), (4, 1), (4, 3)])
def test_backward_matches_finite_differences(T, B, rng, impl):
    D, H = 3, 4
    params = random_params(D, H, rng)
    xs = rng.standard_normal((T, B, D))
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    errors = gradcheck.check_lstm_gradients(params, xs, h0, c0, rng=rng, implementation=impl)
    assert set(errors) == set(params) | {"xs", "h0", "c0"}
    bad = {k: v for k, v in errors.items() if not v < 1e-7}
    assert not bad, bad


def test_gradient_check_catches_a_wrong_kernel_backward(rng, monkeypatch):
    """The finite-difference check can fail: a sign slip in dJ/da_f's local factor is caught."""
    original = kernel.local_factors

    def slipped(gates, c_prev, tanh_c, out=None):
        P, K = original(gates, c_prev, tanh_c, out=out)
        H = c_prev.shape[-1]
        P[..., :H] *= -1
        return P, K
    monkeypatch.setattr(kernel, "local_factors", slipped)
    params = random_params(2, 3, rng)
    errors = gradcheck.check_lstm_gradients(params, rng.standard_normal((3, 2, 2)),
                                            rng.standard_normal((2, 3)),
                                            rng.standard_normal((2, 3)), rng=rng,
                                            implementation=kernel)
    assert errors["W_f"] > 1e-2 and errors["b_f"] > 1e-2


def test_gradient_check_catches_a_wrong_readable_step(rng, monkeypatch):
    """σ' where tanh' belongs (a classic slip) in the readable step_backward is caught."""
    real = lstm.step_backward

    def slipped(dh, dc_next, s):
        g = real(dh, dc_next, s)
        da_c = g.dJ_dc_tilde * s.c_tilde * (1 - s.c_tilde)       # σ' where tanh' belongs
        return g._replace(params={**g.params, "W_c": da_c.T @ s.Z, "b_c": da_c.sum(axis=0)})
    monkeypatch.setattr(lstm, "step_backward", slipped)
    params = random_params(2, 3, rng)
    xs, h0, c0 = rng.standard_normal((3, 2, 2)), rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    errors = gradcheck.check_lstm_gradients(params, xs, h0, c0, rng=rng)
    assert errors["W_c"] > 1e-2 and errors["b_c"] > 1e-2


def test_step_backward_names_every_gradient_of_article_001(rng):
    """Each field of step_backward is the derivative it is named after (finite differences)."""
    D, H, B = 2, 3, 2
    p = random_params(D, H, rng)
    x, h_prev, c_prev = (rng.standard_normal((B, D)), rng.standard_normal((B, H)),
                         rng.standard_normal((B, H)))
    dh, dc = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    h, c, step = lstm.step_forward(p, x, h_prev, c_prev)
    g = lstm.step_backward(dh, dc, step)

    def J(**nodes):  # J = dh·h + dc·C as a function of the step's nodes
        s = step._replace(**nodes)
        C = s.f * s.c_prev + s.i * s.c_tilde
        return float(np.sum(dh * s.o * np.tanh(C)) + np.sum(dc * C))
    for field, node in (("dJ_do", "o"), ("dJ_dc_tilde", "c_tilde"), ("dJ_di", "i"),
                        ("dJ_df", "f"), ("dJ_dC_prev", "c_prev")):
        value = getattr(step, node).copy()
        numeric = gradcheck.numerical_gradient(lambda: J(**{node: value}), value)
        assert gradcheck.relative_error(getattr(g, field), numeric) < 1e-8, field
    # dJ/dh_{t-1} and dJ/dx_t through the whole step
    for field, arr in (("dJ_dh_prev", h_prev), ("dJ_dx", x)):
        def loss():
            h2, c2, _ = lstm.step_forward(p, x, h_prev, c_prev)
            return float(np.sum(dh * h2) + np.sum(dc * c2))
        numeric = gradcheck.numerical_gradient(loss, arr)
        assert gradcheck.relative_error(getattr(g, field), numeric) < 1e-8, field
    np.testing.assert_array_equal(g.dJ_dZ, np.concatenate([g.dJ_dh_prev, g.dJ_dx], axis=1))


def test_kernel_one_hot_ids_equal_dense_one_hot_inputs(rng):
    D, H, T, B = 5, 3, 4, 2
    params = random_params(D, H, rng)
    ids = rng.integers(0, D, size=(T, B))
    dense = np.eye(D)[ids]                                   # (T, B, D)
    hs1, cs1, cache1 = kernel.forward(params, ids)
    hs2, cs2, cache2 = kernel.forward(params, dense)
    np.testing.assert_allclose(hs1, hs2, rtol=1e-13)
    dhs = rng.standard_normal((T, B, H))
    g1, g2 = kernel.backward(params, cache1, dhs), kernel.backward(params, cache2, dhs)
    assert g1["xs"] is None
    for k in params:
        np.testing.assert_allclose(g1[k], g2[k], rtol=1e-12, atol=1e-14)


def test_fused_gate_nonlinearity_matches_the_stable_sigmoid():
    """The forward's one-tanh gates equal activations.sigmoid / tanh to within a few ulps."""
    for dtype, tol in ((np.float64, 4e-16), (np.float32, 2e-7)):
        a = np.concatenate([np.linspace(-50, 50, 401), [-1e4, 1e4, 0.0]]).astype(dtype)
        a = np.tile(a, (4, 1)).reshape(1, -1)                # (1, 4H), H = 404
        H = a.shape[1] // 4
        out = np.empty_like(a)
        gates_fn, scale = kernel.NUMPY_OPS.make_gates(H, dtype)
        gates_fn(a * scale, out)                             # forward folds the scale in
        expected = np.concatenate([activations.sigmoid(a[:, :2 * H]), np.tanh(a[:, 2 * H:3 * H]),
                                   activations.sigmoid(a[:, 3 * H:])], axis=1)
        assert out.dtype == dtype
        assert np.max(np.abs(out - expected)) <= tol
        assert out[0, 402] == 1.0 and out[0, 401] == 0.0     # exact limits at ±1e4


@pytest.mark.parametrize("g1,g2", list(itertools.combinations(GATES, 2)))
@pytest.mark.parametrize("what", ["W", "b"])
def test_swapping_two_gates_changes_the_result(g1, g2, what, rng, impl):
    params = random_params(3, 4, rng)
    xs = rng.standard_normal((5, 2, 3))
    hs, cs, _ = impl.forward(params, xs)
    swapped = dict(params)
    swapped[f"{what}_{g1}"], swapped[f"{what}_{g2}"] = params[f"{what}_{g2}"], params[f"{what}_{g1}"]
    hs2, cs2, _ = impl.forward(swapped, xs)
    assert np.max(np.abs(hs - hs2)) > 1e-3 and np.max(np.abs(cs - cs2)) > 1e-3


def test_gates_follow_the_article_equations(rng, impl):
    """One step checked against equations (1)-(6) of article 001, written out here."""
    D, H, B = 2, 3, 2
    p = random_params(D, H, rng)
    x, h_prev, c_prev = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    Z = np.concatenate([h_prev, x], axis=1)  # (B, H+D), hidden first
    sig = lambda a: 1 / (1 + np.exp(-a))
    f, i = sig(Z @ p["W_f"].T + p["b_f"]), sig(Z @ p["W_i"].T + p["b_i"])
    c_tilde, o = np.tanh(Z @ p["W_c"].T + p["b_c"]), sig(Z @ p["W_o"].T + p["b_o"])
    C = f * c_prev + i * c_tilde
    hs, cs, _ = impl.forward(p, x[None], h_prev, c_prev)
    np.testing.assert_allclose(cs[0], C, rtol=1e-13)
    np.testing.assert_allclose(hs[0], o * np.tanh(C), rtol=1e-13)


def test_one_step_at_a_time_equals_the_sequence(rng, impl):
    D, H, T, B = 3, 5, 6, 4
    params = random_params(D, H, rng)
    xs = rng.standard_normal((T, B, D))
    hs, cs, _ = impl.forward(params, xs)
    h = c = None
    for t in range(T):
        h_t, c_t, _ = impl.forward(params, xs[t:t + 1], h, c)
        np.testing.assert_allclose(h_t[0], hs[t], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(c_t[0], cs[t], rtol=1e-12, atol=1e-14)
        h, c = h_t[0], c_t[0]


def test_backward_of_split_sequences_sums_to_the_whole(rng, impl):
    """BPTT over T steps = backward of the second half, then of the first half fed its dh0, dc0."""
    D, H, T, B = 2, 3, 6, 2
    params = random_params(D, H, rng)
    xs = rng.standard_normal((T, B, D))
    dhs = rng.standard_normal((T, B, H))
    _, _, cache = impl.forward(params, xs)
    whole = impl.backward(params, cache, dhs)
    hs1, cs1, cache1 = impl.forward(params, xs[:3])
    _, _, cache2 = impl.forward(params, xs[3:], hs1[-1], cs1[-1])
    g2 = impl.backward(params, cache2, dhs[3:])
    dhs1 = dhs[:3].copy()
    dhs1[-1] += g2["h0"]
    g1 = impl.backward(params, cache1, dhs1, dc_last=g2["c0"])
    for k in params:
        np.testing.assert_allclose(g1[k] + g2[k], whole[k], rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("ids", [False, True])
def test_kernel_backward_in_chunks_equals_one_chunk(rng, ids):
    D, H, T, B = 4, 3, 7, 2
    params = random_params(D, H, rng)
    xs = rng.integers(0, D, size=(T, B)) if ids else rng.standard_normal((T, B, D))
    _, _, cache = kernel.forward(params, xs, rng.standard_normal((B, H)), rng.standard_normal((B, H)))
    dhs, dc = rng.standard_normal((T, B, H)), rng.standard_normal((B, H))
    whole = kernel.backward(params, cache, dhs, dc, chunk=T)
    for chunk in (1, 2, 3, 6, 100):
        parts = kernel.backward(params, cache, dhs, dc, chunk=chunk)
        for k, v in whole.items():
            if v is None:
                assert parts[k] is None
            else:
                np.testing.assert_allclose(parts[k], v, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="chunk must be a positive integer"):
        kernel.backward(params, cache, dhs, chunk=0)


def test_backward_modifies_nothing(rng, impl):
    params = random_params(3, 4, rng)
    xs, h0, c0 = rng.standard_normal((4, 2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    dhs, dc = rng.standard_normal((4, 2, 4)), rng.standard_normal((2, 4))
    _, _, cache = impl.forward(params, xs, h0, c0)
    before = copy.deepcopy((params, xs, h0, c0, dhs, dc, cache))
    g1 = impl.backward(params, cache, dhs, dc)
    g2 = impl.backward(params, cache, dhs, dc)
    after = (params, xs, h0, c0, dhs, dc, cache)
    for a, b in zip(before, after):
        if impl is lstm and isinstance(a, lstm.Cache):
            for step_a, step_b in zip(a.steps, b.steps):
                for x, y in zip(step_a[1:], step_b[1:]):
                    np.testing.assert_array_equal(x, y)
        elif isinstance(a, dict):
            assert a.keys() == b.keys()
            for k in a:
                np.testing.assert_array_equal(a[k], b[k])
        else:
            np.testing.assert_array_equal(a, b)
    for k in g1:
        np.testing.assert_array_equal(g1[k], g2[k])


def test_kernel_returned_states_cannot_corrupt_the_cache(rng):
    params = random_params(2, 3, rng)
    hs, cs, cache = kernel.forward(params, rng.standard_normal((3, 1, 2)))
    with pytest.raises(ValueError, match="read-only"):
        hs[:] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        cs[0] += 1.0
    edited = hs.copy()
    edited[:] = 0.0
    assert np.any(cache["hs"] != 0)


def test_float32_in_gives_float32_out(rng, impl):
    params = random_params(3, 4, rng, dtype=np.float32)
    xs = rng.standard_normal((5, 2, 3)).astype(np.float32)
    hs, cs, cache = impl.forward(params, xs)
    grads = impl.backward(params, cache, np.ones_like(hs))
    assert hs.dtype == cs.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    p64 = {k: v.astype(np.float64) for k, v in params.items()}
    hs64, _, _ = impl.forward(p64, xs.astype(np.float64))
    np.testing.assert_allclose(hs, hs64, atol=1e-5)


def test_init_params_shapes_and_ranges(rng):
    p = core_params.init_params(7, 5, rng=rng)
    r = np.sqrt(6 / (12 + 5))
    for g in GATES:
        assert p[f"W_{g}"].shape == (5, 12) and p[f"b_{g}"].shape == (5,)
        assert np.all(np.abs(p[f"W_{g}"]) <= r) and np.all(p[f"b_{g}"] == 0)
    assert not np.array_equal(p["W_f"], p["W_i"])
    same = core_params.init_params(7, 5, rng=np.random.default_rng(1))
    again = core_params.init_params(7, 5, rng=np.random.default_rng(1))
    assert all(np.array_equal(same[k], again[k]) for k in same)


def test_fuse_and_split_are_inverse(rng):
    p = random_params(2, 3, rng)
    W, b = core_params.fuse(p)
    assert W.shape == (12, 5) and b.shape == (12,)
    back = {**core_params.split(W, "W"), **core_params.split(b, "b")}
    assert all(np.array_equal(back[k], p[k]) for k in p)


@pytest.mark.parametrize("T,B,D,H", [(1, 1, 1, 1), (1, 3, 2, 4), (5, 1, 3, 2), (7, 4, 5, 6),
                                     (40, 2, 3, 5)])
@pytest.mark.parametrize("ids", [False, True])
def test_the_kernel_equals_the_readable_lstm(T, B, D, H, ids, rng, monkeypatch):
    """The fast kernel computes what the readable LSTM computes, to 1e-12 in float64: forward,
    backward, every gradient; one-hot ids; backward chunks smaller than T (chunk boundaries)."""
    params = random_params(D, H, rng)
    id_array = rng.integers(0, D, size=(T, B))
    dense = np.eye(D)[id_array] if ids else rng.standard_normal((T, B, D))   # (T, B, D)
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    dhs, dc = rng.standard_normal((T, B, H)), rng.standard_normal((B, H))
    hs, cs, cache = lstm.forward(params, dense, h0, c0)
    expected = lstm.backward(params, cache, dhs, dc)
    khs, kcs, kcache = kernel.forward(params, id_array if ids else dense, h0, c0)
    np.testing.assert_allclose(khs, hs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(kcs, cs, rtol=1e-12, atol=1e-12)
    for t in (0, T - 1):
        for name, value in kernel.gates_at(kcache, t).items():
            np.testing.assert_allclose(value, getattr(cache.steps[t], name), rtol=1e-12,
                                       atol=1e-12)
    for chunk in (None, 1, 3):
        got = kernel.backward(params, kcache, dhs, dc, chunk=chunk)
        for k, v in expected.items():
            if k == "xs" and ids:
                assert got[k] is None
                continue
            np.testing.assert_allclose(got[k], v, rtol=1e-12, atol=1e-12, err_msg=k)
