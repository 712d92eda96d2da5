"""The stacked character model: the same LSTM again on the layer below's h_t, dropout between
layers, and everything that carries a model (state, evaluation, sampling, checkpoints, the
command line)."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_course.core import activations, gradcheck, layers
from lstm_course.core import lstm as readable
from lstm_course.hamlet import checkpoint, data, kernel, model, train
from lstm_course.hamlet.config import TrainConfig
from lstm_course.hamlet.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
V, H, B = 7, 5, 3


def _stacked(rng, layers=2, dtype=np.float64):
    """A stacked model with random, non-zero biases that differ per gate and per layer."""
    params = model.init_model(V, H, rng=rng, dtype=dtype, layers=layers)
    for k in params:
        if ".b_" in k or k.startswith("b_"):
            params[k] = rng.uniform(-0.5, 0.5, params[k].shape).astype(dtype)
    return params


def _window(rng, T=6):
    ids = rng.integers(0, V, size=(T + 1, B))
    return ids[:-1], ids[1:]


def test_layer_names_and_shapes():
    shapes = model.model_shapes(V, H, layers=3)
    assert shapes["W_f"] == (H, H + V) and shapes["layer2.W_f"] == (H, 2 * H)
    assert shapes["layer3.b_o"] == (H,) and "layer4.b_o" not in shapes
    assert model.layer_key(1, "W_c") == "W_c" and model.layer_key(2, "W_c") == "layer2.W_c"
    assert model.count_layers(model.init_model(V, H, rng=np.random.default_rng(0), layers=3)) == 3


def test_the_first_layer_and_readout_are_the_one_layer_draw():
    one = model.init_model(V, H, rng=np.random.default_rng(4))
    two = model.init_model(V, H, rng=np.random.default_rng(4), layers=2)
    for k in one:
        np.testing.assert_array_equal(one[k], two[k])
    assert not np.array_equal(two["layer2.W_f"][:, H:], two["W_f"][:, H:H + H])


def test_the_stack_is_the_readable_lstm_run_twice(rng):
    """Layer 2 is the course's LSTM reading layer 1's h_t; the readout reads layer 2's."""
    params = _stacked(rng)
    inputs, targets = _window(rng)
    h0, c0 = rng.standard_normal((2, B, H)), rng.standard_normal((2, B, H))
    loss, _, (h_T, c_T) = model.loss_and_grads(params, inputs, targets, h0, c0)
    x1 = np.eye(V)[inputs]                                                    # (T, B, V)
    hs1, cs1, _ = readable.forward(model.layer_params(params, 1), x1, h0[0], c0[0])
    hs2, cs2, _ = readable.forward(model.layer_params(params, 2), hs1, h0[1], c0[1])
    logits = layers.readout_forward(params["W_v"], params["b_v"], hs2)        # (T, B, V)
    logp = np.log(activations.softmax(logits, axis=-1))                       # (T, B, V)
    expected = -np.take_along_axis(logp, targets[..., None], axis=-1).sum() / B
    assert loss == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(h_T, np.stack([hs1[-1], hs2[-1]]), rtol=0, atol=1e-13)
    np.testing.assert_allclose(c_T, np.stack([cs1[-1], cs2[-1]]), rtol=0, atol=1e-13)


@pytest.mark.parametrize("dropout", [0.0, 0.4])
@pytest.mark.parametrize("layers_", [2, 3])
def test_loss_and_grads_match_finite_differences(rng, dropout, layers_):
    params = _stacked(rng, layers=layers_)
    inputs, targets = _window(rng)
    h0 = rng.standard_normal((layers_, B, H))
    c0 = rng.standard_normal((layers_, B, H))

    def loss_and_grads():   # the same dropout masks at every call: a fresh rng of one seed
        return model.loss_and_grads(params, inputs, targets, h0, c0, dropout=dropout,
                                    rng=np.random.default_rng(11))

    _, grads, _ = loss_and_grads()
    for k, p in params.items():
        numeric = gradcheck.numerical_gradient(lambda: loss_and_grads()[0], p, eps=1e-5)
        assert gradcheck.relative_error(grads[k], numeric) < 1e-7, k


def test_dropout_drops_what_one_layer_hands_the_next(rng):
    params = _stacked(rng)
    inputs, targets = _window(rng, T=40)
    plain = model.loss_and_grads(params, inputs, targets)[0]
    assert model.loss_and_grads(params, inputs, targets, dropout=0.0,
                                rng=np.random.default_rng(0))[0] == plain
    ws = Workspace()
    dropped = model.loss_and_grads(params, inputs, targets, dropout=0.25,
                                   rng=np.random.default_rng(0), workspace=ws)[0]
    assert dropped != plain
    mask = ws.part("layer2")._arrays["dropout.mask"]                          # (T, B, H)
    assert set(np.unique(mask)) <= {0.0, 1 / 0.75}
    assert abs(np.mean(mask == 0) - 0.25) < 0.05                              # 600 draws
    # evaluation never drops: the same loss at every call
    ids = rng.integers(0, V, size=300)
    assert model.evaluate(params, ids) == model.evaluate(params, ids)


def test_the_state_carries_over_windows_in_every_layer(rng):
    params = _stacked(rng)
    inputs, targets = _window(rng, T=10)
    whole, _, (h, c) = model.loss_and_grads(params, inputs, targets)
    first, _, state = model.loss_and_grads(params, inputs[:4], targets[:4])
    assert state[0].shape == (2, B, H)
    rest, _, (h2, c2) = model.loss_and_grads(params, inputs[4:], targets[4:], *state)
    assert first + rest == pytest.approx(whole, rel=1e-12)
    np.testing.assert_allclose(h2, h, atol=1e-13)
    np.testing.assert_allclose(c2, c, atol=1e-13)


def test_a_workspace_changes_nothing_and_each_layer_has_its_own(rng):
    params = _stacked(rng, dtype=np.float32)
    inputs, targets = _window(rng)
    plain = model.loss_and_grads(params, inputs, targets, dropout=0.3,
                                 rng=np.random.default_rng(2))
    ws = Workspace()
    kept = model.loss_and_grads(params, inputs, targets, dropout=0.3,
                                rng=np.random.default_rng(2), workspace=ws)
    other = _window(rng)
    model.loss_and_grads(params, *other, workspace=ws)        # must not touch kept's results
    assert kept[0] == plain[0]
    for k in params:
        np.testing.assert_array_equal(kept[1][k], plain[1][k])
    np.testing.assert_array_equal(kept[2][0], plain[2][0])
    assert "lstm.gates" in ws._arrays and "lstm.gates" in ws.part("layer2")._arrays
    assert ws.nbytes() > ws.part("layer2").nbytes() > 0


def test_sampling_and_accuracy_run_on_a_stack(rng):
    params = _stacked(rng)
    vocab = data.Vocabulary("abcdefg")
    a = model.sample(params, vocab, "abc", 30, temperature=0.7, rng=np.random.default_rng(1))
    b = model.sample(params, vocab, "abc", 30, temperature=0.7, rng=np.random.default_rng(1))
    assert a == b and len(a) == 33 and set(a) <= set("abcdefg")
    ids = rng.integers(0, V, size=50)
    assert 0 <= model.argmax_accuracy(params, ids) <= 1


@pytest.mark.parametrize("call,error,message", [
    (lambda p, x, y: model.loss_and_grads(p, x, y, np.zeros((B, H))), ValueError,
     r"h0 of a 2-layer model must be \(2, B, H\), one \(B, H\) state per layer"),
    (lambda p, x, y: model.loss_and_grads(p, x, y, None, np.zeros((3, B, H))), ValueError,
     r"c0 of a 2-layer model must be \(2, B, H\)"),
    (lambda p, x, y: model.loss_and_grads(p, x, y, dropout=1.0, rng=np.random.default_rng(0)),
     ValueError, r"dropout must lie in \[0, 1\), got 1.0"),
    (lambda p, x, y: model.loss_and_grads(p, x, y, dropout=-0.1, rng=np.random.default_rng(0)),
     ValueError, "dropout"),
    (lambda p, x, y: model.loss_and_grads(p, x, y, dropout=0.2), TypeError,
     "dropout > 0 needs rng, a numpy.random.Generator"),
    (lambda p, x, y: model.init_model(V, H, rng=np.random.default_rng(0), layers=0), ValueError,
     "layers must be a positive integer"),
    (lambda p, x, y: model.check_model({k: v for k, v in p.items() if k != "layer2.W_o"}, V),
     ValueError, r"params must hold exactly the arrays of a 2-layer model; missing "
                 r"\['layer2.W_o'\]"),
    (lambda p, x, y: model.check_model(p, V, H, layers=1), ValueError,
     r"unexpected \['layer2.W_c'"),
    (lambda p, x, y: model.check_model({**p, "layer2.W_f": p["W_f"]}, V), ValueError,
     r"params\['layer2.W_f'\] has shape \(5, 12\), expected \(5, 10\)"),
])
def test_bad_input_to_a_stack_is_one_clear_error(rng, call, error, message):
    params = _stacked(rng)
    with pytest.raises(error, match=message):
        call(params, *_window(rng))


def test_a_stacked_checkpoint_round_trips(rng, tmp_path):
    vocab = data.Vocabulary("abcdefg")
    params = _stacked(rng)
    config = TrainConfig(hidden_size=H, dtype="float64", layers=2, dropout=0.1)
    path = checkpoint.save_checkpoint(tmp_path / "two.npz", params, vocab, config)
    loaded, _, saved, _ = checkpoint.load_checkpoint(path)
    assert (saved.layers, saved.dropout) == (2, 0.1)
    for k in params:
        np.testing.assert_array_equal(loaded[k], params[k])
    # a record that says one layer over two layers' arrays is refused, naming the file
    with pytest.raises(ValueError, match="unexpected"):
        checkpoint.save_checkpoint(tmp_path / "one.npz", params, vocab,
                                   TrainConfig(hidden_size=H, dtype="float64"))
    bad = tmp_path / "bad.npz"
    with np.load(path) as npz:
        meta = json.loads(npz["__meta__"].tobytes().decode())
    meta["config"].update(layers=1, dropout=0.0)
    np.savez(bad, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **params)
    with pytest.raises(checkpoint.CheckpointError, match=f"checkpoint {bad}: .*unexpected"):
        checkpoint.load_checkpoint(bad)


def test_a_checkpoint_from_before_stacking_loads_as_one_layer():
    """models/hamlet.npz was written before TrainConfig had layers and dropout."""
    path = ROOT / "models" / "hamlet.npz"
    with np.load(path) as npz:
        saved = json.loads(npz["__meta__"].tobytes().decode())["config"]
    assert "layers" not in saved and "dropout" not in saved
    params, _, config, _ = checkpoint.load_checkpoint(path)
    assert (config.layers, config.dropout) == (1, 0.0) and model.count_layers(params) == 1


def test_the_shipped_model_is_the_two_layer_recipe():
    params, _, config, history = checkpoint.load_checkpoint(ROOT / "models" / "canon.npz")
    assert (config.corpus, config.layers, config.hidden_size, config.dropout) == ("canon", 2, 256, 0.2)
    assert model.count_layers(params) == 2 and history["best_held_out_loss"] < 1.38


@pytest.mark.parametrize("fields,message", [
    (dict(layers=0), "layers must be a positive integer"),
    (dict(layers=2, dropout=1.0), r"dropout must lie in \[0, 1\)"),
    (dict(dropout=0.2), "dropout acts between layers: dropout=0.2 needs layers of at least 2"),
])
def test_the_config_checks_layers_and_dropout(fields, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**fields).validate()


def test_training_a_stack_resumes_only_as_a_stack(tmp_path):
    text = "to be, or not to be: that is the question. " * 40
    path = tmp_path / "two.npz"
    config = TrainConfig(hidden_size=8, seq_len=10, batch_size=4, steps=6, eval_every=3,
                         layers=2, dropout=0.2, corpus="soliloquy")
    out = train.train(text, config, checkpoint=path, progress=False)
    assert out["history"]["step"] == 6 and model.count_layers(out["params"]) == 2
    _, _, saved, history = checkpoint.load_checkpoint(path)
    assert saved.layers == 2 and history["eval_steps"] == [3, 6]
    one = TrainConfig(hidden_size=8, seq_len=10, batch_size=4, steps=9, eval_every=3,
                      corpus="soliloquy")
    with pytest.raises(ValueError, match="has hidden_size=8, dtype=float32, layers=2; resume "
                                         "with the same values"):
        train.train(text, one, checkpoint=path, resume=True, progress=False)
    config.steps = 9
    assert train.train(text, config, checkpoint=path, resume=True,
                       progress=False)["history"]["step"] == 9


def test_the_command_line_trains_and_samples_a_stack(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "lstm_course", *args], capture_output=True,
                              text=True, timeout=300)

    ck = tmp_path / "two.npz"
    out = run("train", "--text", "soliloquy", "--layers", "2", "--dropout", "0.1",
              "--steps", "4", "--eval-every", "2", "--hidden-size", "12", "--seq-len", "20",
              "--batch-size", "4", "--checkpoint", str(ck))
    assert out.returncode == 0, out.stderr
    assert checkpoint.load_checkpoint(ck)[2].layers == 2
    out = run("sample", "--checkpoint", str(ck), "--prime", "to be", "--length", "20")
    assert out.returncode == 0 and out.stdout.startswith("to be"), out.stderr
    for args, message in ((("--dropout", "0.2"), "--dropout acts between layers"),
                          (("--layers", "0"), "--layers must be a positive integer, got 0"),
                          (("--layers", "2", "--dropout", "1"),
                           r"--dropout must lie in [0, 1), got 1.0")):
        out = run("train", "--text", "soliloquy", "--checkpoint", str(tmp_path / "x.npz"), *args)
        assert out.returncode == 2 and message in out.stderr, out.stderr
        assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_one_layer_functions_refuse_a_stacked_model_instead_of_running_its_first_layer(rng):
    params = _stacked(rng)
    inputs, _ = _window(rng)
    for forward in (lambda: kernel.forward(params, inputs),
                    lambda: readable.forward(params, np.eye(V)[inputs])):
        with pytest.raises(ValueError, match=r"params hold a stacked model \(its 'layer2.W_f'"):
            forward()
    hs, _, _ = kernel.forward(model.layer_params(params, 1), inputs)     # one layer: fine
    assert hs.shape == (len(inputs), B, H)


def test_hidden_states_is_what_the_readout_reads(rng):
    params = _stacked(rng)
    inputs, targets = _window(rng)
    hs, (h, c) = model.hidden_states(params, inputs)
    assert hs.shape == (len(inputs), B, H) and h.shape == c.shape == (2, B, H)
    _, _, (h2, c2) = model.loss_and_grads(params, inputs, targets)
    np.testing.assert_array_equal(h, h2)
    np.testing.assert_array_equal(hs[-1], h2[1])


def test_the_stack_proof_catches_a_mask_left_out_of_backward(monkeypatch):
    """The catalogue's "stacked layers backward" proves model.stack_backward itself: with the
    dropout mask left out of the gradient sent down, the proof fails."""
    from lstm_course.proofs import cell, verify

    inputs, grads, L = cell.symbolic_stack(2, 1, 1, 1)
    assert all(verify.verify_gradient(grads[k], L, inputs[k]) for k in inputs)
    real = model.stack_backward
    monkeypatch.setattr(model, "stack_backward", lambda params, caches, masks, dhs, **kw:
                        real(params, caches, [None] * len(masks), dhs, **kw))
    inputs, grads, L = cell.symbolic_stack(2, 1, 1, 1)
    assert not verify.verify_gradient(grads["W_f"], L, inputs["W_f"])
    assert verify.verify_gradient(grads["layer2.W_f"], L, inputs["layer2.W_f"])


def test_the_stack_functions_check_their_lists(rng):
    params = _stacked(rng)
    inputs, targets = _window(rng)
    with pytest.raises(ValueError, match=r"masks must be a list of 1: one mask \(or None\) per "
                                         r"layer above the first; got 2 of them"):
        model.stack_forward(params, inputs, [None, None], [None, None], [None, None])
    with pytest.raises(ValueError, match="h0s must be a list of 2: .* got ndarray"):
        model.stack_forward(params, inputs, np.zeros((2, B, H)), [None, None], [None])
    _, caches, _, _ = model.stack_forward(params, inputs, [None, None], [None, None], [None])
    with pytest.raises(ValueError, match="caches must be a list of 2"):
        model.stack_backward(params, caches[:1], [None], np.zeros((len(inputs), B, H)))
    one = model.init_model(V, H, rng=rng, dtype=np.float64)
    with pytest.raises(ValueError, match="dropout acts between layers: dropout=0.3 needs a model "
                                         "of at least 2 layers"):
        model.loss_and_grads(one, inputs, targets, dropout=0.3, rng=np.random.default_rng(0))


def test_canon_defaults_to_the_shipped_recipe_and_one_layer_drops_nothing(tmp_path, monkeypatch):
    """--text canon means two layers of 256 with dropout 0.2; --layers 1 alone must not fail on
    that dropout (one layer has nothing between layers to drop)."""
    from lstm_course import __main__ as cli

    seen = []
    monkeypatch.setattr(train, "train", lambda text, config, **kw: seen.append(config) or {
        "history": {"held_out_loss": []}, "warnings": [], "interrupted": False})
    monkeypatch.setattr(data, "canon", lambda: data.Corpus("canon", "ab" * 50, "ba" * 20))
    for argv in ([], ["--layers", "1"], ["--layers", "3", "--dropout", "0.1"]):
        assert cli.main(["train", "--text", "canon", "--checkpoint", str(tmp_path / "c.npz"),
                         *argv]) == 0
    assert [(c.layers, c.hidden_size, c.dropout) for c in seen] == [(2, 256, 0.2), (1, 256, 0.0),
                                                                    (3, 256, 0.1)]
