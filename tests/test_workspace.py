"""The training fast path: buffers kept in a Workspace, the readout's gradient made per chunk,
outputs written in place.  Each must give exactly what the plain path gives."""
import numpy as np
import pytest
from conftest import random_params

from lstm_course.core import activations, layers
from lstm_course.hamlet import kernel as lstm, model as charmodel, readout
from lstm_course.hamlet.workspace import Workspace


def _model(rng, V=7, H=5, dtype=np.float64):
    params = charmodel.init_model(V, H, rng=rng, dtype=dtype)
    for k in params:
        if k.startswith("b_"):
            params[k] = rng.uniform(-0.5, 0.5, params[k].shape).astype(dtype)
    return params


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_workspace_changes_nothing_in_the_results(rng, dtype):
    params = _model(rng, dtype=dtype)
    ids = rng.integers(0, 7, size=(13, 3))
    h0 = rng.standard_normal((3, 5)).astype(dtype)
    plain = charmodel.loss_and_grads(params, ids[:-1], ids[1:], h0, h0)
    ws = Workspace()
    first = charmodel.loss_and_grads(params, ids[:-1], ids[1:], h0, h0, workspace=ws)
    # a second, different window through the same workspace must not touch the first's results
    other = rng.integers(0, 7, size=(13, 3))
    charmodel.loss_and_grads(params, other[:-1], other[1:], workspace=ws)
    assert first[0] == pytest.approx(plain[0], rel=1e-12 if dtype == np.float64 else 1e-6)
    for k in params:
        np.testing.assert_array_equal(first[1][k], plain[1][k])
    np.testing.assert_array_equal(first[2][0], plain[2][0])
    np.testing.assert_array_equal(first[2][1], plain[2][1])


def test_the_workspace_keeps_its_buffers_from_step_to_step(rng):
    params = _model(rng)
    ids = rng.integers(0, 7, size=(9, 2))
    ws = Workspace()
    _, _, (h, c) = charmodel.loss_and_grads(params, ids[:-1], ids[1:], workspace=ws)
    held = dict(ws._arrays)
    assert {"lstm.gates", "lstm.cs", "lstm.hs", "lstm.P", "logits"} <= set(held)
    # the carried state is a copy, so feeding it back cannot alias the buffers it came from
    assert not any(np.shares_memory(h, a) or np.shares_memory(c, a) for a in held.values())
    charmodel.loss_and_grads(params, ids[:-1], ids[1:], h, c, workspace=ws)
    assert all(ws._arrays[k] is a for k, a in held.items())
    assert "MiB" in repr(ws) and ws.nbytes() == sum(a.nbytes for a in held.values())


def test_forward_with_a_workspace_equals_forward_without(rng):
    params = random_params(3, 4, rng)
    xs = rng.standard_normal((6, 2, 3))
    hs, cs, cache = lstm.forward(params, xs)
    hs_w, cs_w, cache_w = lstm.forward(params, xs, workspace=Workspace())
    np.testing.assert_array_equal(hs, hs_w)
    np.testing.assert_array_equal(cache["gates"], cache_w["gates"])
    dhs = rng.standard_normal((6, 2, 4))
    g = lstm.backward(params, cache, dhs)
    g_w = lstm.backward(params, cache_w, dhs, workspace=Workspace())
    for k in g:
        np.testing.assert_array_equal(g[k], g_w[k])


def test_backward_takes_the_readout_gradient_a_chunk_at_a_time(rng):
    params = random_params(3, 4, rng)
    xs = rng.standard_normal((7, 2, 3))
    _, _, cache = lstm.forward(params, xs)
    dhs = rng.standard_normal((7, 2, 4))
    asked = []

    def dhs_chunk(start, end):
        asked.append((start, end))
        return dhs[start:end]
    whole = lstm.backward(params, cache, dhs)
    lazy = lstm.backward(params, cache, dhs_chunk, chunk=3)
    assert asked == [(4, 7), (1, 4), (0, 1)]         # from the last step back
    for k in whole:
        np.testing.assert_allclose(lazy[k], whole[k], rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match=r"dhs\(4, 7\) must return a float64 array of shape"):
        lstm.backward(params, cache, lambda s, e: dhs[s:e, :1], chunk=3)


def test_backward_default_chunk_is_sized_in_bytes(rng, monkeypatch):
    params = random_params(3, 4, rng)
    xs = rng.standard_normal((40, 2, 3))
    _, _, cache = lstm.forward(params, xs)
    dhs = rng.standard_normal((40, 2, 4))
    asked = []

    def dhs_chunk(start, end):
        asked.append((start, end))
        return dhs[start:end]
    # one step's local factors: B * 4H float64 = 2 * 16 * 8 = 256 bytes; 1536 bytes = 6 steps
    monkeypatch.setattr(lstm, "CHUNK_BYTES", 1536)
    default = lstm.backward(params, cache, dhs_chunk)
    assert asked[:2] == [(34, 40), (28, 34)] and len(asked) == 7
    whole = lstm.backward(params, cache, dhs, chunk=40)
    for k in whole:
        np.testing.assert_allclose(default[k], whole[k], rtol=1e-12, atol=1e-14)


def test_the_fused_readout_writes_in_place_and_equals_the_readable_one(rng):
    """hamlet.readout (what training runs) gives core.layers' numbers, written into buffers."""
    W_v, b_v = rng.standard_normal((6, 4)), rng.standard_normal(6)
    hs = rng.standard_normal((5, 3, 4))
    targets = rng.integers(0, 6, size=(5, 3))
    logits = layers.readout_forward(W_v, b_v, hs)
    buffer = np.empty((5, 3, 6))
    assert readout.logits_into(W_v, b_v, hs, out=buffer) is buffer
    np.testing.assert_allclose(buffer, logits, rtol=1e-14, atol=1e-14)
    loss, dlogits = layers.softmax_cross_entropy(logits, targets)
    loss_in_place, d_in_place = readout.cross_entropy_into(buffer, targets, out=buffer)
    assert d_in_place is buffer and loss_in_place == pytest.approx(loss, rel=1e-13)
    np.testing.assert_allclose(d_in_place, dlogits, rtol=1e-12, atol=1e-15)
    expected = layers.readout_backward(W_v, hs, dlogits)
    np.testing.assert_allclose(readout.grad_hs(W_v, dlogits), expected["hs"], rtol=1e-12)
    for k, v in readout.weight_grads(hs, dlogits).items():
        np.testing.assert_allclose(v, expected[k], rtol=1e-12)


@pytest.mark.parametrize("bad", [np.empty((5, 3, 7)), np.empty((5, 3, 6), np.float32),
                                 np.empty((5, 6, 3)).transpose(0, 2, 1), "logits"])
def test_bad_out_arrays_are_named(rng, bad):
    W_v, b_v = rng.standard_normal((6, 4)), rng.standard_normal(6)
    hs = rng.standard_normal((5, 3, 4))
    with pytest.raises(ValueError, match="out must be a writeable C-contiguous float64 array"):
        readout.logits_into(W_v, b_v, hs, out=bad)
    with pytest.raises(ValueError, match="out must be a writeable C-contiguous float64 array"):
        readout.cross_entropy_into(rng.standard_normal((5, 3, 6)), np.zeros((5, 3), int),
                                   out=bad)


def test_a_wrong_workspace_is_named(rng):
    params = random_params(3, 4, rng)
    with pytest.raises(TypeError, match="workspace must be a lstm_course.hamlet.workspace.Workspace"):
        lstm.forward(params, rng.standard_normal((2, 1, 3)), workspace={})


def test_loss_and_grads_checks_the_readout_it_does_not_recheck(rng):
    params = _model(rng, dtype=np.float32)
    params["W_v"] = params["W_v"].astype(np.float64)
    ids = rng.integers(0, 7, size=(4, 2))
    with pytest.raises(TypeError, match="W_v has dtype float64 but the model's parameters are float32"):
        charmodel.loss_and_grads(params, ids[:-1], ids[1:])
    params = _model(rng)
    params["b_v"] = np.full(7, np.nan)
    with pytest.raises(ValueError, match="b_v contains NaN"):
        charmodel.loss_and_grads(params, ids[:-1], ids[1:])
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 7\)"):
        charmodel.loss_and_grads(_model(rng), ids[:-1], ids[1:] + 7)


def test_backward_refuses_a_cache_a_later_forward_overwrote(rng):
    params = random_params(3, 4, rng)
    ws = Workspace()
    _, _, first = lstm.forward(params, rng.standard_normal((3, 2, 3)), workspace=ws)
    lstm.forward(params, rng.standard_normal((3, 2, 3)), workspace=ws)
    with pytest.raises(ValueError, match="cache was overwritten: a later kernel.forward used the same workspace"):
        lstm.backward(params, first, rng.standard_normal((3, 2, 4)), workspace=ws)
