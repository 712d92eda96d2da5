"""The character model: an LSTM, a linear readout and softmax cross-entropy over characters.

Everything runs through the training kernel (lstm_course.hamlet.kernel: forward/backward
over one-hot ids) and lstm_course.core.layers; this module adds the model's check and
initialisation, one training step's loss and gradients, held-out evaluation and sampling
with temperature.  Optimisers are lstm_course.hamlet.optim's, checkpoints
lstm_course.hamlet.checkpoint's.

Parameters: the LSTM's per-gate W_g (H, H + V) and b_g (H,), plus the readout W_v (V, H) and
b_v (V,) — article 001's V_t = W_v h_t + b_v, article 004's "final gate".
"""
from __future__ import annotations

import numpy as np

from ..core import activations, layers
from ..core.params import GATES, init_params
from ..core.validation import check_positive_int, check_real
from . import kernel, readout
from . import workspace as wsp
from .data import Vocabulary, batches

__all__ = ["NonFiniteLossError", "model_shapes", "check_model", "init_model", "loss_and_grads",
           "evaluate", "sample", "argmax_accuracy", "sampled_accuracy"]


_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss (the parameters were not updated with it)."""


def model_shapes(vocab_size: int, hidden_size: int) -> dict:
    """{name: shape} of every array of a character model with V symbols and H hidden units."""
    V, H = vocab_size, hidden_size
    shapes = {}
    for g in GATES:
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
    params = init_params(vocab_size, hidden_size, rng=rng, dtype=dtype)
    params.update(layers.init_readout(hidden_size, vocab_size, rng=rng, dtype=dtype))
    return params


def loss_and_grads(params: dict, inputs, targets, h0=None, c0=None, *,
                   workspace: wsp.Workspace | None = None):
    """Forward, loss and full BPTT over a (T, B) window of character ids.

    inputs, targets : (T, B) int ids; targets[t, b] is the character after inputs[t, b]
    workspace       : a lstm_course.hamlet.workspace.Workspace reused from step to step by a training
                      loop (the large buffers are then not allocated anew); None: new arrays
    Returns (loss, grads, (h_T, c_T)): loss summed over time and averaged over the batch
    (nats), grads for every key of params, and the final state to carry to the next window
    (copies: none of the results lives in the workspace).
    """
    hs, cs, cache = kernel.forward(params, inputs, h0, c0, workspace=workspace)  # (T, B, H)
    T, B, _ = hs.shape
    W_v = params["W_v"]
    layers.check_readout_params(W_v, params["b_v"], hs.shape[-1], hs.dtype)
    targets = layers.check_targets(targets, T, B, W_v.shape[0])
    # from here on the arrays are checked or made by forward: the fused readout re-reads none
    logits = readout.logits_into(W_v, params["b_v"], hs,                     # (T, B, V)
                                 out=wsp.empty(workspace, "logits", (T, B, W_v.shape[0]),
                                               W_v.dtype))
    loss, dlogits = readout.cross_entropy_into(logits, targets, out=logits)   # in place
    grads = kernel.backward(params, cache,
                            lambda start, end: readout.grad_hs(W_v, dlogits[start:end]),
                            workspace=workspace)    # dJ/dh_t made a chunk of steps at a time
    grads.update(readout.weight_grads(hs, dlogits))
    return loss, {k: grads[k] for k in params}, (hs[-1].copy(), cs[-1].copy())


def evaluation_layout(n: int, seq_len: int = 200, batch_size: int = 16) -> tuple[int, int]:
    """(T, B) of the windows evaluate uses for n characters: fewer streams for short texts."""
    B = max(1, min(batch_size, (n - 1) // seq_len))
    return min(seq_len, (n - 1) // B), B


def evaluate(params: dict, ids: np.ndarray, seq_len: int = 200, batch_size: int = 16) -> float:
    """Mean cross-entropy per character (nats) of ``ids``, the state carried across windows."""
    ids = np.asarray(ids)
    if len(ids) < 2:
        raise ValueError(f"ids must hold at least 2 characters to evaluate, got {len(ids)}")
    T, B = evaluation_layout(len(ids), seq_len, batch_size)
    total, count, h, c = 0.0, 0, None, None
    for inputs, targets in batches(ids, T, B):
        hs, cs, _ = kernel.forward(params, inputs, h, c)
        logits = readout.logits_into(params["W_v"], params["b_v"], hs)
        loss, _ = readout.cross_entropy_into(logits, targets, out=logits)  # Σ over T, mean over B
        total += loss * inputs.shape[1]
        count += inputs.size
        h, c = hs[-1], cs[-1]
    return total / count


def _probabilities(params, ids):
    hs, _, _ = kernel.forward(params, np.asarray(ids).reshape(-1, 1))       # (T, 1, H)
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
    hs, cs, _ = kernel.forward(params, ids.reshape(-1, 1))
    h, c = hs[-1], cs[-1]                                   # (1, H)
    out = []
    for _ in range(length):
        logits = (h @ params["W_v"].T + params["b_v"])[0].astype(np.float64)  # (V,)
        p = activations.softmax(logits / temperature)
        k = int(rng.choice(len(p), p=p))
        out.append(k)
        hs, cs, _ = kernel.forward(params, np.array([[k]]), h, c)
        h, c = hs[-1], cs[-1]
    return prime + vocab.decode(np.array(out))
