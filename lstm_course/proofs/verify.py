"""verify_gradient: is a hand-derived gradient exactly the derivative of the loss?"""
from __future__ import annotations

import numbers

import numpy as np
import sympy as sp

from ..core.symbolic import Sigmoid
from .zero import is_identically_zero

__all__ = ["verify_gradient", "prove_sigmoid_rule"]


def prove_sigmoid_rule() -> bool:
    """Prove d/dz [1 / (1 + e^{-z})] = σ(z) (1 - σ(z)), and that Sigmoid differentiates so."""
    z = sp.Symbol("z", real=True)
    explicit = 1 / (1 + sp.exp(-z))
    rule_holds = sp.simplify(sp.diff(explicit, z) - explicit * (1 - explicit)) == 0
    class_agrees = sp.simplify(sp.diff(Sigmoid(z), z).rewrite(sp.exp)
                               - sp.diff(explicit, z)) == 0
    return bool(rule_holds and class_agrees)


_NOT_FINITE = (sp.nan, sp.zoo, sp.oo, -sp.oo)


def _scalar(x, name: str) -> sp.Expr:
    """x as a SymPy expression: a SymPy expression or a real number (not a bool), finite."""
    if (isinstance(x, (bool, np.bool_, sp.MatrixBase))
            or not isinstance(x, (sp.Expr, numbers.Real))):
        raise TypeError(f"{name} must be a SymPy expression or a number, got "
                        f"{type(x).__name__}")
    x = sp.sympify(x)
    if x in _NOT_FINITE:
        raise ValueError(f"{name} is {x}: it must be a finite expression")
    return x


def _flat(x, name: str) -> list:
    """The entries of a SymPy expression, Matrix or numpy array, as SymPy expressions."""
    if isinstance(x, sp.MatrixBase):
        entries = list(x)
    elif isinstance(x, np.ndarray):
        entries = list(x.reshape(-1))
    elif isinstance(x, (bool, np.bool_)) or not isinstance(x, (sp.Expr, numbers.Real)):
        raise TypeError(f"{name} must be a SymPy expression, Matrix or object array, "
                        f"got {type(x).__name__}")
    else:
        return [_scalar(x, name)]
    return [_scalar(e, f"an entry of {name}") for e in entries]


def verify_gradient(hand, loss, wrt) -> bool:
    """True iff ``hand`` equals d(loss)/d(wrt) identically.

    hand : SymPy expression (or a number), or a Matrix / numpy object array shaped like wrt
    loss : SymPy expression (a scalar; a number is a constant)
    wrt  : a Symbol, or a Matrix / object array of Symbols (the gradient is elementwise)
    Anything else (None, a string, a list, NaN) is a TypeError or ValueError naming the argument.
    """
    hands, wrts = _flat(hand, "hand"), _flat(wrt, "wrt")
    if len(hands) != len(wrts):
        raise ValueError(f"hand has {len(hands)} entries but wrt has {len(wrts)}: "
                         f"they must have the same shape")
    for w in wrts:
        if not isinstance(w, sp.Symbol):
            raise TypeError(f"wrt must hold SymPy Symbols, got {w!r}")
    loss = _scalar(loss, "loss")
    return all(is_identically_zero(h - sp.diff(loss, w)) for h, w in zip(hands, wrts))
