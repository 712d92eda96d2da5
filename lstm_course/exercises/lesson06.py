"""Lesson 06: your turn (its exercises are being written: see the lesson)."""
from __future__ import annotations

EXERCISES: tuple = ()
