import zipfile

import numpy as np
import pytest

from lstm_course.core import gradcheck
from lstm_course.hamlet import checkpoint, data, model as charmodel, optim, train
from lstm_course.hamlet.config import TrainConfig

TEXT = "to be, or not to be: that is the question. " * 12


@pytest.fixture
def small(rng):
    vocab = data.Vocabulary.from_text(TEXT)
    params = charmodel.init_model(len(vocab), 8, rng=rng, dtype=np.float64)
    for k in params:
        if k.startswith("b_"):
            params[k] = rng.uniform(-0.5, 0.5, params[k].shape)
    return vocab, params


def test_loss_and_grads_match_finite_differences(small, rng):
    vocab, params = small
    ids = vocab.encode(TEXT[:31])
    inputs, targets = ids[:-1].reshape(10, 3, order="F"), ids[1:].reshape(10, 3, order="F")
    h0, c0 = rng.standard_normal((3, 8)), rng.standard_normal((3, 8))
    loss, grads, _ = charmodel.loss_and_grads(params, inputs, targets, h0, c0)
    for k, p in params.items():
        # eps = 1e-5: the loss (about 30 nats) is large next to these gradients (about 1e-3),
        # so at 1e-6 the differences' round-off, not the backward, would set the error
        numeric = gradcheck.numerical_gradient(
            lambda: charmodel.loss_and_grads(params, inputs, targets, h0, c0)[0], p, eps=1e-5)
        assert gradcheck.relative_error(grads[k], numeric) < 1e-7, k


def test_adam_and_sgd_reduce_the_loss(small):
    vocab, params = small
    ids = vocab.encode(TEXT)
    inputs, targets = ids[:-1, None], ids[1:, None]
    for update, lr in (("sgd", 0.01), ("adam", 0.03)):
        p = {k: v.copy() for k, v in params.items()}
        state = optim.AdamState.zeros_like(p)
        first = charmodel.loss_and_grads(p, inputs, targets)[0]
        for _ in range(60):
            _, g, _ = charmodel.loss_and_grads(p, inputs, targets)
            if update == "sgd":
                optim.sgd_update(p, g, lr)
            else:
                optim.adam_update(p, g, state, lr)
        assert charmodel.loss_and_grads(p, inputs, targets)[0] < 0.6 * first, update


def test_sampling_is_seeded_and_checks_its_arguments(small):
    vocab, params = small
    a = charmodel.sample(params, vocab, "to be", 40, temperature=0.8, rng=np.random.default_rng(3))
    b = charmodel.sample(params, vocab, "to be", 40, temperature=0.8, rng=np.random.default_rng(3))
    assert a == b and a.startswith("to be") and len(a) == 45 and set(a) <= set(vocab.chars)
    with pytest.raises(ValueError, match="prime has characters outside the vocabulary: 'AHMT'"):
        charmodel.sample(params, vocab, "To be HAM", 5, rng=np.random.default_rng(0))
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="temperature must be a positive, finite number"):
            charmodel.sample(params, vocab, "to", 5, temperature=bad, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="length must be a positive integer"):
        charmodel.sample(params, vocab, "to", 0, rng=np.random.default_rng(0))


def _config(**kw):
    base = dict(hidden_size=8, seq_len=10, batch_size=2, steps=12, eval_every=4,
                held_out_fraction=0.2, dtype="float64", learning_rate=1e-2)
    return TrainConfig(**{**base, **kw})


def test_training_writes_checkpoints_and_resumes(tmp_path):
    path = tmp_path / "run.npz"
    out = train.train(TEXT, _config(), checkpoint=path, progress=False)
    h = out["history"]
    assert h["step"] == 12 and h["eval_steps"] == [4, 8, 12] and len(h["held_out_loss"]) == 3
    assert all(np.isfinite(h["held_out_loss"]))
    more = train.train(TEXT, _config(steps=20), checkpoint=path, resume=True, progress=False)
    assert more["history"]["step"] == 20 and more["history"]["eval_steps"][-1] == 20
    assert checkpoint.load_checkpoint(path)[3]["step"] == 20


def test_non_finite_loss_stops_and_keeps_the_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    train.train(TEXT, _config(steps=4), checkpoint=path, progress=False)
    before = path.read_bytes()
    real = charmodel.loss_and_grads
    calls = {"n": 0}

    def exploding(*args, **kwargs):
        loss, grads, state = real(*args, **kwargs)
        calls["n"] += 1
        return (float("nan") if calls["n"] == 3 else loss), grads, state
    monkeypatch.setattr(charmodel, "loss_and_grads", exploding)
    with pytest.raises(charmodel.NonFiniteLossError,
                       match=r"became nan at step 7; the parameters were not updated with it; "
                             r".*run\.npz is unchanged \(it holds the run up to step 4\)"):
        train.train(TEXT, _config(steps=12), checkpoint=path, resume=True, progress=False)
    assert path.read_bytes() == before


def test_ctrl_c_keeps_the_last_checkpoint(tmp_path, monkeypatch, capsys):
    path = tmp_path / "run.npz"
    real = charmodel.loss_and_grads
    calls = {"n": 0}

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return real(*args, **kwargs)
    monkeypatch.setattr(charmodel, "loss_and_grads", interrupted)
    out = train.train(TEXT, _config(), checkpoint=path, progress=False)
    assert out["interrupted"] and out["history"]["step"] == 5
    assert checkpoint.load_checkpoint(path)[3]["step"] == 4
    printed = capsys.readouterr().out
    assert "interrupted at step 5; the checkpoint" in printed
    assert "is intact: the best weights up to step 4" in printed


def test_config_is_validated():
    with pytest.raises(ValueError, match="optimizer must be 'adam' or 'sgd'"):
        TrainConfig(optimizer="rmsprop").validate()
    with pytest.raises(ValueError, match="learning_rate must be a positive, finite number"):
        TrainConfig(learning_rate=0).validate()
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        TrainConfig(hidden_size=0).validate()


def test_sample_takes_numpy_numbers_and_refuses_bools(small):
    vocab, params = small
    text = charmodel.sample(params, vocab, "to", np.int64(5), temperature=np.float32(0.5),
                            rng=np.random.default_rng(0))
    assert len(text) == 7
    with pytest.raises(TypeError, match="temperature must be a real number, got True"):
        charmodel.sample(params, vocab, "to", 5, temperature=True, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="length must be a positive integer, got True"):
        charmodel.sample(params, vocab, "to", True, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        charmodel.sample(params, vocab, "to", 5, rng=0)


def test_sample_refuses_a_model_that_does_not_fit_the_vocabulary(small):
    vocab, params = small
    fewer = dict(params, W_v=params["W_v"][:-1], b_v=params["b_v"][:-1])
    with pytest.raises(ValueError, match=r"params\['W_v'\] has shape \(\d+, 8\), expected"):
        charmodel.sample(fewer, vocab, "to", 5, rng=np.random.default_rng(0))
    broken = dict(params, W_v=np.full_like(params["W_v"], np.nan))
    with pytest.raises(charmodel.NonFiniteLossError, match=r"params \['W_v'\] hold NaN"):
        charmodel.sample(broken, vocab, "to", 5, rng=np.random.default_rng(0))


@pytest.mark.parametrize("field,value,error,message", [
    ("learning_rate", float("inf"), ValueError, "learning_rate must be a positive, finite"),
    ("learning_rate", float("nan"), ValueError, "learning_rate must be a positive, finite"),
    ("learning_rate", "0.1", TypeError, "learning_rate must be a real number"),
    ("clip_norm", float("nan"), ValueError, "clip_norm must be a finite number >= 0"),
    ("held_out_fraction", 0, ValueError, "held_out_fraction must lie strictly between 0 and 1"),
    ("held_out_fraction", 1.5, ValueError, "held_out_fraction must lie strictly between 0 and 1"),
    ("held_out_fraction", float("nan"), ValueError, "held_out_fraction must lie strictly"),
    ("held_out_fraction", True, TypeError, "held_out_fraction must be a number"),
    ("seed", -1, ValueError, "seed must be a non-negative integer, got -1"),
    ("seed", "x", TypeError, "seed must be a non-negative integer, got 'x'"),
    ("seed", 1.5, TypeError, "seed must be a non-negative integer"),
    ("steps", True, TypeError, "steps must be a positive integer, got True"),
    ("batch_size", 0, ValueError, "batch_size must be a positive integer, got 0"),
    ("dtype", "float16", ValueError, "dtype must be 'float32' or 'float64'"),
    ("extra", [], TypeError, "extra must be a dict"),
])
def test_every_config_field_is_checked(field, value, error, message):
    with pytest.raises(error, match=message):
        TrainConfig(**{field: value}).validate()
    config = TrainConfig(seed=np.int64(3), learning_rate=np.float32(0.25)).validate()
    assert type(config.seed) is int and config.learning_rate == 0.25    # numpy numbers made plain


def test_training_on_a_corpus_evaluates_its_held_out_text(tmp_path):
    held = "that is the question: whether 'tis nobler. "
    out = train.train(TEXT, _config(corpus="canon"), held_out=held,
                      checkpoint=tmp_path / "c.npz", progress=False)
    vocab = out["vocab"]
    assert set(vocab.chars) == set(TEXT + held)              # the vocabulary of both texts
    expected = charmodel.evaluate(out["best_params"], vocab.encode(held))
    assert out["history"]["best_held_out_loss"] == pytest.approx(expected, rel=1e-12)
    assert checkpoint.load_checkpoint(tmp_path / "c.npz")[2].corpus == "canon"
    with pytest.raises(ValueError, match="held_out must be None or a string"):
        train.train(TEXT, _config(), held_out="x", progress=False)
    with pytest.raises(ValueError, match="corpus must be one of"):
        TrainConfig(corpus="sonnets").validate()
