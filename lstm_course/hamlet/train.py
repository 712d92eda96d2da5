"""Training loops: article 004's soliloquy recipe, and truncated BPTT over the whole play."""
from __future__ import annotations

import time
import math
from pathlib import Path

import numpy as np

from ..core.validation import check_real
from . import checkpoint as ckpt, data, model, optim
from .config import TrainConfig
from .model import NonFiniteLossError
from .threads import DEFAULT_THREADS, blas_threads
from .workspace import Workspace

__all__ = ["reproduce_004", "train"]


def reproduce_004(epochs: int = 1000, hidden_size: int = 25, learning_rate: float = 0.05,
                  seed: int = 0, dtype=np.float64, progress: bool = False,
                  threads: int | None = DEFAULT_THREADS) -> dict:
    """Article 004's experiment on the package: the soliloquy, lower-cased, as one sequence.

    Xavier-uniform weights, zero biases; per epoch one forward over the whole text, one full
    BPTT, every summed gradient clipped elementwise to [-1, 1], one SGD step.
    threads: BLAS threads (one by default; None leaves BLAS as it is).
    Returns {"params", "vocab", "ids", "losses" (nats per character, one per epoch)}.
    """
    with blas_threads(threads):
        return _reproduce_004(epochs, hidden_size, learning_rate, seed, dtype, progress)


def _reproduce_004(epochs, hidden_size, learning_rate, seed, dtype, progress) -> dict:
    text = data.soliloquy().lower()
    vocab = data.Vocabulary.from_text(text)
    ids = vocab.encode(text)
    rng = np.random.default_rng(seed)
    params = model.init_model(len(vocab), hidden_size, rng=rng, dtype=dtype)
    inputs, targets = ids[:-1, None], ids[1:, None]              # (T, 1) each
    losses = []
    workspace = Workspace()                                      # buffers reused every epoch
    epochs_iter = range(epochs)
    if progress:
        from tqdm.auto import tqdm
        epochs_iter = tqdm(epochs_iter, desc="004 soliloquy", unit="epoch")
    for _ in epochs_iter:
        loss, grads, _ = model.loss_and_grads(params, inputs, targets, workspace=workspace)
        if not np.isfinite(loss):
            raise NonFiniteLossError(f"the loss became {loss}; parameters left at the last "
                                     f"finite step")
        optim.sgd_update(params, optim.clip_elementwise(grads, 1.0), learning_rate)
        losses.append(loss / len(inputs))
        if progress:
            epochs_iter.set_postfix(loss=f"{losses[-1]:.3f}")
    return {"params": params, "vocab": vocab, "ids": ids, "losses": np.array(losses)}


# a weight this large means the run has diverged (Xavier starts below 1; a trained model's
# weights stay within a few tens)
DIVERGED_WEIGHT = 1e3


def train(text: str, config: TrainConfig, *, held_out: str | None = None, checkpoint=None,
          resume: bool = False, overwrite: bool = False, progress: bool = True,
          max_seconds: float | None = None, threads: int | None = DEFAULT_THREADS) -> dict:
    """Truncated BPTT over ``text``: minibatches of B streams, T steps, state carried along.

    held_out    : the text to measure the held-out loss on (e.g. data.canon().held_out); the
                  vocabulary is then that of both texts.  None: the last
                  ``config.held_out_fraction`` of ``text`` is held out.

    Every ``eval_every`` steps (and at the end) the held-out loss is measured and, when
    ``checkpoint`` is given, a checkpoint is written atomically holding the weights with the
    lowest held-out loss so far (early stopping) and the whole history.

    checkpoint  : file to write; checked before the first step (lstm_course.checkpoint.
                  prepare_checkpoint_path).  An existing file is refused unless ``resume``
                  (continue from it: its best weights, vocabulary, history; Adam's moments
                  restart) or ``overwrite`` (replace it).
    max_seconds : stop (with an evaluation and a save) once this much time has passed
    threads     : BLAS threads, one by default (None leaves BLAS as it is)

    A non-finite training or held-out loss stops training with NonFiniteLossError before any
    update or save with it; Ctrl-C stops it and keeps the last checkpoint.
    Returns {"params" (the last), "best_params", "vocab", "history", "interrupted",
    "warnings" (list of str: a run that diverged says so)}.
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    config.validate()
    if not isinstance(text, str) or not text:
        raise ValueError("text must be a non-empty string")
    if held_out is not None and (not isinstance(held_out, str) or len(held_out) < 2):
        raise ValueError("held_out must be None or a string of at least 2 characters")
    if max_seconds is not None:
        max_seconds = check_real(max_seconds, "max_seconds", positive=True)
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other: resume continues the "
                         "checkpoint, overwrite replaces it")
    if checkpoint is not None:
        checkpoint = ckpt.prepare_checkpoint_path(checkpoint, resume=resume, overwrite=overwrite)
    elif resume:
        raise ValueError("resume=True needs a checkpoint path")
    with blas_threads(threads):
        return _Run(text, held_out, config, checkpoint, resume, progress, max_seconds).go()


def _windows(train_ids: np.ndarray, seq_len: int, batch_size: int):
    """(inputs, targets, first) forever; first is True at the start of each pass over the text."""
    while True:
        for k, (inputs, targets) in enumerate(data.batches(train_ids, seq_len, batch_size)):
            yield inputs, targets, k == 0


class _Run:
    """One training run: its model, data, history, and what its checkpoint file holds."""

    def __init__(self, text, held_out, config, checkpoint, resume, progress, max_seconds):
        self.config, self.checkpoint, self.max_seconds = config, checkpoint, max_seconds
        self.progress = progress
        history = {}
        if resume:
            params, vocab, saved, history = ckpt.load_checkpoint(checkpoint)
            same = ("hidden_size", "dtype", "layers")
            if any(getattr(saved, k) != getattr(config, k) for k in same):
                raise ValueError(f"checkpoint {checkpoint} has "
                                 + ", ".join(f"{k}={getattr(saved, k)}" for k in same)
                                 + "; resume with the same values")
        else:
            vocab = data.Vocabulary.from_text(text + (held_out or ""))
            params = model.init_model(len(vocab), config.hidden_size,
                                      rng=np.random.default_rng(config.seed),
                                      dtype=np.dtype(config.dtype), layers=config.layers)
        self.params, self.vocab = params, vocab
        self.history = {"step": history.get("step", 0),
                        "train_loss": list(history.get("train_loss", [])),
                        "held_out_loss": list(history.get("held_out_loss", [])),
                        "eval_steps": list(history.get("eval_steps", [])),
                        "chars_per_second": history.get("chars_per_second"),
                        "best_step": history.get("best_step"),
                        "best_held_out_loss": history.get("best_held_out_loss")}
        self.best = {k: v.copy() for k, v in params.items()}
        ids = vocab.encode(text, name="text")
        if held_out is None:
            self.train_ids, self.held_ids = data.split_held_out(ids, config.held_out_fraction)
        else:
            self.train_ids, self.held_ids = ids, vocab.encode(held_out, name="held_out")
        self.adam = (optim.AdamState.zeros_like(params) if config.optimizer == "adam"
                     else None)
        # what the checkpoint file holds now, for honest messages
        self.saved_step = None                                   # saved by this run at step
        self.file_note = (None if checkpoint is None else
                          f"{checkpoint} is unchanged (it holds the run up to step "
                          f"{self.history['step']})" if resume else
                          f"{checkpoint} is unchanged (nothing was saved yet)"
                          if checkpoint.exists() else "no checkpoint was written")

    def checkpoint_note(self) -> str:
        """What the checkpoint file holds now, in words."""
        if self.saved_step is not None:
            return (f"the checkpoint {self.checkpoint} is intact: the best weights up to step "
                    f"{self.saved_step}")
        return self.file_note or "no checkpoint was asked for"

    def go(self) -> dict:
        config, history = self.config, self.history
        bar = None
        if self.progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=config.steps, initial=min(history["step"], config.steps),
                       desc=("training" if self.max_seconds is None else
                             f"training (stops after {self.max_seconds / 60:g} min)"),
                       unit="step")
        stream = _windows(self.train_ids, config.seq_len, config.batch_size)
        workspace = Workspace()                                  # buffers reused every step
        dropout_rng = np.random.default_rng([config.seed, 1])    # which units dropout drops
        running, chars, start = None, 0, time.perf_counter()
        interrupted = False
        h = c = None
        try:
            while history["step"] < config.steps:
                inputs, targets, first = next(stream)
                if first:                                        # a new pass: state from zero
                    h = c = None
                loss, grads, (h, c) = model.loss_and_grads(
                    self.params, inputs, targets, h, c, workspace=workspace,
                    dropout=config.dropout, rng=dropout_rng)
                if not np.isfinite(loss):
                    raise NonFiniteLossError(
                        f"the training loss became {loss} at step {history['step'] + 1}; the "
                        f"parameters were not updated with it; {self.checkpoint_note()}")
                self.update(grads)
                per_char = loss / config.seq_len
                running = per_char if running is None else 0.98 * running + 0.02 * per_char
                history["step"] += 1
                chars += inputs.size
                speed = chars / (time.perf_counter() - start)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{running:.3f}", chars_per_s=f"{speed:,.0f}")
                timed_out = (self.max_seconds is not None
                             and time.perf_counter() - start > self.max_seconds)
                if (history["step"] % config.eval_every == 0 or history["step"] == config.steps
                        or timed_out):
                    self.evaluate(running, speed)
                if timed_out:
                    break
        except KeyboardInterrupt:
            interrupted = True
            print(f"\ninterrupted at step {history['step']}; {self.checkpoint_note()}")
        finally:
            if bar is not None:
                bar.close()
        return {"params": self.params, "best_params": self.best, "vocab": self.vocab,
                "history": history, "interrupted": interrupted, "warnings": self.warnings()}

    def update(self, grads: dict) -> None:
        config = self.config
        if config.clip_norm > 0:
            grads, _ = optim.clip_by_global_norm(grads, config.clip_norm)
        if self.adam is None:
            optim.sgd_update(self.params, grads, config.learning_rate)
        else:
            optim.adam_update(self.params, grads, self.adam, config.learning_rate)

    def evaluate(self, running: float, speed: float) -> None:
        """Held-out loss now; the best weights kept and, with a checkpoint path, saved."""
        history = self.history
        held = model.evaluate(self.params, self.held_ids)
        if not math.isfinite(held):
            raise NonFiniteLossError(
                f"the held-out loss became {held} at step {history['step']}: the run diverged "
                f"(try a smaller learning rate); {self.checkpoint_note()}")
        history["train_loss"].append(float(running))
        history["held_out_loss"].append(held)
        history["eval_steps"].append(history["step"])
        history["chars_per_second"] = float(speed)
        if history["best_held_out_loss"] is None or held < history["best_held_out_loss"]:
            history["best_step"], history["best_held_out_loss"] = history["step"], held
            self.best = {k: v.copy() for k, v in self.params.items()}
        if self.checkpoint is not None:
            ckpt.save_checkpoint(self.checkpoint, self.best, self.vocab, self.config, history,
                                 overwrite=True)
            self.saved_step = history["step"]

    def warnings(self) -> list[str]:
        """Signs that the run diverged: huge weights, or a held-out loss no better than
        guessing every character equally likely."""
        found = []
        largest = max(float(np.max(np.abs(p))) for p in self.params.values())
        if largest > DIVERGED_WEIGHT:
            found.append(f"the run diverged: a weight reached {largest:.3g} (try a smaller "
                         f"learning rate)")
        held = self.history["held_out_loss"]
        uniform = math.log(len(self.vocab))
        if held and held[-1] >= uniform:
            found.append(f"the last held-out loss, {held[-1]:.4f} nats/char, is no better than "
                         f"guessing every character equally likely ({uniform:.4f})")
        return found
