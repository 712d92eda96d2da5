"""Gradient clipping (article 004's elementwise clip, and norm clipping)."""
from __future__ import annotations

import numpy as np

__all__ = ["clip_elementwise", "clip_by_global_norm", "global_norm"]


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
