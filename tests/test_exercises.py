"""The exercises: every solution accepted (and proved where it can be), every known slip
rejected by name with a counterexample, the placeholder deterministic, bad calls clear."""
import re
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
import sympy as sp

from lstm_course import exercises
from lstm_course.exercises.framework import check_answer

EXERCISES = list(exercises.EXERCISES.values())


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.key)
def test_the_solution_is_accepted(exercise):
    verdict = check_answer(exercise, exercise.solution(exercise.handout()))
    assert verdict.correct is True, str(verdict)
    if exercise.kind == "expression":
        assert verdict.proved and "proved exactly" in str(verdict)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.key)
def test_at_least_two_typical_slips_are_rejected_by_name(exercise):
    assert len(exercise.slips) >= 2, exercise.key
    ns = exercise.handout()
    for slip in exercise.slips:
        verdict = check_answer(exercise, slip.wrong(ns))
        assert verdict.correct is False, (exercise.key, slip.name)
        assert verdict.slip == slip.name, (exercise.key, slip.name, str(verdict))
        text = str(verdict)
        assert f"This is a known slip: {slip.name}." in text and slip.advice in text
        # where it goes wrong: a point (or a test case) and both values
        assert re.search(r"(At .*gives|On test case \d+|Your number is)", text), text


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.key)
def test_the_placeholder_says_not_answered_with_the_first_hint(exercise):
    for placeholder in (..., None):
        verdict = exercises.check(exercise.key, placeholder)
        assert verdict.correct is None and not verdict
        assert str(verdict) == (f"{exercise.key} not answered yet: replace ... with your "
                                f"answer.\nHint 1: {exercise.hints[0]}")


def test_a_wrong_expression_gets_a_counterexample_with_both_values():
    s = exercises.handout("02.4")
    verdict = exercises.check("02.4", s.dJ_dh)
    text = str(verdict)
    assert verdict.correct is False and verdict.slip is None
    m = re.search(r"your answer gives (\S+), the right value is (\S+)\.", text)
    assert m and float(m.group(1)) != float(m.group(2))


def test_a_sign_slip_is_named_for_any_expression_exercise():
    s = exercises.handout("03.1")
    verdict = exercises.check("03.1", -s.dJ_dh * sp.tanh(s.C))
    assert verdict.slip == "a sign"


def test_symbols_not_handed_out_are_pointed_at():
    verdict = exercises.check("02.1", sp.Symbol("q") * exercises.handout("02.1").C_prev)
    assert "symbols that were not handed out: q" in str(verdict)


def test_a_numpy_only_function_is_right_but_not_proved():
    def step_forward(params, x_t, h_prev, c_prev):
        Z = np.concatenate([h_prev, x_t], axis=1)
        sig = lambda a: 1 / (1 + np.exp(-a))                     # numpy's exp: floats only
        f, i, o = (sig(Z @ params[f"W_{g}"].T + params[f"b_{g}"]) for g in "fio")
        c = f * c_prev + i * np.tanh(Z @ params["W_c"].T + params["b_c"])
        return o * np.tanh(c), c
    verdict = exercises.check("02.5", step_forward)
    assert verdict.correct is True and not verdict.proved
    assert "could not run on SymPy symbols" in str(verdict)


def test_a_function_that_raises_is_reported_not_crashed():
    def step_backward(dh, dc_next, cache):
        raise RuntimeError("not written yet")
    verdict = exercises.check("03.5", step_backward)
    assert verdict.correct is False
    assert "raised RuntimeError: not written yet" in str(verdict)


def test_a_function_with_a_wrong_shape_is_told_which():
    def step_forward(params, x_t, h_prev, c_prev):
        return h_prev[0], c_prev
    verdict = exercises.check("02.5", step_forward)
    assert "h_t has shape" in str(verdict)


def test_bad_calls_are_clear():
    with pytest.raises(KeyError, match="no exercise '99.9'"):
        exercises.check("99.9", 1)
    with pytest.raises(TypeError, match="must be a function"):
        exercises.check("02.5", 3.0)
    with pytest.raises(TypeError, match="must be a SymPy expression"):
        exercises.check("02.1", "dJ_dC * C_prev")


def test_hints_and_statements():
    assert str(exercises.hint("02.1", 2)).count("Hint ") == 2
    assert str(exercises.hint("02.1", 99)).count("Hint ") == len(exercises.get("02.1").hints)
    assert str(exercises.show("03.5")).startswith("**Your turn 03.5: implement step_backward**")


def test_every_lesson_has_exercises_graded_up_to_implement_it():
    per_lesson = Counter(e.key.split(".")[0] for e in EXERCISES)
    assert set(per_lesson) == {"01", "02", "03", "04", "05", "06"}, per_lesson
    assert all(n >= 4 for n in per_lesson.values()) and len(EXERCISES) >= 30, per_lesson
    levels = {e.level for e in EXERCISES}
    assert {1, 3} <= levels


def test_a_teacher_sees_every_solution_checked():
    out = subprocess.run([sys.executable, "-m", "lstm_course", "exercises", "--solutions"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    for e in EXERCISES:
        assert f"## {e.key} {e.title}" in out.stdout
    assert "REJECTED" not in out.stdout
    assert out.stdout.count("Solution (proved)") + out.stdout.count("Solution (checked)") == len(
        EXERCISES)
