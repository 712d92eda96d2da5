"""How many threads BLAS may use: one unless asked.

numpy's BLAS starts one thread per core.  For this package's small per-step products that is
slower even on an idle machine, and collapses when another process holds a core (issue 9
measured 60 training steps of the play in 89 s unpinned against 2.8 s pinned, with the other
core busy).  So the library's own entry points (the command line, the training loops) run
their work inside ``blas_threads(1)`` unless told otherwise.
"""
from __future__ import annotations

import contextlib

from threadpoolctl import threadpool_limits

from ..core.validation import check_positive_int

__all__ = ["DEFAULT_THREADS", "THREAD_VARIABLES", "blas_threads"]

DEFAULT_THREADS = 1
# what BLAS libraries read at start-up (for child processes, such as the lessons' kernels)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def blas_threads(threads: int | None = DEFAULT_THREADS):
    """A context manager limiting BLAS to ``threads`` threads inside it (None: leave BLAS as
    it is, e.g. to honour OMP_NUM_THREADS); the previous limits come back on exit."""
    if threads is None:
        return contextlib.nullcontext()
    return threadpool_limits(limits=check_positive_int(threads, "threads"), user_api="blas")
