"""Checkpoints of the character model: one .npz file, written atomically, checked both ways.

A checkpoint holds the model's arrays (the LSTM's W_g (H, H + V), b_g (H,), a stacked model's
"layer{k}.W_g" (H, 2H) and "layer{k}.b_g" (H,), and the readout's W_v (V, H), b_v (V,)) and one
JSON record: the format version, the vocabulary, the training
configuration and its history.  Nothing is lost:
- the file is written under a temporary name in the same folder and renamed over the target
  only when complete (a killed write leaves the old file whole, and its temporary file is
  removed by the next write);
- a model with NaN or infinite weights, weights of another dtype than float32/float64, or
  shapes that do not fit its vocabulary and hidden size is never written, and never loaded;
- an existing file is replaced only when asked (``overwrite=True``; the command line's
  ``--force``), and a training run checks where it will write before its first step.
"""
from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np

from .config import TrainConfig
from .model import NonFiniteLossError, check_model
from .data import Vocabulary

__all__ = ["CHECKPOINT_FORMAT", "CheckpointError", "CheckpointExistsError", "save_checkpoint",
           "load_checkpoint", "prepare_checkpoint_path"]

CHECKPOINT_FORMAT = 1


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read or written; the message names the file."""


class CheckpointExistsError(FileExistsError):
    """A fresh run was pointed at an existing checkpoint without being asked to replace it."""


_TEMPORARY = r"\.[A-Za-z0-9_]{8}\.tmp"   # what tempfile.mkstemp adds between prefix and suffix


def _remove_stale_temporaries(path: Path) -> None:
    """Remove temporary files left beside ``path`` by writes that were killed."""
    pattern = re.compile(re.escape(path.name) + _TEMPORARY + "$")
    try:
        leftovers = [p for p in path.parent.iterdir() if pattern.match(p.name)]
    except OSError:
        return
    for p in leftovers:
        try:
            p.unlink()
        except OSError:
            pass


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual mode
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def prepare_checkpoint_path(path, *, resume: bool = False, overwrite: bool = False) -> Path:
    """Check, before any training, that a checkpoint can be written at ``path``; return it.

    resume    : the file must exist (training continues from it and then replaces it)
    overwrite : a fresh run may replace an existing file; without it an existing file is
                refused with CheckpointExistsError (nothing is lost by accident)
    The folder is created if needed, and a temporary file is written and removed there, so a
    path that cannot be written (a folder, a path under a file, a read-only file system) fails
    now, not after the first evaluation.  Temporaries of killed writes are removed.
    """
    if not isinstance(path, (str, os.PathLike)) or str(path).strip() == "":
        raise ValueError(f"checkpoint must be a file path such as checkpoints/hamlet.npz, "
                         f"got {path!r}")
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"checkpoint {path} is a folder; give a file path such as "
                              f"{path / 'hamlet.npz'}")
    if resume:
        if not path.is_file():
            raise FileNotFoundError(f"checkpoint {path} does not exist: there is nothing to "
                                    f"resume (train without resume to start one)")
    elif path.exists() and not overwrite:
        raise CheckpointExistsError(f"checkpoint {path} already exists: resume to continue "
                                    f"training it, overwrite to replace it, or choose another "
                                    f"path")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise CheckpointError(f"cannot write checkpoint {path}: {ancestor} is a file, not a "
                              f"folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        os.close(fd)
        os.remove(tmp)
    except OSError as exc:
        raise CheckpointError(f"cannot write checkpoint {path}: "
                              f"{exc.strerror or exc}") from None
    _remove_stale_temporaries(path)
    return path


def save_checkpoint(path, params: dict, vocab: Vocabulary, config: TrainConfig,
                    history: dict | None = None, *, overwrite: bool = False) -> Path:
    """Write weights, vocabulary, hyper-parameters and history to one .npz file, atomically.

    The model is checked first (:func:`check_model`: NaN weights raise NonFiniteLossError and
    nothing is written).  An existing file is replaced only with ``overwrite=True``.
    The history is stored as strict JSON (no NaN or Infinity).
    """
    path = Path(path)
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a data.Vocabulary, got {type(vocab).__name__}")
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    config.validate()
    try:
        dtype = check_model(params, len(vocab), config.hidden_size, config.layers)
    except NonFiniteLossError as exc:
        raise NonFiniteLossError(f"refusing to save {path}: {exc}") from None
    if dtype != np.dtype(config.dtype):
        raise TypeError(f"params are {dtype} but config.dtype is {config.dtype!r}")
    if path.exists() and not overwrite:
        raise CheckpointExistsError(f"checkpoint {path} already exists (overwrite=True "
                                    f"replaces it)")
    meta = {"format": CHECKPOINT_FORMAT, "package": "lstm_course", "vocab": "".join(vocab.chars),
            "config": asdict(config), "history": history or {}}
    try:
        record = json.dumps(meta, allow_nan=False)
    except ValueError:
        raise ValueError("history must hold only finite numbers (strict JSON)") from None
    buffer = io.BytesIO()
    np.savez_compressed(buffer, __meta__=np.frombuffer(record.encode(), dtype=np.uint8),
                        **params)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, buffer.getvalue())
    _remove_stale_temporaries(path)
    return path


def _read_record(path: Path) -> tuple[dict, dict]:
    """(arrays, meta) of a checkpoint file, or CheckpointError saying what the file is."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise CheckpointError(f"checkpoint {path} is truncated or not an lstm_course checkpoint "
                              f"({type(exc).__name__}: {exc})") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise CheckpointError(f"checkpoint {path} is a single .npy array, not an lstm_course "
                              f"checkpoint (.npz made by `python -m lstm_course train`)")
    try:
        with loaded as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise CheckpointError(f"checkpoint {path} is truncated or damaged "
                              f"({type(exc).__name__}: {exc})") from None
    raw = arrays.pop("__meta__", None)
    if raw is None:
        raise CheckpointError(f"checkpoint {path} is an .npz file without lstm_course's record: "
                              f"not an lstm_course checkpoint")
    try:
        meta = json.loads(raw.tobytes().decode(),
                          parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CheckpointError(f"checkpoint {path} has a record that is not valid JSON "
                              f"({exc})") from None
    if not isinstance(meta, dict):
        raise CheckpointError(f"checkpoint {path} has a record that is a JSON "
                              f"{type(meta).__name__}, expected an object")
    return arrays, meta


def load_checkpoint(path):
    """Read and check a checkpoint: returns (params, vocab, config, history).

    Every problem is a one-line error naming the file: FileNotFoundError for a missing file,
    CheckpointError (a ValueError) for a file that is truncated, not a checkpoint, of another
    format version, or whose record or arrays do not fit together (unknown configuration
    keys, a vocabulary that is not one, weights that are not float32/float64, NaN weights,
    shapes that disagree with the hidden size or the vocabulary).
    """
    if not isinstance(path, (str, os.PathLike)) or str(path).strip() == "":
        raise ValueError(f"checkpoint must be a file path, got {path!r}")
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"checkpoint {path} is a folder, not a checkpoint file")
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist (train one with "
                                f"`python -m lstm_course train`)")
    arrays, meta = _read_record(path)
    if meta.get("package") != "lstm_course":
        raise CheckpointError(f"checkpoint {path} is not an lstm_course checkpoint")
    if meta.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"checkpoint {path} has format version {meta.get('format')}, this "
                              f"version of lstm_course reads version {CHECKPOINT_FORMAT}")
    chars, saved, history = meta.get("vocab"), meta.get("config"), meta.get("history", {})
    if not isinstance(chars, str) or not chars:
        raise CheckpointError(f"checkpoint {path} has no vocabulary (a non-empty string)")
    if not isinstance(saved, dict):
        raise CheckpointError(f"checkpoint {path} has no configuration (a JSON object)")
    if not isinstance(history, dict):
        raise CheckpointError(f"checkpoint {path} has a history that is not a JSON object")
    unknown = sorted(set(saved) - {f.name for f in fields(TrainConfig)})
    if unknown:
        raise CheckpointError(f"checkpoint {path} has unknown configuration keys {unknown} "
                              f"(made by another version of lstm_course?)")
    try:
        vocab = Vocabulary(chars)
        config = TrainConfig(**saved).validate()
        dtype = check_model(arrays, len(vocab), config.hidden_size, config.layers)
    except (TypeError, ValueError, FloatingPointError) as exc:
        raise CheckpointError(f"checkpoint {path}: {exc}") from None
    if dtype != np.dtype(config.dtype):
        raise CheckpointError(f"checkpoint {path}: the weights are {dtype} but its "
                              f"configuration says {config.dtype}")
    return arrays, vocab, config, history

