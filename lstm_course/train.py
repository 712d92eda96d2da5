"""Training loops: article 004's soliloquy recipe, and truncated BPTT over the whole play."""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from . import charmodel, data, optim
from .charmodel import NonFiniteLossError, TrainConfig
from .workspace import Workspace

__all__ = ["reproduce_004", "train"]


def reproduce_004(epochs: int = 1000, hidden_size: int = 25, learning_rate: float = 0.05,
                  seed: int = 0, dtype=np.float64, progress: bool = False) -> dict:
    """Article 004's experiment on the package: the soliloquy, lower-cased, as one sequence.

    Xavier-uniform weights, zero biases; per epoch one forward over the whole text, one full
    BPTT, every summed gradient clipped elementwise to [-1, 1], one SGD step.
    Returns {"params", "vocab", "ids", "losses" (nats per character, one per epoch)}.
    """
    text = data.soliloquy().lower()
    vocab = data.Vocabulary.from_text(text)
    ids = vocab.encode(text)
    rng = np.random.default_rng(seed)
    params = charmodel.init_model(len(vocab), hidden_size, rng=rng, dtype=dtype)
    inputs, targets = ids[:-1, None], ids[1:, None]              # (T, 1) each
    losses = []
    workspace = Workspace()                                      # buffers reused every epoch
    epochs_iter = range(epochs)
    if progress:
        from tqdm.auto import tqdm
        epochs_iter = tqdm(epochs_iter, desc="004 soliloquy", unit="epoch")
    for _ in epochs_iter:
        loss, grads, _ = charmodel.loss_and_grads(params, inputs, targets, workspace=workspace)
        if not np.isfinite(loss):
            raise NonFiniteLossError(f"the loss became {loss}; parameters left at the last "
                                     f"finite step")
        charmodel.sgd_update(params, optim.clip_elementwise(grads, 1.0), learning_rate)
        losses.append(loss / len(inputs))
        if progress:
            epochs_iter.set_postfix(loss=f"{losses[-1]:.3f}")
    return {"params": params, "vocab": vocab, "ids": ids, "losses": np.array(losses)}


def train(text: str, config: TrainConfig, *, checkpoint=None, resume: bool = False,
          progress: bool = True, max_seconds: float | None = None) -> dict:
    """Truncated BPTT over ``text``: minibatches of B streams, T steps, state carried along.

    Every ``eval_every`` steps (and at the end) the held-out loss is measured and, when
    ``checkpoint`` is given, a checkpoint is written atomically holding the weights with the
    lowest held-out loss so far (early stopping) and the whole history.  A non-finite loss stops
    training with NonFiniteLossError before any update or save; Ctrl-C stops it and keeps
    the last checkpoint.  ``resume`` continues from ``checkpoint`` (its best weights,
    vocabulary, history; Adam's moments restart).  Returns {"params" (the last), "best_params",
    "vocab", "history", "interrupted"}.
    """
    config.validate()
    dtype = np.dtype(config.dtype)
    if resume:
        if checkpoint is None:
            raise ValueError("resume=True needs a checkpoint path")
        params, vocab, saved, history = charmodel.load_checkpoint(checkpoint)
        if saved.hidden_size != config.hidden_size or saved.dtype != config.dtype:
            raise ValueError(f"checkpoint {checkpoint} has hidden_size={saved.hidden_size}, "
                             f"dtype={saved.dtype}; resume with the same values")
    else:
        vocab = data.Vocabulary.from_text(text)
        params = charmodel.init_model(len(vocab), config.hidden_size,
                                      rng=np.random.default_rng(config.seed), dtype=dtype)
        history = {}
    history = {"step": history.get("step", 0), "train_loss": list(history.get("train_loss", [])),
               "held_out_loss": list(history.get("held_out_loss", [])),
               "eval_steps": list(history.get("eval_steps", [])),
               "chars_per_second": history.get("chars_per_second"),
               "best_step": history.get("best_step"),
               "best_held_out_loss": history.get("best_held_out_loss")}
    best = {k: v.copy() for k, v in params.items()}
    ids = vocab.encode(text, name="text")
    train_ids, held_ids = data.split_held_out(ids, config.held_out_fraction)
    adam = charmodel.AdamState.zeros_like(params) if config.optimizer == "adam" else None

    def windows():
        while True:  # epochs: the state restarts at the beginning of the text
            yield None
            yield from data.batches(train_ids, config.seq_len, config.batch_size)

    stream = windows()
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=config.steps, initial=min(history["step"], config.steps),
                   desc="training", unit="step")
    h = c = None
    workspace = Workspace()                                      # buffers reused every step
    running, chars, start = None, 0, time.perf_counter()
    interrupted = False
    try:
        while history["step"] < config.steps:
            window = next(stream)
            if window is None:
                h = c = None
                continue
            inputs, targets = window
            loss, grads, (h, c) = charmodel.loss_and_grads(params, inputs, targets, h, c,
                                                           workspace=workspace)
            if not np.isfinite(loss):
                raise NonFiniteLossError(
                    f"the training loss became {loss} at step {history['step'] + 1}; the "
                    f"parameters were not updated and no checkpoint was written"
                    + (f" (the last good one is {checkpoint})" if checkpoint else ""))
            if config.clip_norm > 0:
                grads, _ = optim.clip_by_global_norm(grads, config.clip_norm)
            if adam is None:
                charmodel.sgd_update(params, grads, config.learning_rate)
            else:
                charmodel.adam_update(params, grads, adam, config.learning_rate)
            per_char = loss / config.seq_len
            running = per_char if running is None else 0.98 * running + 0.02 * per_char
            history["step"] += 1
            chars += inputs.size
            speed = chars / (time.perf_counter() - start)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{running:.3f}", chars_per_s=f"{speed:,.0f}")
            last = history["step"] == config.steps
            timed_out = max_seconds is not None and time.perf_counter() - start > max_seconds
            if history["step"] % config.eval_every == 0 or last or timed_out:
                held = charmodel.evaluate(params, held_ids)
                history["train_loss"].append(float(running))
                history["held_out_loss"].append(held)
                history["eval_steps"].append(history["step"])
                history["chars_per_second"] = float(speed)
                if history["best_held_out_loss"] is None or held < history["best_held_out_loss"]:
                    history["best_step"], history["best_held_out_loss"] = history["step"], held
                    best = {k: v.copy() for k, v in params.items()}
                if checkpoint is not None:
                    charmodel.save_checkpoint(checkpoint, best, vocab, config, history)
            if timed_out:
                break
    except KeyboardInterrupt:
        interrupted = True
        print(f"\ninterrupted at step {history['step']}"
              + (f"; the last checkpoint ({checkpoint}) is intact" if checkpoint else ""))
    finally:
        if bar is not None:
            bar.close()
    return {"params": params, "best_params": best, "vocab": vocab, "history": history,
            "interrupted": interrupted}
