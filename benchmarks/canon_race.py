"""The shipped model's recipe in PyTorch, same data order, same start, same time budget.

`make model` trains lstm_course's numpy LSTM on every play (lstm_course.hamlet.data.canon:
Hamlet's last 10% held out) for 14.5 minutes: H = 256, T = 100, B = 32, Adam 2e-3, global-norm
clipping at 5, float32, one thread, held-out loss every 500 steps.  This script trains
PyTorch's nn.LSTM + nn.Linear the same way (as many layers, as wide, the same dropout between
layers as the checkpoint's run) (the same initial weights copied in, the same
minibatches in the same order, the state reset at each pass over the text, one thread) for the
same wall-clock budget, and compares its held-out losses with those stored in the numpy run's
checkpoint: after the same time, and after the same number of steps.

    .venv/bin/python benchmarks/canon_race.py --checkpoint checkpoints/canon.npz [--minutes 14.5]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from compare_torch import same_start, start_from, torch_held_out   # shared with the cross-check
from lstm_course.hamlet import checkpoint as ckpt
from lstm_course.hamlet import data, model


def run_torch(config, vocab, corpus, minutes: float) -> list[dict]:
    """Train nn.LSTM like the numpy run; return [{"step", "seconds", "held_out"}] per evaluation."""
    import torch

    torch.manual_seed(config.seed)
    torch.set_num_threads(1)
    V, H = len(vocab), config.hidden_size
    lstm = torch.nn.LSTM(V, H, num_layers=config.layers, dropout=config.dropout)
    readout = torch.nn.Linear(H, V)
    initial = model.init_model(V, H, rng=np.random.default_rng(config.seed), dtype=np.float32,
                               layers=config.layers)
    start_from(lstm, readout, initial)
    params = list(lstm.parameters()) + list(readout.parameters())
    opt = torch.optim.Adam(params, lr=config.learning_rate, betas=(0.9, 0.999), eps=1e-8)
    eye = torch.eye(V)
    train_ids, held_ids = vocab.encode(corpus.train), vocab.encode(corpus.held_out)

    def loss_of(inputs, targets, state):
        hs, state = lstm(eye[torch.from_numpy(inputs)], state)
        loss = torch.nn.functional.cross_entropy(readout(hs).reshape(-1, V),
                                                 torch.from_numpy(targets).reshape(-1),
                                                 reduction="sum") / inputs.shape[1]
        return loss, state

    inputs, targets = next(iter(data.batches(train_ids, config.seq_len, config.batch_size)))
    numpy_first, torch_first = same_start(lstm, loss_of, initial, inputs, targets)
    print(f"same start: first-window loss {numpy_first:.5f} (lstm_course), "
          f"{torch_first:.5f} (torch)", flush=True)

    history, step, start = [], 0, time.perf_counter()
    budget = minutes * 60
    while True:
        state = None                     # each pass over the text starts from zero state
        for inputs, targets in data.batches(train_ids, config.seq_len, config.batch_size):
            opt.zero_grad(set_to_none=True)
            loss, state = loss_of(inputs, targets, state)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, config.clip_norm)
            opt.step()
            state = tuple(s.detach() for s in state)
            step += 1
            out_of_time = time.perf_counter() - start > budget
            if step % config.eval_every == 0 or out_of_time:
                lstm.eval()                               # no dropout while evaluating
                history.append({"step": step, "seconds": round(time.perf_counter() - start, 1),
                                "held_out": torch_held_out(loss_of, held_ids)})
                lstm.train()
                print(json.dumps(history[-1]), flush=True)
            if out_of_time:
                return history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default="checkpoints/canon.npz",
                        help="the numpy run's checkpoint (make model writes it)")
    parser.add_argument("--minutes", type=float, default=14.5)
    parser.add_argument("--out", default=None, help="write the comparison as JSON here")
    args = parser.parse_args()
    _, vocab, config, history = ckpt.load_checkpoint(args.checkpoint)
    if config.corpus != "canon":
        raise SystemExit(f"{args.checkpoint} learned from {config.corpus!r}, not the canon")
    torch_history = run_torch(config, vocab, data.canon(), args.minutes)
    numpy_evals = dict(zip(history["eval_steps"], history["held_out_loss"]))
    common = max(s["step"] for s in torch_history if s["step"] in numpy_evals) \
        if any(s["step"] in numpy_evals for s in torch_history) else None
    result = {
        "minutes": args.minutes, "layers": config.layers, "hidden_size": config.hidden_size,
        "dropout": config.dropout,
        "numpy": {"steps": history["step"], "last_held_out": history["held_out_loss"][-1],
                  "best_held_out": history["best_held_out_loss"],
                  "chars_per_second": round(history["chars_per_second"])},
        "torch": {"steps": torch_history[-1]["step"],
                  "last_held_out": torch_history[-1]["held_out"],
                  "best_held_out": min(h["held_out"] for h in torch_history),
                  "chars_per_second": round(torch_history[-1]["step"] * config.seq_len
                                            * config.batch_size / torch_history[-1]["seconds"])},
        "same_steps": None if common is None else {
            "step": common, "numpy_held_out": numpy_evals[common],
            "torch_held_out": next(h["held_out"] for h in torch_history if h["step"] == common)},
        "torch_history": torch_history,
    }
    text = json.dumps(result, indent=1)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
