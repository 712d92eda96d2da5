"""Cross-check: lstm_course and PyTorch trained alike on the play reach the same held-out loss.

Same data (the play, the same held-out end), same minibatches in the same order (B streams
of T steps, state carried between windows), same model (one-hot input, one LSTM layer,
linear readout, softmax cross-entropy), same initial weights (lstm_course's Xavier-uniform
draw copied into nn.LSTM and nn.Linear, gates reordered to torch's i, f, g, o, torch's second
bias set to zero), same optimiser (Adam, same learning rate and betas), same global-norm
clipping and number of steps, float32.  What differs is only the arithmetic: the two libraries
round and sum in different orders, and over many steps the trajectories part.  Prints both
held-out losses (nats per character) and their relative difference.

    .venv/bin/python benchmarks/compare_torch.py [--steps 1500] [--json]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from lstm_course.hamlet import data, model, optim
from lstm_course.hamlet.workspace import Workspace


def initial_params(V: int, args) -> dict:
    """The starting weights both runs use: lstm_course's initialisation, float32."""
    return model.init_model(V, args.hidden, rng=np.random.default_rng(args.seed),
                            dtype=np.float32)


def run_numpy(train_ids, held_ids, V, args) -> tuple[float, float]:
    params = initial_params(V, args)
    adam = optim.AdamState.zeros_like(params)
    workspace = Workspace()                                  # as lstm_course.hamlet.train uses it
    start, step = time.perf_counter(), 0
    while step < args.steps:
        h = c = None
        for inputs, targets in data.batches(train_ids, args.seq_len, args.batch):
            _, grads, (h, c) = model.loss_and_grads(params, inputs, targets, h, c,
                                                    workspace=workspace)
            grads, _ = optim.clip_by_global_norm(grads, args.clip)
            optim.adam_update(params, grads, adam, args.lr)
            step += 1
            if step == args.steps:
                break
    return model.evaluate(params, held_ids), time.perf_counter() - start


def start_from(lstm, readout, params: dict) -> None:
    """Copy lstm_course parameters into nn.LSTM / nn.Linear (any number of layers).

    lstm_course: W_g (H, H + V) acting on [h_{t-1}; x_t], b_g (H,), gates f, i, c, o; layer k
    of a stacked model "layer{k}.W_g" (H, H + H) acting on [h_{t-1}; h_t of layer k-1].
    torch: weight_ih_l{k-1} (4H, V or H), weight_hh_l{k-1} (4H, H), bias_ih_l{k-1} and
    bias_hh_l{k-1} (4H,), gate blocks in the order i, f, g (the candidate), o.
    """
    import torch

    H = params["W_f"].shape[0]
    order = ("i", "f", "c", "o")
    with torch.no_grad():
        for k in range(1, model.count_layers(params) + 1):
            layer = model.layer_params(params, k)
            l = k - 1                                                            # torch's index
            getattr(lstm, f"weight_hh_l{l}").copy_(torch.from_numpy(
                np.concatenate([layer[f"W_{g}"][:, :H] for g in order])))        # (4H, H)
            getattr(lstm, f"weight_ih_l{l}").copy_(torch.from_numpy(
                np.concatenate([layer[f"W_{g}"][:, H:] for g in order])))        # (4H, V or H)
            getattr(lstm, f"bias_ih_l{l}").copy_(torch.from_numpy(
                np.concatenate([layer[f"b_{g}"] for g in order])))               # (4H,)
            getattr(lstm, f"bias_hh_l{l}").zero_()
        readout.weight.copy_(torch.from_numpy(params["W_v"]))                # (V, H)
        readout.bias.copy_(torch.from_numpy(params["b_v"]))                  # (V,)


def run_torch(train_ids, held_ids, V, args) -> tuple[float, float]:
    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    lstm = torch.nn.LSTM(V, args.hidden)
    readout = torch.nn.Linear(args.hidden, V)
    start_from(lstm, readout, initial_params(V, args))
    params = list(lstm.parameters()) + list(readout.parameters())
    opt = torch.optim.Adam(params, lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    eye = torch.eye(V)

    def loss_of(inputs, targets, state):
        hs, state = lstm(eye[torch.from_numpy(inputs)], state)
        logits = readout(hs)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V),
                                                 torch.from_numpy(targets).reshape(-1),
                                                 reduction="sum") / inputs.shape[1]
        return loss, state

    inputs, targets = next(iter(data.batches(train_ids, args.seq_len, args.batch)))
    numpy_first, torch_first = same_start(lstm, loss_of, initial_params(V, args), inputs, targets)
    if not args.json:
        print(f"same start: first-window loss {numpy_first:.5f} (lstm_course), "
              f"{torch_first:.5f} (torch)")

    start, step = time.perf_counter(), 0
    while step < args.steps:
        state = None
        for inputs, targets in data.batches(train_ids, args.seq_len, args.batch):
            opt.zero_grad(set_to_none=True)
            loss, state = loss_of(inputs, targets, state)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, args.clip)
            opt.step()
            state = tuple(s.detach() for s in state)
            step += 1
            if step == args.steps:
                break
    seconds = time.perf_counter() - start
    return torch_held_out(loss_of, held_ids), seconds


def same_start(lstm, loss_of, params: dict, inputs, targets) -> tuple[float, float]:
    """The copied weights must make the same model: the first window's loss of lstm_course
    (params) and of torch (loss_of, its LSTM in eval mode: no dropout) agree to 1e-5, or
    AssertionError.  Returns (numpy's loss, torch's loss)."""
    import torch

    lstm.eval()
    with torch.no_grad():
        torch_first = float(loss_of(inputs, targets, None)[0])
    lstm.train()
    numpy_first = model.loss_and_grads(params, inputs, targets)[0]
    if abs(torch_first - numpy_first) > 1e-5 * abs(numpy_first):
        raise AssertionError(f"the copied weights do not give the same model: first-window loss "
                             f"{numpy_first} (lstm_course) vs {torch_first} (torch)")
    return numpy_first, torch_first


def torch_held_out(loss_of, held_ids) -> float:
    """Held-out loss exactly as hamlet.model.evaluate measures it (same windows, state
    carried), for a torch model given as loss_of(inputs, targets, state) -> (loss, state)."""
    import torch

    T, B = model.evaluation_layout(len(held_ids))
    total, count, state = 0.0, 0, None
    with torch.no_grad():
        for inputs, targets in data.batches(held_ids, T, B):
            loss, state = loss_of(inputs, targets, state)
            total += float(loss) * inputs.shape[1]
            count += inputs.size
    return total / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--clip", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    text = data.play_text()
    vocab = data.Vocabulary.from_text(text)
    train_ids, held_ids = data.split_held_out(vocab.encode(text), 0.1)
    numpy_loss, numpy_s = run_numpy(train_ids, held_ids, len(vocab), args)
    torch_loss, torch_s = run_torch(train_ids, held_ids, len(vocab), args)
    diff = abs(numpy_loss - torch_loss) / torch_loss
    result = {"steps": args.steps, "hidden": args.hidden, "seq_len": args.seq_len,
              "batch": args.batch, "numpy_held_out_nats": round(numpy_loss, 4),
              "torch_held_out_nats": round(torch_loss, 4), "relative_difference": round(diff, 4),
              "numpy_seconds": round(numpy_s, 1), "torch_seconds": round(torch_s, 1)}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{args.steps} steps, H={args.hidden}, T={args.seq_len}, B={args.batch}, Adam {args.lr}")
    print(f"lstm_course held-out loss {numpy_loss:.4f} nats/char ({numpy_s:.0f} s of training)")
    print(f"PyTorch     held-out loss {torch_loss:.4f} nats/char ({torch_s:.0f} s of training)")
    print(f"relative difference {diff:.2%} ({'within' if diff <= 0.02 else 'NOT within'} 2%)")


if __name__ == "__main__":
    main()
