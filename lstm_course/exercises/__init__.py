"""Your turn: the learner's exercises, checked on the spot.

In a lesson:

    from lstm_course.exercises import check, handout, hint, show
    show("02.1")              # the statement
    s = handout("02.1")       # the symbols (or arrays) it hands out
    answer = ...              # replace ... with your answer
    check("02.1", answer)     # right (proved), or where it goes wrong and why
    hint("02.1", 2)           # the first two hints

    framework   Exercise, Slip, Verdict and the checking of expressions and numbers
    functions   checking a function the learner wrote (on symbols and on numbers)
    lstm_steps  the cases, symbols and slips of the "implement a step" exercises
    lessonNN    each lesson's exercises, with their solutions
A teacher sees every statement and solution with ``python -m lstm_course exercises``.
"""
from __future__ import annotations

import inspect

from . import lesson01, lesson02, lesson03, lesson04, lesson05, lesson06
from .framework import Exercise, Verdict, check_answer

__all__ = ["EXERCISES", "get", "check", "hint", "show", "handout", "solutions_text"]

LESSONS = (lesson01, lesson02, lesson03, lesson04, lesson05, lesson06)
EXERCISES: dict[str, Exercise] = {e.key: e for module in LESSONS for e in module.EXERCISES}


def get(key: str) -> Exercise:
    """The exercise with this key ("02.1"); a clear error for an unknown one."""
    if not isinstance(key, str) or key not in EXERCISES:
        raise KeyError(f"no exercise {key!r}; the exercises are {', '.join(EXERCISES)}")
    return EXERCISES[key]


def check(key: str, answer) -> Verdict:
    """Check an answer: ``...`` (not answered yet), an expression, a function or a number."""
    return check_answer(get(key), answer)


def handout(key: str):
    """What the exercise hands out (a namespace of SymPy symbols or arrays)."""
    return get(key).handout()


class _Text(str):
    """A str shown as Markdown in a notebook and as itself elsewhere."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)


def hint(key: str, n: int = 1) -> _Text:
    """The first n hints of an exercise."""
    exercise = get(key)
    n = max(1, min(int(n), len(exercise.hints)))
    return _Text("\n\n".join(f"Hint {k + 1}: {h}" for k, h in enumerate(exercise.hints[:n])))


def show(key: str) -> _Text:
    """The statement of an exercise, with its key and title."""
    e = get(key)
    level = {1: "one line", 2: "a few lines", 3: "implement it"}[e.level]
    return _Text(f"**Your turn {e.key}: {e.title}** ({level})\n\n{e.statement}")


def _solution_text(e: Exercise, answer) -> str:
    """A solution as a teacher reads it: LaTeX for expressions, source code for functions."""
    import sympy as sp
    if e.kind == "function":
        return f"```python\n{inspect.getsource(e.solution).rstrip()}\n```"
    if e.kind == "number":
        return f"{answer}"
    items = answer if isinstance(answer, (list, tuple)) else [answer]
    return ", ".join(f"${sp.latex(sp.sympify(item))}$" for item in items)


def solutions_text() -> str:
    """Every exercise's statement and solution, for a teacher (Markdown)."""
    parts = ["# Exercises and their solutions\n"]
    for e in EXERCISES.values():
        answer = e.solution(e.handout())
        verdict = check_answer(e, answer)
        status = "proved" if verdict.proved else "checked" if verdict.correct else "REJECTED"
        parts.append(f"## {e.key} {e.title}\n\n{e.statement}\n\nSolution ({status}):\n\n"
                     f"{_solution_text(e, answer)}\n")
    return "\n".join(parts)
