"""The readout and its loss as the training step runs them: fused, in place, unchecked.

The same formulas as lstm_course.core.layers (the readable, checked versions the lessons
use), tested equal to them; the character model (lstm_course.hamlet.model.loss_and_grads)
checks its arguments once and then calls these, which write into given buffers and never
re-read their inputs for checks.
"""
from __future__ import annotations

import numpy as np

__all__ = ["output_array", "logits_into", "cross_entropy_into", "grad_hs", "weight_grads"]


def output_array(out, shape: tuple, dtype) -> np.ndarray:
    """out itself if it is a C-contiguous array of this shape and dtype, a new one if None."""
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not (isinstance(out, np.ndarray) and out.shape == tuple(shape) and out.dtype == dtype
            and out.flags.c_contiguous and out.flags.writeable):
        raise ValueError(f"out must be a writeable C-contiguous {np.dtype(dtype)} array of shape "
                         f"{tuple(shape)}, got "
                         + (f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray)
                            else type(out).__name__))
    return out


def logits_into(W_v, b_v, hs, out=None):
    """V_t = W_v h_t + b_v for every step, hs (T, B, H) -> (T, B, V), written into out (a
    C-contiguous (T, B, V) array of W_v's dtype) or a new array: one (T*B, H) x (H, V) product."""
    T, B, H = hs.shape
    V = W_v.shape[0]
    out = output_array(out, (T, B, V), W_v.dtype)
    np.matmul(hs.reshape(T * B, H), W_v.T, out=out.reshape(T * B, V))
    out += b_v
    return out                              # (T, B, V)


def cross_entropy_into(logits, targets, out=None):
    """Softmax cross-entropy of (T, B, V) logits against checked (T, B) targets, summed over
    time and averaged over the batch: (loss, dlogits), dlogits written into out (which may be
    logits itself, then overwritten).  log softmax is taken with the log-sum-exp trick."""
    T, B, V = logits.shape
    out = output_array(out, logits.shape, logits.dtype)
    at_target = np.arange(T * B) * V + targets.reshape(-1)   # (T*B,) flat index of each y_{t,b}
    shifted = np.subtract(logits, logits.max(axis=-1, keepdims=True), out=out)  # (T, B, V) <= 0
    shifted_target = shifted.reshape(-1)[at_target]                      # (T*B,)
    e = np.exp(shifted, out=out)                                         # (T, B, V) in (0, 1]
    # Σ_j over the V classes as a matrix-vector product: much faster than sum(axis=-1) on
    # rows this short
    total = e.reshape(T * B, V) @ np.ones(V, dtype=e.dtype)             # (T*B,) >= 1
    # -log softmax(V)[y] = log Σ_j exp(V_j - max) - (V_y - max)
    loss = float((np.log(total) - shifted_target).sum()) / B
    dlogits = np.divide(e, (total * B).reshape(T, B, 1), out=out)        # softmax / B
    dlogits.reshape(-1)[at_target] -= 1 / B
    return loss, dlogits


def grad_hs(W_v, dlogits):
    """dLoss/dh_t = dV_t W_v for every step: W_v (V, H), dlogits (n, B, V) -> (n, B, H).

    On its own so that the kernel's backward can ask for it a chunk of steps at a time.
    """
    n, B, V = dlogits.shape
    return (dlogits.reshape(n * B, V) @ W_v).reshape(n, B, -1)


def weight_grads(hs, dlogits) -> dict:
    """{"W_v": (V, H) = Σ_t dV_t h_tᵀ, "b_v": (V,) = Σ_t dV_t}, each one flat product or sum."""
    T, B, V = dlogits.shape
    dflat = dlogits.reshape(T * B, V)                     # (T*B, V)
    return {"W_v": dflat.T @ hs.reshape(T * B, -1),      # (V, H)
            "b_v": dflat.sum(axis=0)}                     # (V,)
