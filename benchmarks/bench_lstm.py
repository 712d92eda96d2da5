"""Training throughput of the package's LSTM (a benchmark, not a test).

One training step = forward, readout, softmax cross-entropy, full BPTT, SGD update, on
one-hot inputs, for the configurations of DESIGN.md:
    a: T=865 (the article's soliloquy as one sequence), B=1, V=32, H=25
    b: T=64,  B=32, V=65, H=128
    c: T=100, B=64, V=65, H=256
Prints characters per second (T * B / seconds per step), the best of --repeats timed runs.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lstm.py
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from lstm_course import layers, lstm

CONFIGS = {"a": dict(T=865, B=1, V=32, H=25), "b": dict(T=64, B=32, V=65, H=128),
           "c": dict(T=100, B=64, V=65, H=256)}


def train_step(params, xs, targets, lr):
    hs, _, cache = lstm.forward(params, xs)
    logits = layers.readout_forward(params["W_v"], params["b_v"], hs)   # (T, B, V)
    loss, dlogits = layers.softmax_cross_entropy(logits, targets)
    rg = layers.readout_backward(params["W_v"], hs, dlogits)
    grads = lstm.backward(params, cache, rg["hs"])
    grads["W_v"], grads["b_v"] = rg["W_v"], rg["b_v"]
    for k in params:
        params[k] -= lr * grads[k]
    return loss


def measure(cfg: dict, dtype, repeats: int, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    T, B, V, H = cfg["T"], cfg["B"], cfg["V"], cfg["H"]
    params = lstm.init_params(V, H, rng=rng, dtype=dtype)
    params.update(layers.init_readout(H, V, rng=rng, dtype=dtype))
    ids = rng.integers(0, V, size=(T + 1, B))
    xs = ids[:-1]                          # (T, B) ids: one-hot inputs, gathered
    targets = ids[1:]                      # (T, B)
    train_step(params, xs, targets, 0.01)  # warm-up
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        train_step(params, xs, targets, 0.01)
        best = min(best, time.perf_counter() - start)
    return T * B / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="abc")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    rows = []
    for name in args.configs:
        for dtype in (np.float32, np.float64):
            rows.append({"config": name, **CONFIGS[name], "dtype": np.dtype(dtype).name,
                         "chars_per_s": round(measure(CONFIGS[name], dtype, args.repeats))})
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'config':<7}{'T':>5}{'B':>4}{'V':>4}{'H':>5}  {'dtype':<8}{'chars/s':>10}")
    for r in rows:
        print(f"{r['config']:<7}{r['T']:>5}{r['B']:>4}{r['V']:>4}{r['H']:>5}  {r['dtype']:<8}"
              f"{r['chars_per_s']:>10,}")


if __name__ == "__main__":
    main()
