"""Command line: ``python -m lstm_course train | sample | verify | course``."""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path


def _verify(args) -> int:
    from . import symbolic

    names = args.name or None
    if names:
        unknown = [n for n in names if n not in {e.name for e in symbolic.CATALOGUE}]
        if unknown:
            print(f"unknown --name {unknown}; run `python -m lstm_course verify --list`",
                  file=sys.stderr)
            return 2
    if args.list:
        for e in symbolic.CATALOGUE:
            print(f"{e.name}  [{e.articles}]")
        return 0
    results = symbolic.verify_catalogue(names)
    print(symbolic.catalogue_table(results))
    total = sum(r.seconds for r in results)
    failed = [r.name for r in results if not r.proved]
    print(f"\n{len(results) - len(failed)} of {len(results)} proved in {total:.1f} s")
    return 1 if failed else 0


def _course(args) -> int:
    from . import course

    out = None if args.in_place and args.out is None else Path(args.out or "build")
    return 1 if course.build(out, in_place=args.in_place) else 0


def _train(args) -> int:
    from . import data, train
    from .charmodel import NonFiniteLossError, TrainConfig

    config = TrainConfig(hidden_size=args.hidden_size, seq_len=args.seq_len,
                         batch_size=args.batch_size, optimizer=args.optimizer,
                         learning_rate=args.learning_rate, clip_norm=args.clip_norm,
                         steps=args.steps, eval_every=args.eval_every, dtype=args.dtype,
                         seed=args.seed)
    try:
        config.validate()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = data.soliloquy() if args.text == "soliloquy" else data.play_text()
    try:
        out = train.train(text, config, checkpoint=args.checkpoint, resume=args.resume,
                          max_seconds=args.max_minutes * 60 if args.max_minutes else None)
    except (NonFiniteLossError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    h = out["history"]
    if h["held_out_loss"]:
        nats = h["best_held_out_loss"]
        print(f"step {h['step']}: best held-out loss {nats:.4f} nats/char = "
              f"{nats / math.log(2):.4f} bits/char (step {h['best_step']}); "
              f"{h['chars_per_second']:,.0f} chars/s; checkpoint {args.checkpoint}")
    return 130 if out["interrupted"] else 0


def _sample(args) -> int:
    import numpy as np

    from . import charmodel

    try:
        params, vocab, _, _ = charmodel.load_checkpoint(args.checkpoint)
        text = charmodel.sample(params, vocab, args.prime, args.length,
                                temperature=args.temperature,
                                rng=np.random.default_rng(args.seed))
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(text)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_course",
                                     description="LSTM from scratch, derived and verified")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="train the character model on Hamlet (progress bar)")
    p.add_argument("--checkpoint", default="checkpoints/hamlet.npz",
                   help="where to save (atomically, at every evaluation)")
    p.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    p.add_argument("--text", choices=("play", "soliloquy"), default="play")
    p.add_argument("--hidden-size", type=int, default=128)
    p.add_argument("--seq-len", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    p.add_argument("--learning-rate", type=float, default=2e-3)
    p.add_argument("--clip-norm", type=float, default=5.0)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--eval-every", type=int, default=200)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-minutes", type=float, default=None,
                   help="stop (and save) after this many minutes")
    p.set_defaults(func=_train)
    p = sub.add_parser("sample", help="generate text from a checkpoint")
    p.add_argument("--checkpoint", default="models/hamlet.npz")
    p.add_argument("--prime", default="HAMLET:\n")
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--length", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_sample)
    p = sub.add_parser("verify", help="prove every hand-derived gradient with SymPy")
    p.add_argument("--name", action="append", help="prove only this entry (repeatable)")
    p.add_argument("--list", action="store_true", help="list the catalogue and exit")
    p.set_defaults(func=_verify)
    p = sub.add_parser("course", help="execute every lesson and render the course as HTML")
    p.add_argument("--out", default=None, help="output folder (default build/)")
    p.add_argument("--in-place", action="store_true",
                   help="write the executed notebooks back to notebooks/")
    p.set_defaults(func=_course)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
