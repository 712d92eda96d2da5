"""The readout V_t = W_v h_t + b_v and the two losses of the course.

Article 001 calls the readout V_t = W_v h_t + b_v followed by a softmax; article 004
calls the same layer the "final gate" y_t = W_y h_t + b_y.  Articles 000, 002 and 003
have no readout and score h_t itself with 1/2 (h_t - y_t)^2.
"""
from __future__ import annotations

import numpy as np

from . import activations
from .validation import check_array, check_positive_int, xavier_uniform

__all__ = ["init_readout", "readout_forward", "readout_backward", "readout_grad_hs",
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


def _output_array(out, shape: tuple, dtype) -> np.ndarray:
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


def readout_forward(W_v, b_v, hs, out=None):
    """V_t = W_v h_t + b_v for every step: W_v (V, H), b_v (V,), hs (T, B, H) -> (T, B, V).

    out: None, or a C-contiguous (T, B, V) array of the same dtype to write the logits into.
    """
    W_v, b_v, hs = _check_readout(W_v, b_v, hs)
    T, B, H = hs.shape
    V = W_v.shape[0]
    out = _output_array(out, (T, B, V), W_v.dtype)
    # one (T*B, H) x (H, V) product, not T small ones
    np.matmul(hs.reshape(T * B, H), W_v.T, out=out.reshape(T * B, V))
    out += b_v
    return out                              # (T, B, V)


def readout_backward(W_v, hs, dlogits, *, grad_hs: bool = True) -> dict:
    """Gradients of the readout given dLoss/dV (T, B, V).

    Returns {"W_v": (V, H) = Σ_t dV_t h_tᵀ, "b_v": (V,) = Σ_t dV_t, "hs": (T, B, H) = dV_t W_v};
    with grad_hs=False "hs" is left out (readout_grad_hs gives it a chunk of steps at a time).
    """
    W_v = check_array(W_v, "W_v", ndim=2)
    V, H = W_v.shape
    hs = check_array(hs, "hs", ndim=3, last_dim=H, dtype=W_v.dtype)
    T, B, _ = hs.shape
    dlogits = check_array(dlogits, "dlogits", shape=(T, B, V), dtype=W_v.dtype)
    dflat = dlogits.reshape(T * B, V)                     # (T*B, V)
    grads = {"W_v": dflat.T @ hs.reshape(T * B, H),      # (V, H)
             "b_v": dflat.sum(axis=0)}                    # (V,)
    if grad_hs:
        grads["hs"] = readout_grad_hs(W_v, dlogits)       # (T, B, H)
    return grads


def readout_grad_hs(W_v, dlogits):
    """dLoss/dh_t = dV_t W_v for every step: W_v (V, H), dlogits (n, B, V) -> (n, B, H).

    The "hs" entry of readout_backward, on its own so that lstm.backward can ask for it a
    chunk of steps at a time.
    """
    n, B, V = dlogits.shape
    return (dlogits.reshape(n * B, V) @ W_v).reshape(n, B, -1)


def softmax_cross_entropy(logits, targets, out=None):
    """Softmax cross-entropy, summed over time and averaged over the batch.

    logits  : (T, B, V) floats
    targets : (T, B) integer class indices in [0, V)
    out     : None, or a (T, B, V) array of logits' dtype to write dlogits into (it may be
              logits itself, which is then overwritten)
    Returns (loss, dlogits): loss = Σ_t (1/B) Σ_b -log softmax(V_{t,b})[y_{t,b}] (a Python
    float), dlogits (T, B, V) = (softmax(V) - onehot(y)) / B (article 001: dJ/dV_t = ŷ_t - y_t).
    log softmax is taken with the log-sum-exp trick, as activations.log_softmax does.
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
    out = _output_array(out, logits.shape, logits.dtype)
    t_idx, b_idx = np.indices((T, B))                                    # (T, B) each
    shifted = np.subtract(logits, logits.max(axis=-1, keepdims=True), out=out)  # (T, B, V) <= 0
    shifted_target = shifted[t_idx, b_idx, targets]                      # (T, B)
    e = np.exp(shifted, out=out)                                         # (T, B, V) in (0, 1]
    total = e.sum(axis=-1)                                               # (T, B) >= 1
    # -log softmax(V)[y] = log Σ_j exp(V_j - max) - (V_y - max)
    loss = float((np.log(total) - shifted_target).sum()) / B
    dlogits = np.divide(e, (total * B)[..., None], out=out)              # softmax / B
    dlogits[t_idx, b_idx, targets] -= 1 / B
    return loss, dlogits


def half_squared_error(outputs, targets):
    """L = 1/2 Σ (out - y)^2 over every element; returns (loss, dL/dout = out - y).

    outputs and targets must have the same shape (articles 000, 002, 003: 1/2 (h - y)^2).
    """
    outputs = check_array(outputs, "outputs")
    targets = check_array(targets, "targets", shape=outputs.shape)
    diff = outputs - targets
    return 0.5 * float(np.sum(diff * diff)), diff
