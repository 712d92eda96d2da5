"""SymPy building blocks that let the course's numpy code run on symbols.

* :class:`Sigmoid`: σ as a SymPy function whose derivative rule is σ' = σ (1 - σ) (the rule
  is proved once against 1 / (1 + e^{-z}) by lstm_course.proofs.verify.prove_sigmoid_rule).
  With it and SymPy's tanh, an LSTM's gradients are polynomials in the atoms σ(·) and
  tanh(·), which is what makes the proofs fast.
* :func:`vector`, :func:`matrix`, :func:`symbol_array`: fresh real symbols shaped as SymPy
  matrices or numpy object arrays; :func:`hadamard`, the elementwise product of matrices.
* :func:`sigmoid_of`, :func:`tanh_of`: σ and tanh entry by entry on numpy object arrays,
  what lstm_course.core.activations uses when it is handed SymPy expressions.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["Sigmoid", "sigmoid_of", "tanh_of", "vector", "matrix", "symbol_array", "hadamard"]


class Sigmoid(sp.Function):
    r"""The logistic sigmoid σ(z) = 1 / (1 + e^{-z}) with derivative rule σ' = σ (1 - σ)."""

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sp.exp(-arg))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0]))).evalf(prec)

    def _latex(self, printer, exp=None):
        body = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


_sigmoid_each = np.vectorize(Sigmoid, otypes=[object])
_tanh_each = np.vectorize(sp.tanh, otypes=[object])


def sigmoid_of(x: np.ndarray) -> np.ndarray:
    """σ of every entry of an object array of SymPy expressions (a new object array)."""
    return _sigmoid_each(x)


def tanh_of(x: np.ndarray) -> np.ndarray:
    """tanh of every entry of an object array of SymPy expressions (a new object array)."""
    return _tanh_each(x)


def vector(name: str, n: int) -> sp.Matrix:
    """Column of n fresh real symbols name^{(1)} ... name^{(n)} (n, 1); just name when n = 1.

    The entry index is a superscript so that names with a subscript (h_{t-1}) stay valid LaTeX.
    """
    return sp.Matrix([sp.Symbol(f"{name}^{{({k + 1})}}" if n > 1 else name, real=True)
                      for k in range(n)])


def matrix(name: str, rows: int, cols: int) -> sp.Matrix:
    """(rows, cols) matrix of fresh real symbols name^{(r,c)}."""
    return sp.Matrix(rows, cols,
                     lambda r, c: sp.Symbol(f"{name}^{{({r + 1},{c + 1})}}", real=True))


def hadamard(*factors: sp.Matrix) -> sp.Matrix:
    """Elementwise product of equally shaped matrices (the article's ∘ or *)."""
    out = factors[0]
    for m in factors[1:]:
        out = out.multiply_elementwise(m)
    return out


def symbol_array(name: str, shape: tuple) -> np.ndarray:
    """A numpy object array of fresh real symbols name[i,j,...] (what the package's numpy code
    runs on for the proofs)."""
    flat = [sp.Symbol(f"{name}[{','.join(map(str, idx))}]", real=True)
            for idx in np.ndindex(*shape)]
    return np.array(flat, dtype=object).reshape(shape)
