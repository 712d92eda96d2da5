"""The readout V_t = W_v h_t + b_v and the two losses of the course.

Article 001 calls the readout V_t = W_v h_t + b_v followed by a softmax; article 004
calls the same layer the "final gate" y_t = W_y h_t + b_y.  Articles 000, 002 and 003
have no readout and score h_t itself with 1/2 (h_t - y_t)^2.
"""
from __future__ import annotations

import numpy as np

from . import activations
from .validation import check_array, check_positive_int, xavier_uniform

__all__ = ["init_readout", "readout_forward", "readout_backward",
           "softmax_cross_entropy", "half_squared_error"]


def init_readout(hidden_size: int, output_size: int, *, rng: np.random.Generator,
                 dtype=np.float64) -> dict:
    """Xavier-uniform W_v (V, H) and zero b_v (V,)."""
    H = check_positive_int(hidden_size, "hidden_size")
    V = check_positive_int(output_size, "output_size")
    return {"W_v": xavier_uniform(V, H, rng=rng, dtype=dtype),  # (V, H)
            "b_v": np.zeros(V, dtype=dtype)}                     # (V,)


def _check_readout(W_v, b_v, hs):
    W_v = check_array(W_v, "W_v", ndim=2)
    V, H = W_v.shape
    b_v = check_array(b_v, "b_v", shape=(V,), dtype=W_v.dtype)
    hs = check_array(hs, "hs", ndim=3, last_dim=H, dtype=W_v.dtype)
    return W_v, b_v, hs


def readout_forward(W_v, b_v, hs):
    """V_t = W_v h_t + b_v for every step: W_v (V, H), b_v (V,), hs (T, B, H) -> (T, B, V)."""
    W_v, b_v, hs = _check_readout(W_v, b_v, hs)
    T, B, H = hs.shape
    logits = hs.reshape(T * B, H) @ W_v.T   # one (T*B, H) x (H, V) product, not T small ones
    logits += b_v
    return logits.reshape(T, B, -1)         # (T, B, V)


def readout_backward(W_v, hs, dlogits) -> dict:
    """Gradients of the readout given dLoss/dV (T, B, V).

    Returns {"W_v": (V, H) = Σ_t dV_t h_tᵀ, "b_v": (V,) = Σ_t dV_t, "hs": (T, B, H) = dV_t W_v}.
    """
    W_v = check_array(W_v, "W_v", ndim=2)
    V, H = W_v.shape
    hs = check_array(hs, "hs", ndim=3, last_dim=H, dtype=W_v.dtype)
    T, B, _ = hs.shape
    dlogits = check_array(dlogits, "dlogits", shape=(T, B, V), dtype=W_v.dtype)
    dflat = dlogits.reshape(T * B, V)                     # (T*B, V)
    return {"W_v": dflat.T @ hs.reshape(T * B, H),       # (V, H)
            "b_v": dflat.sum(axis=0),                     # (V,)
            "hs": (dflat @ W_v).reshape(T, B, H)}         # (T, B, H)


def softmax_cross_entropy(logits, targets):
    """Softmax cross-entropy, summed over time and averaged over the batch.

    logits  : (T, B, V) floats
    targets : (T, B) integer class indices in [0, V)
    Returns (loss, dlogits): loss = Σ_t (1/B) Σ_b -log softmax(V_{t,b})[y_{t,b}] (a Python
    float), dlogits (T, B, V) = (softmax(V) - onehot(y)) / B (article 001: dJ/dV_t = ŷ_t - y_t).
    """
    logits = check_array(logits, "logits", ndim=3)
    T, B, V = logits.shape
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must be an integer array of class indices, got dtype "
                        f"{targets.dtype}")
    if targets.shape != (T, B):
        raise ValueError(f"targets must have shape {(T, B)} to match logits {logits.shape}, "
                         f"got {targets.shape}")
    if targets.min() < 0 or targets.max() >= V:
        raise ValueError(f"targets must lie in [0, {V}) (the number of classes), got values "
                         f"from {targets.min()} to {targets.max()}")
    log_p = activations.log_softmax(logits, axis=-1)                     # (T, B, V)
    t_idx, b_idx = np.indices((T, B))                                    # (T, B) each
    loss = -float(log_p[t_idx, b_idx, targets].sum()) / B
    dlogits = np.exp(log_p)                                              # softmax (T, B, V)
    dlogits[t_idx, b_idx, targets] -= 1
    dlogits /= B
    return loss, dlogits


def half_squared_error(outputs, targets):
    """L = 1/2 Σ (out - y)^2 over every element; returns (loss, dL/dout = out - y).

    outputs and targets must have the same shape (articles 000, 002, 003: 1/2 (h - y)^2).
    """
    outputs = check_array(outputs, "outputs")
    targets = check_array(targets, "targets", shape=outputs.shape)
    diff = outputs - targets
    return 0.5 * float(np.sum(diff * diff)), diff
