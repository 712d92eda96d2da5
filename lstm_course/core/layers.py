"""The readout V_t = W_v h_t + b_v and the two losses of the course.

Article 001 calls the readout V_t = W_v h_t + b_v followed by a softmax; article 004
calls the same layer the "final gate" y_t = W_y h_t + b_y.  Articles 000, 002 and 003
have no readout and score h_t itself with 1/2 (h_t - y_t)^2.
"""
from __future__ import annotations

import numpy as np

from . import activations
from .params import xavier_uniform
from .validation import check_array, check_positive_int

__all__ = ["init_readout", "check_readout_params", "readout_forward", "readout_backward",
           "readout_grad_hs", "softmax_cross_entropy", "half_squared_error"]


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


def _check_readout(W_v, b_v, hs):
    W_v = check_array(W_v, "W_v", ndim=2)
    W_v, b_v = check_readout_params(W_v, b_v, W_v.shape[1])
    hs = check_array(hs, "hs", ndim=3, last_dim=W_v.shape[1], dtype=W_v.dtype)
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


def readout_forward(W_v, b_v, hs, out=None, *, check: bool = True):
    """V_t = W_v h_t + b_v for every step: W_v (V, H), b_v (V,), hs (T, B, H) -> (T, B, V).

    out   : None, or a C-contiguous (T, B, V) array of the same dtype to write the logits into
    check : False skips checking W_v, b_v and hs (shapes, dtypes, no NaN), for a caller that
            made them itself (charmodel.loss_and_grads); the checks read every element
    """
    if check:
        W_v, b_v, hs = _check_readout(W_v, b_v, hs)
    T, B, H = hs.shape
    V = W_v.shape[0]
    out = _output_array(out, (T, B, V), W_v.dtype)
    # one (T*B, H) x (H, V) product, not T small ones
    np.matmul(hs.reshape(T * B, H), W_v.T, out=out.reshape(T * B, V))
    out += b_v
    return out                              # (T, B, V)


def readout_backward(W_v, hs, dlogits, *, grad_hs: bool = True, check: bool = True) -> dict:
    """Gradients of the readout given dLoss/dV (T, B, V).

    Returns {"W_v": (V, H) = Σ_t dV_t h_tᵀ, "b_v": (V,) = Σ_t dV_t, "hs": (T, B, H) = dV_t W_v};
    with grad_hs=False "hs" is left out (readout_grad_hs gives it a chunk of steps at a time).
    check=False skips the argument checks (see readout_forward).
    """
    if check:
        W_v = check_array(W_v, "W_v", ndim=2)
        hs = check_array(hs, "hs", ndim=3, last_dim=W_v.shape[1], dtype=W_v.dtype)
        dlogits = check_array(dlogits, "dlogits", shape=hs.shape[:2] + W_v.shape[:1],
                              dtype=W_v.dtype)
    V, H = W_v.shape
    T, B, _ = hs.shape
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


def softmax_cross_entropy(logits, targets, out=None, *, check: bool = True):
    """Softmax cross-entropy, summed over time and averaged over the batch.

    logits  : (T, B, V) floats
    targets : (T, B) integer class indices in [0, V)
    out     : None, or a (T, B, V) array of logits' dtype to write dlogits into (it may be
              logits itself, which is then overwritten)
    check   : False skips checking logits (targets are always checked), see readout_forward
    Returns (loss, dlogits): loss = Σ_t (1/B) Σ_b -log softmax(V_{t,b})[y_{t,b}] (a Python
    float), dlogits (T, B, V) = (softmax(V) - onehot(y)) / B (article 001: dJ/dV_t = ŷ_t - y_t).
    log softmax is taken with the log-sum-exp trick, as activations.log_softmax does.
    """
    if check:
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


def half_squared_error(outputs, targets):
    """L = 1/2 Σ (out - y)^2 over every element; returns (loss, dL/dout = out - y).

    outputs and targets must have the same shape (articles 000, 002, 003: 1/2 (h - y)^2).
    """
    outputs = check_array(outputs, "outputs")
    targets = check_array(targets, "targets", shape=outputs.shape)
    diff = outputs - targets
    return 0.5 * float(np.sum(diff * diff)), diff
