"""The readout V_t = W_v h_t + b_v and the two losses of the course.

Article 001 calls the readout V_t = W_v h_t + b_v followed by a softmax; article 004
calls the same layer the "final gate" y_t = W_y h_t + b_y.  Articles 000, 002 and 003
have no readout and score h_t itself with 1/2 (h_t - y_t)^2.

Written to be read, one line per formula, every argument checked.  The character model's
training step runs the same formulas fused and in place (lstm_course.hamlet.readout), tested
equal to these.
"""
from __future__ import annotations

import numpy as np

from . import activations
from .params import xavier_uniform
from .validation import check_array, check_positive_int

__all__ = ["init_readout", "check_readout_params", "check_targets", "readout_forward",
           "readout_backward", "softmax_cross_entropy", "half_squared_error"]


def init_readout(hidden_size: int, output_size: int, *, rng: np.random.Generator,
                 dtype=np.float64) -> dict:
    """Xavier-uniform W_v (V, H) and zero b_v (V,)."""
    H = check_positive_int(hidden_size, "hidden_size")
    V = check_positive_int(output_size, "output_size")
    return {"W_v": xavier_uniform(V, H, rng=rng, dtype=dtype),  # (V, H)
            "b_v": np.zeros(V, dtype=dtype)}                     # (V,)


def check_readout_params(W_v, b_v, hidden_size: int, dtype=None):
    """Check W_v (V, H) and b_v (V,) of one dtype (``dtype`` when given), with H = hidden_size;
    returns them."""
    W_v = check_array(W_v, "W_v", ndim=2, last_dim=hidden_size, dtype=dtype)
    b_v = check_array(b_v, "b_v", shape=W_v.shape[:1], dtype=W_v.dtype)
    return W_v, b_v


def check_targets(targets, T: int, B: int, V: int) -> np.ndarray:
    """Check (T, B) integer class indices in [0, V); return them as an array."""
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must be an integer array of class indices, got dtype "
                        f"{targets.dtype}")
    if targets.shape != (T, B):
        raise ValueError(f"targets must have shape {(T, B)} to match logits {(T, B, V)}, "
                         f"got {targets.shape}")
    if targets.min() < 0 or targets.max() >= V:
        raise ValueError(f"targets must lie in [0, {V}) (the number of classes), got values "
                         f"from {targets.min()} to {targets.max()}")
    return targets


def readout_forward(W_v, b_v, hs):
    """V_t = W_v h_t + b_v for every step: W_v (V, H), b_v (V,), hs (T, B, H) -> (T, B, V)."""
    W_v = check_array(W_v, "W_v", ndim=2)
    W_v, b_v = check_readout_params(W_v, b_v, W_v.shape[1])
    hs = check_array(hs, "hs", ndim=3, last_dim=W_v.shape[1], dtype=W_v.dtype)
    return hs @ W_v.T + b_v                               # (T, B, V)


def readout_backward(W_v, hs, dlogits) -> dict:
    """Gradients of the readout given dLoss/dV (T, B, V).

    Returns {"W_v": (V, H) = Σ_t dV_t h_tᵀ, "b_v": (V,) = Σ_t dV_t, "hs": (T, B, H) = dV_t W_v}.
    """
    W_v = check_array(W_v, "W_v", ndim=2)
    hs = check_array(hs, "hs", ndim=3, last_dim=W_v.shape[1], dtype=W_v.dtype)
    dlogits = check_array(dlogits, "dlogits", shape=hs.shape[:2] + W_v.shape[:1],
                          dtype=W_v.dtype)
    return {"W_v": np.einsum("tbv,tbh->vh", dlogits, hs),   # Σ over steps and batch (V, H)
            "b_v": dlogits.sum(axis=(0, 1)),                 # (V,)
            "hs": dlogits @ W_v}                              # (T, B, H)


def softmax_cross_entropy(logits, targets):
    """Softmax cross-entropy, summed over time and averaged over the batch.

    logits  : (T, B, V) floats;  targets : (T, B) integer class indices in [0, V)
    Returns (loss, dlogits): loss = Σ_t (1/B) Σ_b -log softmax(V_{t,b})[y_{t,b}] (a Python
    float), dlogits (T, B, V) = (softmax(V) - onehot(y)) / B (article 001: dJ/dV_t = ŷ_t - y_t).
    """
    logits = check_array(logits, "logits", ndim=3)
    T, B, V = logits.shape
    targets = check_targets(targets, T, B, V)
    log_p = activations.log_softmax(logits, axis=-1)                     # (T, B, V)
    at_target = np.take_along_axis(log_p, targets[..., None], axis=-1)   # (T, B, 1)
    loss = -float(at_target.sum()) / B
    one_hot = np.eye(V, dtype=logits.dtype)[targets]                     # (T, B, V)
    dlogits = (np.exp(log_p) - one_hot) / B                              # ŷ - y, per batch
    return loss, dlogits


def half_squared_error(outputs, targets):
    """L = 1/2 Σ (out - y)^2 over every element; returns (loss, dL/dout = out - y).

    outputs and targets must have the same shape (articles 000, 002, 003: 1/2 (h - y)^2).
    """
    outputs = check_array(outputs, "outputs")
    targets = check_array(targets, "targets", shape=outputs.shape)
    diff = outputs - targets
    return 0.5 * float(np.sum(diff * diff)), diff
