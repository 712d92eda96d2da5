"""Checking a function the learner wrote: run it on symbols when it can be, always on numbers.

:func:`comparator` builds the ``compare`` of a function exercise.  The learner's function is
called on a few float64 cases and its outputs compared entry by entry with the expected ones
(the reference's, or finite differences of the forward for a gradient); then, when it also
runs on numpy object arrays of SymPy symbols, each output entry is proved identical to the
reference's.  A mismatch is reported at its first entry with both values, and named when the
outputs match one of the exercise's known slips.
"""
from __future__ import annotations

import copy
from typing import Callable

import numpy as np
import sympy as sp

from ..proofs.zero import is_identically_zero
from .framework import Exercise, Verdict

__all__ = ["comparator", "flatten"]


def flatten(out, names=None) -> list:
    """[(label, array)] of a function's outputs: an array, a tuple of arrays or a dict."""
    if isinstance(out, dict):
        return [(str(k), np.asarray(v)) for k, v in out.items()]
    if isinstance(out, tuple):
        labels = names or [f"output {k + 1}" for k in range(len(out))]
        if len(labels) != len(out):
            raise ValueError(f"expected {len(labels)} outputs ({', '.join(labels)}), "
                             f"got {len(out)}")
        return [(label, np.asarray(v)) for label, v in zip(labels, out)]
    return [((names or ["the result"])[0], np.asarray(out))]


def _first_difference(got: list, expected: list, rtol: float, nan_equal: bool = False):
    """(label, index, value, expected) of the first entry that differs, or a shape problem.

    nan_equal: NaN in both counts as the same (to recognise a slip that overflows)."""
    got_d = dict(got)
    missing = [label for label, _ in expected if label not in got_d]
    if missing:
        return f"your function's result lacks {', '.join(missing)}"
    for label, want in expected:
        have = got_d[label]
        if have.shape != want.shape:
            return f"{label} has shape {have.shape}, expected {want.shape}"
        if have.dtype == object:
            return f"{label} holds objects, not numbers (on float inputs)"
        have = have.astype(np.float64)
        diff = np.abs(have - want) > rtol * (1 + np.abs(want))
        same_nan = np.isnan(have) & np.isnan(want) if nan_equal else np.zeros(have.shape, bool)
        bad = ~np.isfinite(have) & ~same_nan
        if np.any(bad):
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            return (label, idx, float(have[idx]), float(want[idx]))
        diff &= ~same_nan
        if np.any(diff):
            idx = tuple(int(i) for i in np.argwhere(diff)[0])
            return (label, idx, float(have[idx]), float(want[idx]))
    return None


def _call(fn, args):
    return fn(*copy.deepcopy(args))


def comparator(cases: Callable, *, names=None, expected: Callable | None = None,
               symbolic_case: Callable | None = None, rtol: float = 1e-9,
               expected_rtol: float | None = None, what: str = "the reference") -> Callable:
    """Build the compare function of a function exercise.

    cases(ns)          -> list of argument tuples (float64) to call the function with
    names              : labels of a tuple result's outputs, in order
    expected(ns, args) -> what a right function returns on args, when it is not simply the
                          reference's result (e.g. finite differences of the forward);
                          compared with ``expected_rtol``
    symbolic_case(ns)  -> one argument tuple of SymPy object arrays, to prove the function
    """
    def compare(exercise: Exercise, ns, answer) -> Verdict:
        key, reference = exercise.key, exercise.truth(ns)
        lines = []
        for number, args in enumerate(cases(ns), start=1):
            try:
                got = flatten(_call(answer, args), names)
            except Exception as exc:  # the learner's code: report, do not crash the lesson
                return Verdict(key, False, [f"{key}: not yet. On test case {number} your "
                                            f"function raised {type(exc).__name__}: {exc}"])
            if expected is None:
                want, tol, against = flatten(_call(reference, args), names), rtol, what
            else:
                want = flatten(expected(ns, args), names)
                tol, against = expected_rtol or rtol, "finite differences of the forward"
            problem = _first_difference(got, want, tol)
            if problem is not None:
                lines = [f"{key}: not yet."]
                if isinstance(problem, str):
                    lines.append(f"On test case {number}: {problem}.")
                else:
                    label, idx, have, should = problem
                    lines.append(f"On test case {number}, {label}{list(idx)}: your function gives "
                                 f"{have:.6g}, {against} gives {should:.6g}.")
                slip = _recognise(exercise, ns, answer, args, names)
                if slip is not None:
                    lines.append(f"This is a known slip: {slip.name}. {slip.advice}")
                return Verdict(key, False, lines, slip=slip.name if slip else None)
        n = len(cases(ns))
        checked = (f"it agrees with finite differences of the forward on {n} float64 test "
                   f"steps" if expected else f"it agrees with {what} on {n} float64 test cases")
        if symbolic_case is None:
            return Verdict(key, True, [f"{key}: right: {checked}."])
        args = symbolic_case(ns)
        try:
            got = flatten(_call(answer, args), names)
        except Exception as exc:
            return Verdict(key, True, [
                f"{key}: right numerically: {checked}.",
                f"It could not run on SymPy symbols ({type(exc).__name__}: {exc}), so it is "
                f"not proved; use lstm_course.core.activations' sigmoid and tanh, which take "
                f"symbols too, to have it proved."])
        want = dict(flatten(_call(reference, args), names))
        proved = all(is_identically_zero(sp.sympify(a) - sp.sympify(b))
                     for label, arr in got
                     for a, b in zip(np.ravel(arr), np.ravel(want[label])))
        if proved:
            return Verdict(key, True, [f"{key}: right, proved exactly: run on SymPy symbols, "
                                       f"every output equals {what}'s identically; and {checked}."],
                           proved=True)
        return Verdict(key, False, [f"{key}: not yet: right on the numbers tried but not "
                                    f"identically equal to {what} on symbols."])
    return compare


def _recognise(exercise, ns, answer, args, names):
    try:
        got = flatten(_call(answer, args), names)
    except Exception:
        return None
    for slip in exercise.slips:
        try:
            wrong = flatten(_call(slip.wrong(ns), args), names)
        except Exception:
            continue
        if _first_difference(got, wrong, 1e-9, nan_equal=True) is None:
            return slip
    return None
