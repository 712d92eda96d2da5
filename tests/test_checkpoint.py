"""Checkpoints: nothing lost, every problem a one-line error naming the file, checked both ways."""
import io
import json
import os
import subprocess
import zipfile

import numpy as np
import pytest

from lstm_course.hamlet import checkpoint, data, model as charmodel, train
from lstm_course.hamlet.checkpoint import CheckpointError, CheckpointExistsError
from lstm_course.hamlet.config import TrainConfig
from lstm_course.hamlet.model import NonFiniteLossError

TEXT = "to be, or not to be: that is the question. " * 12


@pytest.fixture
def small(rng):
    vocab = data.Vocabulary.from_text(TEXT)
    params = charmodel.init_model(len(vocab), 8, rng=rng, dtype=np.float64)
    return vocab, params, TrainConfig(hidden_size=8, dtype="float64")


def _write(path, arrays: dict, meta) -> None:
    """An .npz with these arrays and this record, written as save_checkpoint lays them out."""
    record = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    np.savez(path, __meta__=np.frombuffer(record, dtype=np.uint8), **arrays)


def _meta(vocabulary, train_config, **changes):
    from dataclasses import asdict
    meta = {"format": checkpoint.CHECKPOINT_FORMAT, "package": "lstm_course",
            "vocab": "".join(vocabulary.chars), "config": asdict(train_config), "history": {}}
    meta.update(changes)
    return meta


def test_round_trip_leaves_no_temporary_file(small, tmp_path):
    vocab, params, config = small
    path = checkpoint.save_checkpoint(tmp_path / "m.npz", params, vocab, config, {"step": 3})
    p2, v2, c2, h2 = checkpoint.load_checkpoint(path)
    assert v2 == vocab and c2 == config and h2 == {"step": 3}
    assert all(np.array_equal(p2[k], params[k]) for k in params)
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_save_never_replaces_a_file_unless_asked(small, tmp_path):
    vocab, params, config = small
    path = checkpoint.save_checkpoint(tmp_path / "m.npz", params, vocab, config)
    before = path.read_bytes()
    changed = {k: v + 1.0 for k, v in params.items()}
    with pytest.raises(CheckpointExistsError, match="m.npz already exists"):
        checkpoint.save_checkpoint(path, changed, vocab, config)
    assert path.read_bytes() == before
    checkpoint.save_checkpoint(path, changed, vocab, config, overwrite=True)
    assert np.array_equal(checkpoint.load_checkpoint(path)[0]["W_f"], changed["W_f"])


@pytest.mark.parametrize("change,error,message", [
    (lambda p: p.update(W_v=np.full_like(p["W_v"], np.nan)), NonFiniteLossError,
     r"refusing to save .*m\.npz: params \['W_v'\] hold NaN"),
    (lambda p: p.update(W_f=p["W_f"].astype(np.float16)), TypeError,
     r"params\['W_f'\] must be float32 or float64, got float16"),
    (lambda p: p.update(b_i=np.zeros(8, dtype=np.int64)), TypeError,
     r"params\['b_i'\] must be float32 or float64, got int64"),
    (lambda p: p.update(W_v=p["W_v"][:-1]), ValueError,
     r"params\['W_v'\] has shape \(\d+, 8\), expected \(\d+, 8\) for \d+ symbols"),
    (lambda p: p.pop("b_v"), ValueError, r"missing \['b_v'\]"),
    (lambda p: p.update(W_c=p["W_c"].tolist()), TypeError,
     r"params\['W_c'\] must be a numpy array, got list"),
])
def test_save_checks_the_model(small, tmp_path, change, error, message):
    vocab, params, config = small
    params = dict(params)
    change(params)
    with pytest.raises(error, match=message):
        checkpoint.save_checkpoint(tmp_path / "m.npz", params, vocab, config)
    assert not any(tmp_path.iterdir())


def test_save_refuses_a_dtype_other_than_the_configs(small, tmp_path):
    vocab, params, config = small
    params32 = {k: v.astype(np.float32) for k, v in params.items()}
    with pytest.raises(TypeError, match="params are float32 but config.dtype is 'float64'"):
        checkpoint.save_checkpoint(tmp_path / "m.npz", params32, vocab, config)


def test_history_is_strict_json(small, tmp_path):
    vocab, params, config = small
    with pytest.raises(ValueError, match="history must hold only finite numbers"):
        checkpoint.save_checkpoint(tmp_path / "m.npz", params, vocab, config,
                                   {"held_out_loss": [float("inf")]})


def test_a_killed_write_leaves_no_temporary_file_behind(small, tmp_path):
    vocab, params, config = small
    stale = tmp_path / "m.npz.abcd1234.tmp"      # what a write killed before its rename leaves
    stale.write_bytes(b"half a checkpoint")
    other = tmp_path / "notes.tmp"
    other.write_text("not ours")
    checkpoint.save_checkpoint(tmp_path / "m.npz", params, vocab, config)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz", "notes.tmp"]


def _bad_files(tmp_path, vocab, params, config):
    """name -> (path of a broken checkpoint, words the error must say)."""
    good = checkpoint.save_checkpoint(tmp_path / "good.npz", params, vocab, config)
    raw = good.read_bytes()
    cases = {}

    def case(name, message):
        path = tmp_path / name
        cases[name] = (path, message)
        return path
    case("trunc.npz", "truncated").write_bytes(raw[: len(raw) // 2])
    case("junk.npz", "truncated or not an lstm_course checkpoint").write_bytes(b"not at all")
    np.save(case("array.npy", "a single .npy array, not an lstm_course checkpoint"), np.zeros(3))
    np.savez(case("other.npz", "without lstm_course's record"), W=np.zeros(3))
    _write(case("list.npz", "record that is a JSON list, expected an object"), params, [1, 2])
    _write(case("notjson.npz", "record that is not valid JSON"), params, b"{oops")
    _write(case("infinity.npz", "record that is not valid JSON"), params,
           json.dumps(_meta(vocab, config, history={"loss": float("inf")})).encode())
    _write(case("novocab.npz", "has no vocabulary"), params,
           {k: v for k, v in _meta(vocab, config).items() if k != "vocab"})
    _write(case("badvocab.npz", "chars must be sorted and distinct"), params,
           _meta(vocab, config, vocab="ba"))
    _write(case("noconfig.npz", "has no configuration"), params,
           {k: v for k, v in _meta(vocab, config).items() if k != "config"})
    _write(case("unknownkey.npz", r"unknown configuration keys \['momentum'\]"), params,
           _meta(vocab, config, config={**_meta(vocab, config)["config"], "momentum": 0.9}))
    _write(case("badconfig.npz", "hidden_size must be a positive integer"), params,
           _meta(vocab, config, config={**_meta(vocab, config)["config"], "hidden_size": -3}))
    _write(case("history.npz", "history that is not a JSON object"), params,
           _meta(vocab, config, history=[1]))
    _write(case("other_package.npz", "is not an lstm_course checkpoint"), params,
           _meta(vocab, config, package="elsewhere"))
    _write(case("future.npz", "format version 2, this version of lstm_course reads version 1"),
           params, _meta(vocab, config, format=2))
    _write(case("int32.npz", r"params\['W_f'\] must be float32 or float64, got int32"),
           {**params, "W_f": params["W_f"].astype(np.int32)}, _meta(vocab, config))
    _write(case("nan.npz", r"params \['W_v'\] hold NaN"),
           {**params, "W_v": np.full_like(params["W_v"], np.nan)}, _meta(vocab, config))
    _write(case("mislabelled.npz", r"params\['W_f'\] has shape \(8, \d+\), expected \(16, \d+\)"),
           params, _meta(vocab, config, config={**_meta(vocab, config)["config"],
                                                "hidden_size": 16}))
    _write(case("fewrows.npz", r"params\['W_v'\] has shape \(\d+, 8\), expected"),
           {**params, "W_v": params["W_v"][:-2], "b_v": params["b_v"][:-2]},
           _meta(vocab, config))
    _write(case("missing_array.npz", r"missing \['b_o'\]"),
           {k: v for k, v in params.items() if k != "b_o"}, _meta(vocab, config))
    _write(case("dtype_label.npz", "the weights are float64 but its configuration says float32"),
           params, _meta(vocab, config, config={**_meta(vocab, config)["config"],
                                                "dtype": "float32"}))
    return cases


BAD_FILES = ["trunc.npz", "junk.npz", "array.npy", "other.npz", "list.npz", "notjson.npz",
             "infinity.npz", "novocab.npz", "badvocab.npz", "noconfig.npz", "unknownkey.npz",
             "badconfig.npz", "history.npz", "other_package.npz", "future.npz", "int32.npz",
             "nan.npz", "mislabelled.npz", "fewrows.npz", "missing_array.npz", "dtype_label.npz"]


@pytest.mark.parametrize("name", BAD_FILES)
def test_every_bad_checkpoint_is_one_clear_error(small, tmp_path, name):
    cases = _bad_files(tmp_path, *small)
    assert sorted(cases) == sorted(BAD_FILES)
    path, message = cases[name]
    with pytest.raises(CheckpointError, match=message) as caught:
        checkpoint.load_checkpoint(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="checkpoint .*missing.npz does not exist"):
        checkpoint.load_checkpoint(tmp_path / "missing.npz")
    with pytest.raises(CheckpointError, match="is a folder, not a checkpoint file"):
        checkpoint.load_checkpoint(tmp_path)
    with pytest.raises(ValueError, match="checkpoint must be a file path, got ''"):
        checkpoint.load_checkpoint("")


# ------------------------------------------------------------------ where a run may write

@pytest.mark.parametrize("where,error,message", [
    ("", ValueError, "checkpoint must be a file path such as checkpoints/hamlet.npz, got ''"),
    ("   ", ValueError, "checkpoint must be a file path"),
    ("{tmp}", CheckpointError, "is a folder; give a file path such as"),
    ("{tmp}/a_file/x.npz", CheckpointError, "a_file is a file, not a folder"),
    ("{tmp}/a_file/deeper/x.npz", CheckpointError, "a_file is a file, not a folder"),
    ("{tmp}/exists.npz", CheckpointExistsError, "already exists: resume to continue"),
])
def test_the_output_path_is_checked_before_training(tmp_path, where, error, message):
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "exists.npz").write_bytes(b"someone's work")
    with pytest.raises(error, match=message):
        checkpoint.prepare_checkpoint_path(where.format(tmp=tmp_path))
    assert (tmp_path / "exists.npz").read_bytes() == b"someone's work"


def test_a_read_only_file_system_is_refused_before_training(tmp_path):
    mount = tmp_path / "ro"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a read-only file system here: {made.stderr.strip()}")
    try:
        with pytest.raises(CheckpointError, match="cannot write checkpoint .*Read-only file system"):
            checkpoint.prepare_checkpoint_path(mount / "m.npz")
        with pytest.raises(CheckpointError, match="cannot write checkpoint"):
            checkpoint.prepare_checkpoint_path(mount / "sub" / "m.npz")
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_resume_needs_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing to resume"):
        checkpoint.prepare_checkpoint_path(tmp_path / "none.npz", resume=True)


def _config(**kw):
    base = dict(hidden_size=8, seq_len=10, batch_size=2, steps=4, eval_every=2,
                held_out_fraction=0.2, dtype="float64", learning_rate=1e-2)
    return TrainConfig(**{**base, **kw})


def test_a_fresh_run_refuses_an_existing_checkpoint(tmp_path):
    path = tmp_path / "run.npz"
    train.train(TEXT, _config(), checkpoint=path, progress=False)
    before = path.read_bytes()
    with pytest.raises(CheckpointExistsError):
        train.train(TEXT, _config(hidden_size=4), checkpoint=path, progress=False)
    assert path.read_bytes() == before
    out = train.train(TEXT, _config(hidden_size=4), checkpoint=path, overwrite=True,
                      progress=False)
    assert checkpoint.load_checkpoint(path)[2].hidden_size == 4 and out["history"]["step"] == 4
    with pytest.raises(ValueError, match="resume and overwrite exclude each other"):
        train.train(TEXT, _config(), checkpoint=path, resume=True, overwrite=True, progress=False)


def test_a_diverging_held_out_loss_stops_before_saving(tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    values = iter([2.0, float("inf")])
    monkeypatch.setattr(charmodel, "evaluate", lambda params, ids: next(values))
    with pytest.raises(NonFiniteLossError, match=r"held-out loss became inf at step 4: the run "
                                                 r"diverged .*the checkpoint .*run\.npz is "
                                                 r"intact: the best weights up to step 2"):
        train.train(TEXT, _config(), checkpoint=path, progress=False)
    history = checkpoint.load_checkpoint(path)[3]
    assert history["held_out_loss"] == [2.0] and history["eval_steps"] == [2]


def test_ctrl_c_before_the_first_evaluation_says_nothing_was_saved(tmp_path, monkeypatch,
                                                                    capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(charmodel, "loss_and_grads", interrupted)
    out = train.train(TEXT, _config(), checkpoint=tmp_path / "new.npz", progress=False)
    assert out["interrupted"] and not (tmp_path / "new.npz").exists()
    assert "interrupted at step 0; no checkpoint was written" in capsys.readouterr().out
    (tmp_path / "old.npz").write_bytes(b"old")
    train.train(TEXT, _config(), checkpoint=tmp_path / "old.npz", overwrite=True,
                progress=False)
    assert "old.npz is unchanged (nothing was saved yet)" in capsys.readouterr().out


def test_a_diverging_run_is_reported(tmp_path):
    out = train.train(TEXT, _config(optimizer="sgd", learning_rate=50.0, clip_norm=0,
                                    steps=30, eval_every=10), progress=False)
    assert any("the run diverged" in w or "no better than guessing" in w
               for w in out["warnings"]), out["warnings"]
    calm = train.train(TEXT, _config(steps=30, eval_every=10), progress=False)
    assert calm["warnings"] == []
