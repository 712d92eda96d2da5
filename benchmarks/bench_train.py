"""Training throughput: characters per second of forward, loss, full BPTT and SGD update.

A benchmark, not a test.  The model: one-hot input, one LSTM layer, linear readout, softmax
cross-entropy, SGD — lstm_course, and PyTorch (nn.LSTM + nn.Linear) when it is installed
(`pip install -e '.[torch]'`).  Configurations (DESIGN.md):

    a: T=865, B=1,  V=32, H=25   (article 004: the soliloquy as one sequence)
    b: T=64,  B=32, V=65, H=128
    c: T=100, B=64, V=65, H=256

Every measurement runs in a fresh worker process with the BLAS thread count set in its
environment; it reports the best of --repeats timed steps after a warm-up, and the peak
resident memory the step added to the process (VmHWM after the run minus VmRSS before the
model was built, the high-water mark having been reset).

    .venv/bin/python benchmarks/bench_train.py            # table
    .venv/bin/python benchmarks/bench_train.py --json     # for machines

This machine sets OPENBLAS_CORETYPE=Haswell for old OpenBLAS builds; it slows numpy's current
OpenBLAS.  The workers inherit your environment: run as `env -u OPENBLAS_CORETYPE -u
OPENBLAS_L2_SIZE python benchmarks/bench_train.py` to let OpenBLAS pick its own kernel (the
table says which kernel each worker ran).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

CONFIGS = {"a": dict(T=865, B=1, V=32, H=25), "b": dict(T=64, B=32, V=65, H=128),
           "c": dict(T=100, B=64, V=65, H=256)}


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS (Linux)
    except OSError:
        pass


def _time_best(step, repeats: int) -> float:
    step()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def _numpy_worker(cfg: dict, dtype: str, repeats: int) -> dict:
    import numpy as np

    from lstm_course.hamlet import model, optim
    from lstm_course.hamlet.workspace import Workspace

    rng = np.random.default_rng(0)
    T, B, V, H = cfg["T"], cfg["B"], cfg["V"], cfg["H"]
    ids = rng.integers(0, V, size=(T + 1, B))
    inputs, targets = ids[:-1], ids[1:]                  # (T, B) ids: one-hot inputs
    before = _rss_kib("VmRSS")
    _reset_peak()
    params = model.init_model(V, H, rng=rng, dtype=np.dtype(dtype))
    workspace = Workspace()                              # as lstm_course.hamlet.train uses it

    def step():
        _, grads, _ = model.loss_and_grads(params, inputs, targets, workspace=workspace)
        optim.sgd_update(params, grads, 0.01)
    seconds = _time_best(step, repeats)
    try:
        from threadpoolctl import threadpool_info
        kernel = ",".join(sorted({i.get("architecture", "?") for i in threadpool_info()
                                  if i.get("internal_api") == "openblas"}))
    except ImportError:
        kernel = os.environ.get("OPENBLAS_CORETYPE", "auto")
    return {"chars_per_s": T * B / seconds, "peak_mib": (_rss_kib("VmHWM") - before) / 1024,
            "kernel": kernel}


def _torch_worker(cfg: dict, dtype: str, repeats: int, threads: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    T, B, V, H = cfg["T"], cfg["B"], cfg["V"], cfg["H"]
    tdtype = getattr(torch, dtype)
    ids = torch.randint(0, V, (T + 1, B))
    before = _rss_kib("VmRSS")
    _reset_peak()
    x = torch.nn.functional.one_hot(ids[:-1], V).to(tdtype)      # (T, B, V)
    y = ids[1:].reshape(-1)
    lstm = torch.nn.LSTM(V, H).to(tdtype)
    readout = torch.nn.Linear(H, V).to(tdtype)
    opt = torch.optim.SGD(list(lstm.parameters()) + list(readout.parameters()), lr=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        hs, _ = lstm(x)
        loss = torch.nn.functional.cross_entropy(readout(hs).reshape(-1, V), y,
                                                 reduction="sum") / B
        loss.backward()
        opt.step()
    seconds = _time_best(step, repeats)
    return {"chars_per_s": T * B / seconds, "peak_mib": (_rss_kib("VmHWM") - before) / 1024,
            "kernel": "torch " + torch.__version__}


def _run_worker(impl: str, config: str, dtype: str, threads: int, repeats: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    cmd = [sys.executable, __file__, "--worker", impl, config, dtype, str(threads), str(repeats)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
        return True
    except ImportError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description="training throughput, lstm_course vs torch")
    parser.add_argument("--configs", default="abc")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        impl, config, dtype, threads, repeats = args.worker
        cfg = CONFIGS[config]
        result = (_numpy_worker(cfg, dtype, int(repeats)) if impl == "numpy"
                  else _torch_worker(cfg, dtype, int(repeats), int(threads)))
        print(json.dumps(result))
        return
    impls = ["numpy"] + (["torch"] if torch_available() else [])
    rows = []
    for config in args.configs:
        for dtype in args.dtypes.split(","):
            for threads in (int(t) for t in args.threads.split(",")):
                row = {"config": config, **CONFIGS[config], "dtype": dtype, "threads": threads}
                for impl in impls:
                    r = _run_worker(impl, config, dtype, threads, args.repeats)
                    row[f"{impl}_chars_per_s"] = round(r["chars_per_s"])
                    row[f"{impl}_peak_mib"] = round(r["peak_mib"], 1)
                    row[f"{impl}_kernel"] = r["kernel"]
                if "torch" in impls:
                    row["speed_ratio"] = round(row["numpy_chars_per_s"] / row["torch_chars_per_s"], 2)
                    row["memory_ratio"] = round(row["numpy_peak_mib"] / max(row["torch_peak_mib"], 1e-9), 2)
                rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    head = f"{'cfg':<4}{'dtype':<9}{'thr':>4}{'numpy c/s':>12}{'MiB':>7}"
    if "torch" in impls:
        head += f"{'torch c/s':>12}{'MiB':>7}{'speed':>7}{'mem':>6}"
    print(head + "  numpy BLAS kernel")
    for r in rows:
        line = (f"{r['config']:<4}{r['dtype']:<9}{r['threads']:>4}{r['numpy_chars_per_s']:>12,}"
                f"{r['numpy_peak_mib']:>7.1f}")
        if "torch" in impls:
            line += (f"{r['torch_chars_per_s']:>12,}{r['torch_peak_mib']:>7.1f}"
                     f"{r['speed_ratio']:>6.2f}x{r['memory_ratio']:>5.2f}x")
        print(line + f"  {r['numpy_kernel']}")
    if "torch" not in impls:
        print("(PyTorch is not installed: pip install -e '.[torch]' to measure it side by side)")


if __name__ == "__main__":
    main()
