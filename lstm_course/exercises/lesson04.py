"""Lesson 04: your turn (its exercises are being written: see the lesson)."""
from __future__ import annotations

EXERCISES: tuple = ()
