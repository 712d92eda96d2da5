"""Gather the measured runs on every play into one small JSON file the lesson and README read.

Each run is a checkpoint written by `python -m lstm_course train --text canon ...` (its
configuration and history: held-out loss at every evaluation, updates, characters per second),
optionally with PyTorch's run of the same recipe (benchmarks/canon_race.py --out).  The file
keeps what a reader needs to compare them in the same time: no weights.

    .venv/bin/python benchmarks/collect_runs.py --out models/canon-runs.json \
        --run "one layer=checkpoints/canon.npz" --run "two layers=checkpoints/canon2-h256.npz" \
        --torch "two layers=/tmp/torch2.json"
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from lstm_course.hamlet import checkpoint as ckpt


def numpy_run(label: str, path: str) -> dict:
    params, vocab, config, history = ckpt.load_checkpoint(path)
    if config.corpus != "canon":
        raise SystemExit(f"{path} learned from {config.corpus!r}, not the canon")
    steps = history["step"]
    return {"label": label, "library": "lstm_course (numpy)",
            "layers": config.layers, "hidden_size": config.hidden_size,
            "dropout": config.dropout, "weights": int(sum(p.size for p in params.values())),
            "updates": steps, "chars_per_second": round(history["chars_per_second"]),
            "best_held_out": history["best_held_out_loss"], "best_step": history["best_step"],
            "eval_steps": history["eval_steps"], "held_out_loss": history["held_out_loss"],
            "train_loss": history["train_loss"],
            "command": (f"python -m lstm_course train --text canon --layers {config.layers} "
                        f"--hidden-size {config.hidden_size}"
                        + (f" --dropout {config.dropout:g}" if config.dropout else "")
                        + f" --seed {config.seed} --max-minutes 14.5"),
            "vocabulary": len(vocab)}


def torch_run(label: str, path: str) -> dict:
    race = json.loads(Path(path).read_text(encoding="utf-8"))
    history = race["torch_history"]
    return {"label": label, "library": "PyTorch nn.LSTM", "layers": race["layers"],
            "hidden_size": race["hidden_size"], "dropout": race["dropout"],
            "updates": race["torch"]["steps"],
            "chars_per_second": race["torch"]["chars_per_second"],
            "best_held_out": race["torch"]["best_held_out"],
            "eval_steps": [h["step"] for h in history],
            "held_out_loss": [h["held_out"] for h in history],
            "same_steps": race["same_steps"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="append", default=[], metavar="LABEL=CHECKPOINT")
    parser.add_argument("--torch", action="append", default=[], metavar="LABEL=RACE_JSON")
    parser.add_argument("--minutes", type=float, default=14.5,
                        help="the wall-clock budget every run had")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    runs = [numpy_run(*item.split("=", 1)) for item in args.run]
    runs += [torch_run(*item.split("=", 1)) for item in args.torch]
    Path(args.out).write_text(json.dumps({"minutes": args.minutes, "runs": runs}, indent=1)
                              + "\n", encoding="utf-8")
    for run in runs:
        print(f"{run['label']:<40} {run['library']:<22} {run['updates']:>6} updates "
              f"{run['chars_per_second']:>7,} chars/s  best {run['best_held_out']:.4f}")


if __name__ == "__main__":
    main()
