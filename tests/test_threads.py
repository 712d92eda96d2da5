"""The library's own entry points pin BLAS to one thread, whatever the environment says.

Each case runs in a fresh Python with the thread variables removed from its environment, so
numpy's BLAS starts with one thread per core, as it does for a user who never exported
OMP_NUM_THREADS; the pytest process itself is pinned by conftest.py and could not show it.
"""
import json
import os
import subprocess
import sys

import pytest

from lstm_course.hamlet.threads import THREAD_VARIABLES

PROBE = r"""
import json, sys
from threadpoolctl import threadpool_info
import numpy as np
from lstm_course.hamlet import model as charmodel, train
from lstm_course.hamlet.config import TrainConfig
from lstm_course import __main__ as cli

def blas_threads():
    return max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")

seen = {"outside": blas_threads()}
real = charmodel.loss_and_grads
def probe(*args, **kwargs):
    seen.setdefault(WHERE, blas_threads())
    return real(*args, **kwargs)
charmodel.loss_and_grads = probe
small = dict(hidden_size=8, seq_len=10, batch_size=2, steps=2, eval_every=2)
WHERE = sys.argv[1]
if WHERE == "cli":
    cli.main(["train", "--text", "soliloquy", "--checkpoint", sys.argv[2], "--hidden-size", "8",
              "--seq-len", "10", "--batch-size", "2", "--steps", "2", "--eval-every", "2"])
elif WHERE == "cli --threads 2":
    cli.main(["train", "--text", "soliloquy", "--checkpoint", sys.argv[2], "--hidden-size", "8",
              "--seq-len", "10", "--batch-size", "2", "--steps", "2", "--eval-every", "2",
              "--threads", "2"])
elif WHERE == "train.train":
    train.train("to be, or not to be: " * 20, TrainConfig(**small), progress=False)
elif WHERE == "train.reproduce_004":
    train.reproduce_004(epochs=1)
seen["after"] = blas_threads()
print(json.dumps(seen))
"""


def _threads_seen(where: str, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    out = subprocess.run([sys.executable, "-c", PROBE, where, str(tmp_path / "m.npz")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    if seen["outside"] < 2:
        pytest.skip(f"BLAS starts with {seen['outside']} thread on this machine: pinning "
                    f"cannot be observed")
    return seen


@pytest.mark.parametrize("where", ["cli", "train.train", "train.reproduce_004"])
def test_entry_points_run_blas_on_one_thread(where, tmp_path):
    seen = _threads_seen(where, tmp_path)
    assert seen[where] == 1, seen
    if where != "cli":                    # a library call gives the user's setting back
        assert seen["after"] == seen["outside"], seen


def test_more_threads_when_asked(tmp_path):
    seen = _threads_seen("cli --threads 2", tmp_path)
    assert seen["cli --threads 2"] == 2, seen
