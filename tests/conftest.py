"""Shared fixtures. BLAS threads are pinned before numpy loads (the Makefile pins them too)."""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_course.core import params as core_params  # noqa: E402


def random_params(D, H, rng, dtype=np.float64):
    """LSTM parameters with random non-zero biases that differ per gate."""
    params = core_params.init_params(D, H, rng=rng, dtype=dtype)
    for k, g in enumerate(core_params.GATES):
        # each gate's biases drawn from its own interval, so no two gates share values
        signs = rng.choice([-1.0, 1.0], H)
        params[f"b_{g}"] = (rng.uniform(0.2 + k, 0.8 + k, size=H) * signs).astype(dtype)
    return params


@pytest.fixture
def rng():
    return np.random.default_rng(20261124)
