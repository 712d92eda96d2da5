"""The character model: an LSTM, a linear readout and softmax cross-entropy over characters.

Everything runs through lstm_course.lstm (forward/backward over one-hot ids) and
lstm_course.layers; this module adds what training needs: initialisation, one training
step, optimisers (SGD as in article 004, and Adam), clipping, held-out evaluation,
sampling with temperature, and checkpoints written atomically.

Parameters: the LSTM's per-gate W_g (H, H + V) and b_g (H,), plus the readout W_v (V, H) and
b_v (V,) — article 001's V_t = W_v h_t + b_v, article 004's "final gate".
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import activations, layers, lstm
from . import workspace as wsp
from .data import Vocabulary
from .validation import check_positive_int

__all__ = ["TrainConfig", "init_model", "loss_and_grads", "sgd_update", "AdamState",
           "adam_update", "evaluate", "sample", "save_checkpoint", "load_checkpoint",
           "CHECKPOINT_FORMAT", "NonFiniteLossError", "argmax_accuracy", "sampled_accuracy"]

CHECKPOINT_FORMAT = 1


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss (the parameters were not updated with it)."""


@dataclass
class TrainConfig:
    """Hyper-parameters of a training run (stored in every checkpoint)."""

    hidden_size: int = 128
    seq_len: int = 100
    batch_size: int = 32
    optimizer: str = "adam"          # "adam" or "sgd"
    learning_rate: float = 2e-3
    clip_norm: float = 5.0           # global-norm clipping (0 disables it)
    steps: int = 3000
    held_out_fraction: float = 0.1
    eval_every: int = 200
    dtype: str = "float32"
    seed: int = 0
    extra: dict = field(default_factory=dict)

    def validate(self) -> "TrainConfig":
        for name in ("hidden_size", "seq_len", "batch_size", "steps", "eval_every"):
            check_positive_int(getattr(self, name), name)
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd', got {self.optimizer!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        if not self.clip_norm >= 0:
            raise ValueError(f"clip_norm must be >= 0 (0 disables clipping), got {self.clip_norm}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        return self


def init_model(vocab_size: int, hidden_size: int, *, rng: np.random.Generator,
               dtype=np.float32) -> dict:
    """LSTM (Xavier-uniform weights, zero biases) + readout: a dict of arrays."""
    params = lstm.init_params(vocab_size, hidden_size, rng=rng, dtype=dtype)
    params.update(layers.init_readout(hidden_size, vocab_size, rng=rng, dtype=dtype))
    return params


def loss_and_grads(params: dict, inputs, targets, h0=None, c0=None, *,
                   workspace: wsp.Workspace | None = None):
    """Forward, loss and full BPTT over a (T, B) window of character ids.

    inputs, targets : (T, B) int ids; targets[t, b] is the character after inputs[t, b]
    workspace       : a lstm_course.workspace.Workspace reused from step to step by a training
                      loop (the large buffers are then not allocated anew); None: new arrays
    Returns (loss, grads, (h_T, c_T)): loss summed over time and averaged over the batch
    (nats), grads for every key of params, and the final state to carry to the next window
    (copies: none of the results lives in the workspace).
    """
    hs, cs, cache = lstm.forward(params, inputs, h0, c0, workspace=workspace)  # (T, B, H)
    T, B, _ = hs.shape
    W_v = params["W_v"]
    layers.check_readout_params(W_v, params["b_v"], hs.shape[-1], hs.dtype)
    # the readout's inputs are checked above or were made by forward: check=False skips
    # re-reading every element of hs and the logits for NaN
    logits = layers.readout_forward(W_v, params["b_v"], hs, check=False,      # (T, B, V)
                                    out=wsp.empty(workspace, "logits", (T, B, W_v.shape[0]),
                                                  W_v.dtype))
    loss, dlogits = layers.softmax_cross_entropy(logits, targets, out=logits,  # in place
                                                 check=False)
    grads = lstm.backward(params, cache,
                          lambda start, end: layers.readout_grad_hs(W_v, dlogits[start:end]),
                          workspace=workspace)      # dJ/dh_t made a chunk of steps at a time
    grads.update(layers.readout_backward(W_v, hs, dlogits, grad_hs=False, check=False))
    return loss, {k: grads[k] for k in params}, (hs[-1].copy(), cs[-1].copy())


def sgd_update(params: dict, grads: dict, learning_rate: float) -> None:
    """W <- W - α dJ/dW for every parameter, in place (article 001, figure 11)."""
    for k, p in params.items():
        p -= (learning_rate * grads[k]).astype(p.dtype, copy=False)


@dataclass
class AdamState:
    """First and second moment estimates of Adam, and the step count."""

    m: dict
    v: dict
    step: int = 0

    @classmethod
    def zeros_like(cls, params: dict) -> "AdamState":
        return cls({k: np.zeros_like(p) for k, p in params.items()},
                   {k: np.zeros_like(p) for k, p in params.items()})


def adam_update(params: dict, grads: dict, state: AdamState, learning_rate: float,
                beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
    """One Adam step (Kingma and Ba), in place, with bias-corrected moments."""
    state.step += 1
    c1, c2 = 1 - beta1 ** state.step, 1 - beta2 ** state.step
    for k, p in params.items():
        g = grads[k]
        m, v = state.m[k], state.v[k]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        p -= (learning_rate / c1) * m / (np.sqrt(v / c2) + eps)


def evaluation_layout(n: int, seq_len: int = 200, batch_size: int = 16) -> tuple[int, int]:
    """(T, B) of the windows evaluate uses for n characters: fewer streams for short texts."""
    B = max(1, min(batch_size, (n - 1) // seq_len))
    return min(seq_len, (n - 1) // B), B


def evaluate(params: dict, ids: np.ndarray, seq_len: int = 200, batch_size: int = 16) -> float:
    """Mean cross-entropy per character (nats) of ``ids``, the state carried across windows."""
    from .data import batches
    ids = np.asarray(ids)
    if len(ids) < 2:
        raise ValueError(f"ids must hold at least 2 characters to evaluate, got {len(ids)}")
    T, B = evaluation_layout(len(ids), seq_len, batch_size)
    total, count, h, c = 0.0, 0, None, None
    for inputs, targets in batches(ids, T, B):
        hs, cs, _ = lstm.forward(params, inputs, h, c)
        logits = layers.readout_forward(params["W_v"], params["b_v"], hs)
        loss, _ = layers.softmax_cross_entropy(logits, targets)   # summed over T, mean over B
        total += loss * inputs.shape[1]
        count += inputs.size
        h, c = hs[-1], cs[-1]
    return total / count


def _probabilities(params, ids):
    hs, _, _ = lstm.forward(params, np.asarray(ids).reshape(-1, 1))       # (T, 1, H)
    logits = layers.readout_forward(params["W_v"], params["b_v"], hs)[:, 0]  # (T, V)
    return activations.softmax(logits, axis=1)


def argmax_accuracy(params: dict, ids: np.ndarray) -> float:
    """Share of next characters predicted by the most probable character (one sequence)."""
    p = _probabilities(params, ids[:-1])
    return float(np.mean(p.argmax(axis=1) == ids[1:]))


def sampled_accuracy(params: dict, ids: np.ndarray, rng: np.random.Generator) -> float:
    """Article 004's accuracy: each next character drawn from the softmax, compared with the text."""
    p = _probabilities(params, ids[:-1]).astype(np.float64)
    u = rng.random(len(p))[:, None]
    drawn = (np.cumsum(p, axis=1) < u * p.sum(axis=1, keepdims=True)).sum(axis=1)
    return float(np.mean(np.minimum(drawn, p.shape[1] - 1) == ids[1:]))


def sample(params: dict, vocab: Vocabulary, prime: str, length: int, *,
           temperature: float = 1.0, rng: np.random.Generator) -> str:
    """Continue ``prime`` by ``length`` characters drawn from softmax(V_t / temperature)."""
    check_positive_int(length, "length")
    if not (isinstance(temperature, (int, float)) and np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    if not isinstance(prime, str) or not prime:
        raise ValueError("prime must be a non-empty string (e.g. 'HAMLET:')")
    ids = vocab.encode(prime, name="prime")
    hs, cs, _ = lstm.forward(params, ids.reshape(-1, 1))
    h, c = hs[-1], cs[-1]                                   # (1, H)
    out = []
    for _ in range(length):
        logits = (h @ params["W_v"].T + params["b_v"])[0].astype(np.float64)  # (V,)
        p = activations.softmax(logits / temperature)
        k = int(rng.choice(len(p), p=p))
        out.append(k)
        hs, cs, _ = lstm.forward(params, np.array([[k]]), h, c)
        h, c = hs[-1], cs[-1]
    return prime + vocab.decode(np.array(out))


# ---------------------------------------------------------------------------- checkpoints

def save_checkpoint(path, params: dict, vocab: Vocabulary, config: TrainConfig,
                    history: dict | None = None) -> Path:
    """Write weights, vocabulary, hyper-parameters and history to one .npz file, atomically.

    The file is written to a temporary name in the same folder and renamed over ``path``
    only when complete, so an interruption never leaves a half-written checkpoint.
    Non-finite weights are refused (a good checkpoint is never overwritten with NaN).
    """
    path = Path(path)
    bad = [k for k, p in params.items() if not np.all(np.isfinite(p))]
    if bad:
        raise NonFiniteLossError(f"refusing to save non-finite parameters {bad} to {path}")
    meta = {"format": CHECKPOINT_FORMAT, "package": "lstm_course", "vocab": "".join(vocab.chars),
            "config": asdict(config), "history": history or {}}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                        **params)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual mode
        with os.fdopen(fd, "wb") as f:
            f.write(buffer.getvalue())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def load_checkpoint(path):
    """Read a checkpoint: returns (params, vocab, config, history).

    Clear errors for a missing file, a file that is truncated or not a checkpoint, and a
    checkpoint of another format version.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist (train one with "
                                f"`python -m lstm_course train`)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        meta = json.loads(arrays.pop("__meta__").tobytes().decode())
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError,
            UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"checkpoint {path} is truncated or not an lstm_course checkpoint "
                         f"({type(exc).__name__}: {exc})") from exc
    if meta.get("package") != "lstm_course":
        raise ValueError(f"checkpoint {path} is not an lstm_course checkpoint")
    if meta.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"checkpoint {path} has format version {meta.get('format')}, this "
                         f"version of lstm_course reads version {CHECKPOINT_FORMAT}")
    vocab = Vocabulary(meta["vocab"])
    config = TrainConfig(**meta["config"])
    expected = set(init_model(len(vocab), config.hidden_size, rng=np.random.default_rng(0)))
    if set(arrays) != expected:
        raise ValueError(f"checkpoint {path} has parameters {sorted(arrays)}, expected "
                         f"{sorted(expected)}")
    lstm.forward(arrays, np.zeros((1, 1), dtype=np.int64))   # shapes and dtypes agree
    return arrays, vocab, config, meta.get("history", {})
