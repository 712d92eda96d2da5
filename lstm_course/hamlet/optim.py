"""Optimisers and clipping: SGD (article 001, figure 11; article 004), Adam, article 004's
elementwise clip and global-norm clipping.  Updates work in place on the parameter dict."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["sgd_update", "AdamState", "adam_update", "clip_elementwise", "clip_by_global_norm",
           "global_norm"]


def clip_elementwise(grads: dict, limit: float = 1.0) -> dict:
    """Article 004: every entry of every gradient clipped to [-limit, limit] (new arrays).

    This changes the gradient's direction whenever some entries exceed the limit.
    """
    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit}")
    return {k: np.clip(g, -limit, limit) for k, g in grads.items()}


def global_norm(grads: dict) -> float:
    """sqrt of the sum of squares of every entry of every gradient."""
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads.values())))


def clip_by_global_norm(grads: dict, max_norm: float) -> tuple[dict, float]:
    """Scale all gradients together so that their global norm is at most max_norm.

    Keeps the gradient's direction.  Returns (clipped grads as new arrays, norm before clipping).
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise FloatingPointError(f"the gradient norm is {norm}: the loss or a parameter is not finite")
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: (g * scale).astype(g.dtype, copy=False) for k, g in grads.items()}, norm


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
