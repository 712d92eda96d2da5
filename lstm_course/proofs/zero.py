"""Deciding exactly, and fast, whether a SymPy expression is identically zero.

Every gradient the course proves is a difference "hand-derived minus sympy.diff" that should
vanish.  With σ and tanh as SymPy functions whose derivatives are polynomials in themselves
(lstm_course.core.symbolic.Sigmoid), such a difference is a rational function of the atoms
σ(·), tanh(·), exp(·), log(·): :func:`is_identically_zero` freezes each distinct atom into a
symbol and evaluates the result exactly in a sparse polynomial ring, milliseconds where
``simplify`` takes minutes.
"""
from __future__ import annotations

import math
import random

import sympy as sp

from ..core.symbolic import Sigmoid

__all__ = ["is_identically_zero"]


_ATOM_FUNCS = (Sigmoid, sp.tanh, sp.exp, sp.log)


def _freeze(expr, table: dict, memo: dict):
    """Replace every σ(·), tanh(·), exp(·), log(·) by a symbol keyed by its expanded argument."""
    if expr in memo:
        return memo[expr]
    if expr.is_Atom:
        out = expr
    else:
        args = [_freeze(a, table, memo) for a in expr.args]
        if expr.func in _ATOM_FUNCS:
            arg = sp.expand(args[0])
            invert = False
            if expr.func is sp.exp:  # exp(-u) = 1 / exp(u): one symbol for both
                coeff, _ = arg.as_coeff_Mul()
                if coeff.is_negative:
                    arg, invert = sp.expand(-arg), True
            key = (expr.func, arg)
            if key not in table:
                table[key] = sp.Dummy(f"{expr.func.__name__}{len(table)}")
            out = 1 / table[key] if invert else table[key]
        else:
            out = expr.func(*args)
    memo[expr] = out
    return out


def _float_value(expr, point: dict) -> float:
    """expr at point in plain floats (fast; Sigmoid evaluated as 1 / (1 + e^-z))."""
    symbols = list(point)
    f = sp.lambdify(symbols, expr, modules=[{"Sigmoid": lambda z: 1 / (1 + math.exp(-z))},
                                            "math"])
    try:
        return float(f(*(float(point[s]) for s in symbols)))
    except (OverflowError, ZeroDivisionError, ValueError):
        return float("nan")


def _digits_value(expr, point: dict, digits: int = 50):
    """expr at point with ``digits`` significant digits (mpmath), or None if it cannot be
    evaluated there.  Much faster than substituting into the expression and calling evalf."""
    import mpmath
    symbols = list(point)
    with mpmath.workdps(digits):
        f = sp.lambdify(symbols, expr, modules=[{"Sigmoid": lambda z: 1 / (1 + mpmath.exp(-z))},
                                                "mpmath"])
        try:
            return abs(f(*(mpmath.mpf(point[s].p) / point[s].q for s in symbols)))
        except (OverflowError, ZeroDivisionError, ValueError):
            return None


def _numerically_nonzero(expr, trials: int = 3) -> bool:
    """True if expr is clearly non-zero at some random rational point.

    A float evaluation settles the clear cases at once (|value| > 1e-6, far above the
    round-off of these expressions); otherwise the point is evaluated with 50 digits
    (mpmath), where a value above 1e-30 is far above the round-off.
    """
    rnd = random.Random(12345)
    free = sorted(expr.free_symbols, key=str)
    for _ in range(trials):
        point = {s: sp.Rational(rnd.randint(-900, 900), 1000) for s in free}
        if abs(_float_value(expr, point)) > 1e-6:
            return True
        value = _digits_value(expr, point)
        if value is None:                        # not evaluable this way: SymPy's own evalf
            value = sp.N(expr.subs(point), 50)
            if value.is_number and abs(value) > sp.Float("1e-30", 50):
                return True
        elif value > 1e-30:
            return True
    return False


class _NeedsDivision(Exception):
    pass


def _evaluate_in(expr, domain, gens: dict, memo: dict):
    """Evaluate a rational expression of symbols in a sparse polynomial ring or field.

    The ring's dictionary arithmetic expands products far faster than Expr.expand.
    Raises _NeedsDivision in a ring when a negative power appears.
    """
    if expr in memo:
        return memo[expr]
    if expr.is_Symbol:
        out = gens[expr]
    elif expr.is_Rational:
        out = domain(expr)
    elif expr.is_Add or expr.is_Mul:
        parts = [_evaluate_in(a, domain, gens, memo) for a in expr.args]
        out = parts[0]
        for p in parts[1:]:
            out = out + p if expr.is_Add else out * p
    elif expr.is_Pow and expr.exp.is_Integer:
        base = _evaluate_in(expr.base, domain, gens, memo)
        if expr.exp < 0 and not hasattr(base, "denom"):
            raise _NeedsDivision
        out = base ** int(expr.exp)
    else:
        raise TypeError(f"not a rational expression of symbols: {expr}")
    memo[expr] = out
    return out


def _rational_is_zero(frozen) -> bool:
    """Exactly: is this rational expression in plain symbols identically zero?"""
    symbols = sorted(frozen.free_symbols, key=str)
    if not symbols:
        return sp.simplify(frozen) == 0
    for make in (sp.ring, sp.field):  # polynomial arithmetic first, fractions if needed
        domain, *gens = make(symbols, sp.QQ)
        try:
            return _evaluate_in(frozen, domain, dict(zip(symbols, gens)), {}) == 0
        except _NeedsDivision:
            continue
    raise AssertionError("unreachable: a field has division")


def is_identically_zero(expr) -> bool:
    """Decide exactly whether a SymPy expression is identically zero.

    Fast path: freeze the transcendental atoms into symbols; the result is a rational
    function of plain symbols, evaluated exactly in a sparse polynomial ring (or field).
    If it is 0, so is expr (substitute the atoms back).  If not, the expression is
    evaluated at random points: a clearly non-zero value proves it non-zero; otherwise
    ``simplify`` on the exp form settles it (atoms can be related, e.g. exp(2a) = exp(a)²).
    """
    expr = sp.sympify(expr)
    try:
        if _rational_is_zero(_freeze(expr, {}, {})):
            return True
    except TypeError:  # something other than +, *, integer powers: take the slow road
        pass
    if _numerically_nonzero(expr):
        return False
    return sp.simplify(expr.rewrite(sp.exp)) == 0
