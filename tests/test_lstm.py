import copy
import itertools

import numpy as np
import pytest

from conftest import random_params
from lstm_course import gradcheck, lstm


@pytest.mark.parametrize("T,B", [(1, 1), (1, 3), (4, 1), (4, 3)])
def test_backward_matches_finite_differences(T, B, rng):
    D, H = 3, 4
    params = random_params(D, H, rng)
    xs = rng.standard_normal((T, B, D))
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    errors = gradcheck.check_lstm_gradients(params, xs, h0, c0, rng=rng)
    assert set(errors) == set(params) | {"xs", "h0", "c0"}
    bad = {k: v for k, v in errors.items() if not v < 1e-7}
    assert not bad, bad


def test_gradient_check_catches_a_wrong_backward(rng, monkeypatch):
    """The finite-difference check can fail: a sign slip in dJ/da_f's local factor is caught."""
    original = lstm.local_factors

    def slipped(gates, c_prev, tanh_c, out=None):
        P, K = original(gates, c_prev, tanh_c, out=out)
        H = c_prev.shape[-1]
        P[..., :H] *= -1
        return P, K
    monkeypatch.setattr(lstm, "local_factors", slipped)
    params = random_params(2, 3, rng)
    errors = gradcheck.check_lstm_gradients(params, rng.standard_normal((3, 2, 2)),
                                            rng.standard_normal((2, 3)),
                                            rng.standard_normal((2, 3)), rng=rng)
    assert errors["W_f"] > 1e-2 and errors["b_f"] > 1e-2


def test_cell_backward_is_one_step_of_backward(rng):
    """The teaching form cell_backward gives what backward gives for T = 1."""
    params = random_params(3, 4, rng)
    x, h0, c0 = rng.standard_normal((1, 2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    dh, dc = rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    _, _, cache = lstm.forward(params, x, h0, c0)
    grads = lstm.backward(params, cache, dh[None], dc)
    f, i, c_tilde, o = np.split(cache["gates"][0], 4, axis=1)
    da_f, da_i, da_c, da_o, dc_prev = lstm.cell_backward(dh, dc, f, i, c_tilde, o, c0, lstm.cell_tanh(cache, 0, 1)[0])
    np.testing.assert_allclose(grads["b_f"], da_f.sum(0), rtol=1e-13)
    np.testing.assert_allclose(grads["b_o"], da_o.sum(0), rtol=1e-13)
    np.testing.assert_allclose(grads["c0"], dc_prev, rtol=1e-13)


def test_one_hot_ids_equal_dense_one_hot_inputs(rng):
    D, H, T, B = 5, 3, 4, 2
    params = random_params(D, H, rng)
    ids = rng.integers(0, D, size=(T, B))
    dense = np.eye(D)[ids]                                   # (T, B, D)
    hs1, cs1, cache1 = lstm.forward(params, ids)
    hs2, cs2, cache2 = lstm.forward(params, dense)
    np.testing.assert_allclose(hs1, hs2, rtol=1e-13)
    dhs = rng.standard_normal((T, B, H))
    g1, g2 = lstm.backward(params, cache1, dhs), lstm.backward(params, cache2, dhs)
    assert g1["xs"] is None
    for k in params:
        np.testing.assert_allclose(g1[k], g2[k], rtol=1e-12, atol=1e-14)


def test_fused_gate_nonlinearity_matches_the_stable_sigmoid():
    """The forward's one-tanh gates equal activations.sigmoid / tanh to within a few ulps."""
    from lstm_course import activations
    for dtype, tol in ((np.float64, 4e-16), (np.float32, 2e-7)):
        a = np.concatenate([np.linspace(-50, 50, 401), [-1e4, 1e4, 0.0]]).astype(dtype)
        a = np.tile(a, (4, 1)).reshape(1, -1)                # (1, 4H), H = 404
        H = a.shape[1] // 4
        out = np.empty_like(a)
        gates_fn, scale = lstm.NUMPY_OPS.make_gates(H, dtype)
        gates_fn(a * scale, out)                             # forward folds the scale in
        expected = np.concatenate([activations.sigmoid(a[:, :2 * H]), np.tanh(a[:, 2 * H:3 * H]),
                                   activations.sigmoid(a[:, 3 * H:])], axis=1)
        assert out.dtype == dtype
        assert np.max(np.abs(out - expected)) <= tol
        assert out[0, 402] == 1.0 and out[0, 401] == 0.0     # exact limits at ±1e4


@pytest.mark.parametrize("g1,g2", list(itertools.combinations(lstm.GATES, 2)))
@pytest.mark.parametrize("what", ["W", "b"])
def test_swapping_two_gates_changes_the_result(g1, g2, what, rng):
    params = random_params(3, 4, rng)
    xs = rng.standard_normal((5, 2, 3))
    hs, cs, _ = lstm.forward(params, xs)
    swapped = dict(params)
    swapped[f"{what}_{g1}"], swapped[f"{what}_{g2}"] = params[f"{what}_{g2}"], params[f"{what}_{g1}"]
    hs2, cs2, _ = lstm.forward(swapped, xs)
    assert np.max(np.abs(hs - hs2)) > 1e-3 and np.max(np.abs(cs - cs2)) > 1e-3


def test_gates_follow_the_article_equations(rng):
    """One step checked against equations (1)-(6) of article 001, written out here."""
    D, H, B = 2, 3, 2
    p = random_params(D, H, rng)
    x, h_prev, c_prev = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    Z = np.concatenate([h_prev, x], axis=1)  # (B, H+D), hidden first
    sig = lambda a: 1 / (1 + np.exp(-a))
    f, i = sig(Z @ p["W_f"].T + p["b_f"]), sig(Z @ p["W_i"].T + p["b_i"])
    c_tilde, o = np.tanh(Z @ p["W_c"].T + p["b_c"]), sig(Z @ p["W_o"].T + p["b_o"])
    C = f * c_prev + i * c_tilde
    hs, cs, _ = lstm.forward(p, x[None], h_prev, c_prev)
    np.testing.assert_allclose(cs[0], C, rtol=1e-13)
    np.testing.assert_allclose(hs[0], o * np.tanh(C), rtol=1e-13)


def test_one_step_at_a_time_equals_the_sequence(rng):
    D, H, T, B = 3, 5, 6, 4
    params = random_params(D, H, rng)
    xs = rng.standard_normal((T, B, D))
    hs, cs, _ = lstm.forward(params, xs)
    h = c = None
    for t in range(T):
        h_t, c_t, _ = lstm.forward(params, xs[t:t + 1], h, c)
        np.testing.assert_allclose(h_t[0], hs[t], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(c_t[0], cs[t], rtol=1e-12, atol=1e-14)
        h, c = h_t[0], c_t[0]


def test_backward_of_split_sequences_sums_to_the_whole(rng):
    """BPTT over T steps = backward of the second half, then of the first half fed its dh0, dc0."""
    D, H, T, B = 2, 3, 6, 2
    params = random_params(D, H, rng)
    xs = rng.standard_normal((T, B, D))
    dhs = rng.standard_normal((T, B, H))
    _, _, cache = lstm.forward(params, xs)
    whole = lstm.backward(params, cache, dhs)
    hs1, cs1, cache1 = lstm.forward(params, xs[:3])
    _, _, cache2 = lstm.forward(params, xs[3:], hs1[-1], cs1[-1])
    g2 = lstm.backward(params, cache2, dhs[3:])
    dhs1 = dhs[:3].copy()
    dhs1[-1] += g2["h0"]
    g1 = lstm.backward(params, cache1, dhs1, dc_last=g2["c0"])
    for k in params:
        np.testing.assert_allclose(g1[k] + g2[k], whole[k], rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("ids", [False, True])
def test_backward_in_chunks_equals_one_chunk(rng, ids):
    D, H, T, B = 4, 3, 7, 2
    params = random_params(D, H, rng)
    xs = rng.integers(0, D, size=(T, B)) if ids else rng.standard_normal((T, B, D))
    _, _, cache = lstm.forward(params, xs, rng.standard_normal((B, H)), rng.standard_normal((B, H)))
    dhs, dc = rng.standard_normal((T, B, H)), rng.standard_normal((B, H))
    whole = lstm.backward(params, cache, dhs, dc, chunk=T)
    for chunk in (1, 2, 3, 6, 100):
        parts = lstm.backward(params, cache, dhs, dc, chunk=chunk)
        for k, v in whole.items():
            if v is None:
                assert parts[k] is None
            else:
                np.testing.assert_allclose(parts[k], v, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="chunk must be a positive integer"):
        lstm.backward(params, cache, dhs, chunk=0)


def test_backward_modifies_nothing(rng):
    params = random_params(3, 4, rng)
    xs, h0, c0 = rng.standard_normal((4, 2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    dhs, dc = rng.standard_normal((4, 2, 4)), rng.standard_normal((2, 4))
    _, _, cache = lstm.forward(params, xs, h0, c0)
    before = copy.deepcopy((params, xs, h0, c0, dhs, dc, cache))
    g1 = lstm.backward(params, cache, dhs, dc)
    g2 = lstm.backward(params, cache, dhs, dc)
    after = (params, xs, h0, c0, dhs, dc, cache)
    for a, b in zip(before, after):
        if isinstance(a, dict):
            assert a.keys() == b.keys()
            for k in a:
                np.testing.assert_array_equal(a[k], b[k])
        else:
            np.testing.assert_array_equal(a, b)
    for k in g1:
        np.testing.assert_array_equal(g1[k], g2[k])


def test_returned_states_cannot_corrupt_the_cache(rng):
    params = random_params(2, 3, rng)
    hs, cs, cache = lstm.forward(params, rng.standard_normal((3, 1, 2)))
    with pytest.raises(ValueError, match="read-only"):
        hs[:] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        cs[0] += 1.0
    edited = hs.copy()
    edited[:] = 0.0
    assert np.any(cache["hs"] != 0)


def test_float32_in_gives_float32_out(rng):
    params = random_params(3, 4, rng, dtype=np.float32)
    xs = rng.standard_normal((5, 2, 3)).astype(np.float32)
    hs, cs, cache = lstm.forward(params, xs)
    grads = lstm.backward(params, cache, np.ones_like(hs))
    assert hs.dtype == cs.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    p64 = {k: v.astype(np.float64) for k, v in params.items()}
    hs64, _, _ = lstm.forward(p64, xs.astype(np.float64))
    np.testing.assert_allclose(hs, hs64, atol=1e-5)


def test_init_params_shapes_and_ranges(rng):
    p = lstm.init_params(7, 5, rng=rng)
    r = np.sqrt(6 / (12 + 5))
    for g in lstm.GATES:
        assert p[f"W_{g}"].shape == (5, 12) and p[f"b_{g}"].shape == (5,)
        assert np.all(np.abs(p[f"W_{g}"]) <= r) and np.all(p[f"b_{g}"] == 0)
    assert not np.array_equal(p["W_f"], p["W_i"])
    same = lstm.init_params(7, 5, rng=np.random.default_rng(1))
    again = lstm.init_params(7, 5, rng=np.random.default_rng(1))
    assert all(np.array_equal(same[k], again[k]) for k in same)


def test_fuse_and_split_are_inverse(rng):
    p = random_params(2, 3, rng)
    W, b = lstm.fuse(p)
    assert W.shape == (12, 5) and b.shape == (12,)
    back = {**lstm.split(W, "W"), **lstm.split(b, "b")}
    assert all(np.array_equal(back[k], p[k]) for k in p)
