"""Command line: ``python -m lstm_course verify`` | ``course``."""
from __future__ import annotations

import argparse
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_course",
                                     description="LSTM from scratch, derived and verified")
    sub = parser.add_subparsers(dest="command", required=True)
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
