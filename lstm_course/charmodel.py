"""The character model: an LSTM, a linear readout and softmax cross-entropy over characters.

Everything runs through lstm_course.lstm (forward/backward over one-hot ids) and
lstm_course.layers; this module adds what training needs: initialisation, one training
step, optimisers (SGD as in article 004, and Adam), held-out evaluation and sampling with
temperature.  Checkpoints are lstm_course.checkpoint's.

Parameters: the LSTM's per-gate W_g (H, H + V) and b_g (H,), plus the readout W_v (V, H) and
b_v (V,) — article 001's V_t = W_v h_t + b_v, article 004's "final gate".
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from . import activations, layers, lstm
from . import workspace as wsp
from .data import Vocabulary
from .validation import GATE_NAMES, check_positive_int, check_real

__all__ = ["TrainConfig", "model_shapes", "check_model", "init_model", "loss_and_grads",
           "sgd_update", "AdamState",
           "adam_update", "evaluate", "sample", "NonFiniteLossError", "argmax_accuracy",
           "sampled_accuracy"]


_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


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
        """Check every field (errors name the field) and make numbers plain Python ones (numpy
        scalars become int/float, so the config is JSON); return self."""
        for name in ("hidden_size", "seq_len", "batch_size", "steps", "eval_every"):
            setattr(self, name, check_positive_int(getattr(self, name), name))
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd', got {self.optimizer!r}")
        self.learning_rate = check_real(self.learning_rate, "learning_rate", positive=True)
        self.clip_norm = check_real(self.clip_norm, "clip_norm", at_least=0)
        if isinstance(self.held_out_fraction, bool) or not isinstance(self.held_out_fraction,
                                                                      numbers.Real):
            raise TypeError(f"held_out_fraction must be a number strictly between 0 and 1, got "
                            f"{self.held_out_fraction!r}")
        if not 0 < self.held_out_fraction < 1:
            raise ValueError(f"held_out_fraction must lie strictly between 0 and 1, got "
                             f"{self.held_out_fraction}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral):
            raise TypeError(f"seed must be a non-negative integer, got {self.seed!r}")
        if self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed}")
        self.seed, self.held_out_fraction = int(self.seed), float(self.held_out_fraction)
        if not isinstance(self.extra, dict):
            raise TypeError(f"extra must be a dict, got {type(self.extra).__name__}")
        return self


def model_shapes(vocab_size: int, hidden_size: int) -> dict:
    """{name: shape} of every array of a character model with V symbols and H hidden units."""
    V, H = vocab_size, hidden_size
    shapes = {}
    for g in GATE_NAMES:
        shapes[f"W_{g}"], shapes[f"b_{g}"] = (H, H + V), (H,)
    shapes["W_v"], shapes["b_v"] = (V, H), (V,)
    return shapes


def check_model(params, vocab_size: int, hidden_size: int | None = None) -> np.dtype:
    """Check a character model's arrays against its vocabulary and hidden size; return the dtype.

    params      : dict of numpy arrays, exactly the keys of :func:`model_shapes`
    vocab_size  : V, the number of symbols of the vocabulary the model reads and writes
    hidden_size : H; None takes it from params["b_f"]
    Every array must be float32 or float64 (all the same), of its shape, and finite
    (NonFiniteLossError otherwise, a FloatingPointError).
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    if hidden_size is None:
        b_f = params.get("b_f")
        hidden_size = b_f.shape[0] if isinstance(b_f, np.ndarray) and b_f.ndim == 1 else 0
    shapes = model_shapes(vocab_size, hidden_size)
    missing, extra = sorted(set(shapes) - set(params)), sorted(set(params) - set(shapes))
    if missing or extra:
        raise ValueError(f"params must hold exactly {sorted(shapes)}; missing {missing}, "
                         f"unexpected {extra}")
    dtype = None
    for name, shape in shapes.items():
        arr = params[name]
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"params[{name!r}] must be a numpy array, got {type(arr).__name__}")
        if arr.dtype not in _FLOAT_DTYPES:
            raise TypeError(f"params[{name!r}] must be float32 or float64, got {arr.dtype}")
        if dtype is not None and arr.dtype != dtype:
            raise TypeError(f"params[{name!r}] is {arr.dtype} while params['W_f'] is {dtype}: "
                            f"every array must have one dtype")
        dtype = arr.dtype
        if arr.shape != shape:
            raise ValueError(f"params[{name!r}] has shape {arr.shape}, expected {shape} for "
                             f"{vocab_size} symbols and hidden size {hidden_size}")
    bad = [name for name in shapes if not np.all(np.isfinite(params[name]))]
    if bad:
        raise NonFiniteLossError(f"params {bad} hold NaN or infinite values")
    return dtype


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
    """Continue ``prime`` by ``length`` characters drawn from softmax(V_t / temperature).

    params : a character model for ``vocab`` (checked: shapes, dtype, finite weights)
    rng    : a numpy Generator (np.random.default_rng(seed)); the same seed gives the same text
    """
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a data.Vocabulary, got {type(vocab).__name__}")
    check_model(params, len(vocab))
    length = check_positive_int(length, "length")
    temperature = check_real(temperature, "temperature", positive=True)
    if not isinstance(prime, str) or not prime:
        raise ValueError("prime must be a non-empty string (e.g. 'HAMLET:')")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
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
