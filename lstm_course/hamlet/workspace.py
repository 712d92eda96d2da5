"""Buffers kept from one training step to the next.

A training step of the character model needs the same large arrays every time: the gates
(T, B, 4H), the states (T, B, H), the logits (T, B, V) and a few chunk buffers of the
backward pass.  Allocated afresh, each of these is handed back to the operating system at
the end of the step and faulted in again, page by page, at the next one; on this course's
2-core machine that cost a third of a step for T=64, B=32, H=128 (float32).  A
:class:`Workspace` keeps them: pass the same one to every step of a loop.

Arrays taken from a workspace are overwritten by the next call that uses it, so results a
caller wants to keep (a final state to carry on, gradients, losses) are copies or new arrays;
the functions that accept ``workspace=`` say which of their outputs live in it.  A forward
cache whose buffers a later forward has overwritten is refused by kernel.backward with a clear
error, never silently used.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Workspace", "empty"]


class Workspace:
    """Named arrays reused while their shape and dtype stay the same."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}
        self._parts: dict[str, Workspace] = {}
        self.forward_calls = 0  # kernel.forward counts its calls, so backward can tell a stale cache

    def empty(self, name: str, shape: tuple, dtype) -> np.ndarray:
        """An uninitialised array of ``shape`` and ``dtype``: the one kept under ``name`` when
        it matches, otherwise a new one (which replaces it)."""
        shape, dtype = tuple(shape), np.dtype(dtype)
        arr = self._arrays.get(name)
        if arr is None or arr.shape != shape or arr.dtype != dtype:
            arr = np.empty(shape, dtype=dtype)
            self._arrays[name] = arr
        return arr

    def part(self, name: str) -> "Workspace":
        """A workspace kept inside this one under ``name``: each layer of a stacked model has
        its own (the kernel names its buffers the same in every layer)."""
        if name not in self._parts:
            self._parts[name] = Workspace()
        return self._parts[name]

    def nbytes(self) -> int:
        """Bytes held by the workspace's arrays (its parts' included)."""
        return (sum(arr.nbytes for arr in self._arrays.values())
                + sum(part.nbytes() for part in self._parts.values()))

    def __repr__(self) -> str:
        return f"Workspace({len(self._arrays)} arrays, {self.nbytes() / 2**20:.1f} MiB)"


def empty(workspace: Workspace | None, name: str, shape: tuple, dtype) -> np.ndarray:
    """``workspace.empty(name, shape, dtype)``, or a fresh ``np.empty`` when workspace is None."""
    if workspace is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(workspace, Workspace):
        raise TypeError(f"workspace must be a lstm_course.hamlet.workspace.Workspace or None, got "
                        f"{type(workspace).__name__}")
    return workspace.empty(name, shape, dtype)
