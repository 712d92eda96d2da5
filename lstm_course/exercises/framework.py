"""Exercises and their checker: a right answer is proved, a wrong one is shown where it fails.

Three kinds of answer:

* ``expression``: a SymPy expression (or a Matrix / list of them) in the symbols the exercise
  hands out.  It is right when it equals the truth *identically* (proved with
  lstm_course.proofs.zero); the truth is computed by SymPy from the forward expression
  (sympy.diff), never typed by hand.  A wrong answer gets a point where the two differ, both
  values there, and, when it is a known slip (σ' where tanh' belongs, a missing C_{t-1}, a
  missing f_{t+1} path, a sign, the derivative taken with respect to another variable), its
  name and what to look at.
* ``function``: a Python function on arrays (a step of the LSTM, a sampler, a clip).  It is
  run on numpy object arrays of SymPy symbols when it can be (then proved against the
  reference identically) and always checked numerically in float64 against the reference and,
  for gradients, by finite differences; a wrong one gets the first output and entry that
  differ, both values, and a slip's name when its outputs match a known slip's.
* ``number``: a value worked by hand (from an article's example); right within the rounding
  the exercise states.

``check(key, answer)`` returns a :class:`Verdict` (printed as a short report); the placeholder
``...`` gives a deterministic "not answered yet" with the first hint, so a lesson committed
unanswered runs the same every time.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np
import sympy as sp

from ..proofs.zero import is_identically_zero

__all__ = ["Slip", "Exercise", "Verdict", "check_answer", "not_answered"]

KINDS = ("expression", "function", "number")


@dataclass(frozen=True)
class Slip:
    """A known wrong answer: its name, how to build it, and what to look at.

    wrong(ns) builds the slip's answer from the handed-out namespace (an expression for
    expression exercises, a function for function exercises, a number for number exercises).
    """

    name: str
    wrong: Callable[[SimpleNamespace], Any]
    advice: str


@dataclass(frozen=True)
class Exercise:
    """One exercise of a lesson.

    key       : "LL.n", the lesson number and the exercise's place in it ("03.2")
    title     : a few words
    statement : what to write (Markdown), naming what is handed out
    kind      : "expression", "function" or "number"
    handout   : () -> SimpleNamespace of what the learner gets (symbols, arrays, functions)
    truth     : (ns) -> what a right answer equals: a SymPy expression or list of them
                (expression), the reference function (function), a float (number)
    solution  : (ns) -> a right answer as a learner would write it (tested to be accepted)
    hints     : from a nudge to nearly the answer
    slips     : known wrong answers, each recognised by name
    compare   : function exercises only: (answer_fn, truth_fn, ns) -> Verdict details; see
                lstm_course.exercises.functions
    tolerance : number exercises only: the largest accepted |answer - truth|
    """

    key: str
    title: str
    statement: str
    kind: str
    handout: Callable[[], SimpleNamespace]
    truth: Callable[[SimpleNamespace], Any]
    solution: Callable[[SimpleNamespace], Any]
    hints: tuple[str, ...]
    slips: tuple[Slip, ...] = ()
    compare: Callable | None = None
    tolerance: float = 0.0
    level: int = 1            # 1: one line; 2: a few lines; 3: implement it

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if not self.hints:
            raise ValueError(f"exercise {self.key} needs at least one hint")


@dataclass
class Verdict:
    """What check says: right or not, and why, in a few lines."""

    key: str
    correct: bool | None            # None: not answered yet
    lines: list = field(default_factory=list)
    slip: str | None = None
    proved: bool = False            # right, and proved exactly (not only numerically)

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def __repr__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        return bool(self.correct)

    def _repr_markdown_(self) -> str:
        return "\n\n".join(self.lines)


def not_answered(exercise: Exercise) -> Verdict:
    return Verdict(exercise.key, None,
                   [f"{exercise.key} not answered yet: replace ... with your answer.",
                    f"Hint 1: {exercise.hints[0]}"])


# ------------------------------------------------------------------------- expressions

def _as_list(x, what: str) -> list:
    if isinstance(x, sp.MatrixBase):
        return list(x)
    if isinstance(x, np.ndarray):
        return list(x.reshape(-1))
    if isinstance(x, (list, tuple)):
        return [item for entry in x for item in _as_list(entry, what)]
    return [x]


def _sympify(value, what: str):
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        raise TypeError(f"{what} must be a SymPy expression in the symbols handed out, got "
                        f"{type(value).__name__}") from None
    if not isinstance(expr, sp.Expr):
        raise TypeError(f"{what} must be a SymPy expression, got {type(expr).__name__}")
    return expr


def _handed_symbols(value) -> set:
    """Every SymPy symbol in what an exercise hands out (symbols, expressions, containers)."""
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return set(value.free_symbols)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return set().union(*(_handed_symbols(v) for v in value)) if value else set()
    return set()


def _point(symbols, seed: int) -> dict:
    rnd = random.Random(seed)
    return {s: sp.Rational(rnd.randint(-90, 90), 100) for s in sorted(symbols, key=str)}


def _value(expr, point) -> float:
    return float(sp.N(expr.subs(point), 30))


def _where(exprs, truths) -> tuple[int, dict, float, float] | None:
    """The first entry and a rational point where an answer and the truth differ."""
    for seed in range(6):
        for k, (a, t) in enumerate(zip(exprs, truths)):
            point = _point(a.free_symbols | t.free_symbols, seed)
            va, vt = _value(a, point), _value(t, point)
            if abs(va - vt) > 1e-9 * (1 + abs(vt)):
                return k, point, va, vt
    return None


def _format_point(point: dict) -> str:
    return ", ".join(f"${sp.latex(s)} = {float(v):g}$" for s, v in point.items()) or "any point"


def _matches(exprs, others) -> bool:
    return len(exprs) == len(others) and all(
        is_identically_zero(a - b) for a, b in zip(exprs, others))


def check_expression(exercise: Exercise, ns: SimpleNamespace, answer) -> Verdict:
    truths = [sp.sympify(t) for t in _as_list(exercise.truth(ns), "truth")]
    exprs = [_sympify(a, "your answer") for a in _as_list(answer, "answer")]
    if len(exprs) != len(truths):
        return Verdict(exercise.key, False, [
            f"{exercise.key}: not yet. Your answer has {len(exprs)} entries, the question "
            f"asks for {len(truths)}."])
    extra = set().union(*(a.free_symbols for a in exprs)) - _handed_symbols(vars(ns))
    if _matches(exprs, truths):
        return Verdict(exercise.key, True, [
            f"{exercise.key}: right, proved exactly: your answer minus the derivative SymPy "
            f"takes of the forward expression is identically 0."], proved=True)
    lines = [f"{exercise.key}: not yet."]
    if extra:
        lines.append(f"Your answer uses symbols that were not handed out: "
                     f"{', '.join(sorted(map(str, extra)))}.")
    found = _where(exprs, truths)
    if found:
        k, point, va, vt = found
        entry = f" (entry {k + 1})" if len(truths) > 1 else ""
        lines.append(f"At {_format_point(point)}{entry}: your answer gives {va:.6g}, the right "
                     f"value is {vt:.6g}.")
    slip = _recognise(exercise, ns, exprs, truths)
    if slip:
        lines.append(f"This is a known slip: {slip.name}. {slip.advice}")
    return Verdict(exercise.key, False, lines, slip=slip.name if slip else None)


def _recognise(exercise, ns, exprs, truths):
    for slip in exercise.slips:
        if _matches(exprs, [sp.sympify(t) for t in _as_list(slip.wrong(ns), "slip")]):
            return slip
    if _matches(exprs, [-t for t in truths]):
        return Slip("a sign", lambda _: None, "Your answer is the right one times -1.")
    return None


# -------------------------------------------------------------------------------- numbers

def check_number(exercise: Exercise, ns: SimpleNamespace, answer) -> Verdict:
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.number)):
        raise TypeError(f"your answer to {exercise.key} must be a number, got "
                        f"{type(answer).__name__}")
    truth = float(exercise.truth(ns))
    if abs(float(answer) - truth) <= exercise.tolerance:
        return Verdict(exercise.key, True, [
            f"{exercise.key}: right: {float(answer):.6g} (the package computes {truth:.6g}; "
            f"accepted within ±{exercise.tolerance:g})."])
    lines = [f"{exercise.key}: not yet. Your number is {float(answer):.6g}; the right value is "
             f"{truth:.6g} (accepted within ±{exercise.tolerance:g})."]
    for slip in exercise.slips:
        if abs(float(answer) - float(slip.wrong(ns))) <= exercise.tolerance:
            lines.append(f"This is a known slip: {slip.name}. {slip.advice}")
            return Verdict(exercise.key, False, lines, slip=slip.name)
    return Verdict(exercise.key, False, lines)


def check_answer(exercise: Exercise, answer) -> Verdict:
    """Check one answer to one exercise (``...`` or None: not answered yet)."""
    if answer is Ellipsis or answer is None:
        return not_answered(exercise)
    ns = exercise.handout()
    if exercise.kind == "expression":
        return check_expression(exercise, ns, answer)
    if exercise.kind == "number":
        return check_number(exercise, ns, answer)
    if not callable(answer):
        raise TypeError(f"your answer to {exercise.key} must be a function (def ...), got "
                        f"{type(answer).__name__}")
    return exercise.compare(exercise, ns, answer)
